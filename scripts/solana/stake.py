#!/usr/bin/env python
"""Stake BOLT for a worker (unstake.py and withdraw.py undo it; cancel-unstake via dispatch-chain solana).

    python scripts/solana/stake.py --help
    python scripts/solana/stake.py --network local --url http://127.0.0.1:8899 ...

Same as `dispatch-chain solana stake`; uses solana-py/solders and the IDL coder against
--url (the local node or devnet) and records what it deploys in the manifest.
"""

from _run import run

if __name__ == "__main__":
    run("solana", "stake")
