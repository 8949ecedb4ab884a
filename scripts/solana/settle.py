#!/usr/bin/env python
"""Settle a job in BOLT, burning the protocol fee.

    python scripts/solana/settle.py --help
    python scripts/solana/settle.py --network local --url http://127.0.0.1:8899 ...

Same as `dispatch-chain solana settle`; uses solana-py/solders and the IDL coder against
--url (the local node or devnet) and records what it deploys in the manifest.
"""

from _run import run

if __name__ == "__main__":
    run("solana", "settle")
