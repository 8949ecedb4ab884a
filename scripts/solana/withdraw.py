#!/usr/bin/env python
"""Withdraw a worker's pending unstake once its cooldown is over.

    python scripts/solana/withdraw.py --help

Same as `dispatch-chain solana withdraw`; uses solana-py/solders and the IDL coder against
--url (the local node or devnet).
"""

from _run import run

if __name__ == "__main__":
    run("solana", "withdraw")
