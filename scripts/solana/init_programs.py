#!/usr/bin/env python
"""Initialise the staking, settlement and anchor programs' configs.

    python scripts/solana/init_programs.py --help
    python scripts/solana/init_programs.py --network local --url http://127.0.0.1:8899 ...

Same as `dispatch-chain solana init-programs`; uses solana-py/solders and the IDL coder against
--url (the local node or devnet) and records what it deploys in the manifest.
"""

from _run import run

if __name__ == "__main__":
    run("solana", "init-programs")
