#!/usr/bin/env python
"""Request to unstake BOLT for a worker (starts the cooldown).

See also withdraw.py, and cancel-unstake via dispatch-chain solana.

    python scripts/solana/unstake.py --help

Same as `dispatch-chain solana unstake`; uses solana-py/solders and the IDL coder against
--url (the local node or devnet).
"""

from _run import run

if __name__ == "__main__":
    run("solana", "unstake")
