"""``python -m dispatch_chain.cli`` is the ``dispatch-chain`` command."""

from dispatch_chain.cli import main

main()
