#!/usr/bin/env python
"""Initialise dispatch_bridge (the Solana side of the BOLT bridge to Monad).

    python scripts/solana/init_bridge.py --help
    python scripts/solana/init_bridge.py --network local --attester <pubkey> ... --threshold 2 --peer-bridge 0x...

Same as `dispatch-chain solana init-bridge`. The program must be deployed
(upgradeable, upgrade authority = the signer) first; the signer becomes the
bridge admin. Records the program, config and custody in the manifest.
"""

from _run import run

if __name__ == "__main__":
    run("solana", "init-bridge")
