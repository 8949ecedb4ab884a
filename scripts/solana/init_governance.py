#!/usr/bin/env python
"""Initialise the Solana governance receiver and hand it the staking and settlement admin roles.

    python scripts/solana/init_governance.py --help
    python scripts/solana/init_governance.py --network local --attester <pubkey> ... --threshold 2 \\
        --keypair deployer.json            # the receiver's upgrade authority, the programs' current admin
    python scripts/solana/init_governance.py ... --keep-admin   # local development: keep the roles

Same as `dispatch-chain gov init-receiver`; run after deploy_governance (it reads the manifest's
ProtocolParams, the only source the receiver accepts) and init_programs.
"""

from _run import run

if __name__ == "__main__":
    run("gov", "init-receiver")
