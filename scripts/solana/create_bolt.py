#!/usr/bin/env python
"""Create BOLT (1B supply, 9 decimals, whitepaper distribution, mint authority revoked).

    python scripts/solana/create_bolt.py --help
    python scripts/solana/create_bolt.py --network local --url http://127.0.0.1:8899 ...

Same as `dispatch-chain solana create-bolt`; uses solana-py/solders and the IDL coder against
--url (the local node or devnet) and records what it deploys in the manifest.
"""

from _run import run

if __name__ == "__main__":
    run("solana", "create-bolt")
