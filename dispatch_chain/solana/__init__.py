"""Solana side of dispatch_chain: BOLT, staking tiers, settlement with burn, receipt anchoring.

Instructions are built from the committed Anchor IDLs (the project's IDL coder, idl.py) and
sent with solana-py's synchronous client, so the same code runs against the
local node (dispatch-solana-node) and devnet. See docs/solana-programs.md for
the programs' interface.
"""
