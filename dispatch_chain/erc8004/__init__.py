"""ERC-8004 identity and reputation for Dispatch workers (whitepaper §4.2, §6.4, §6.5).

* :mod:`.binding` — the ed25519 <-> agent binding (what is signed, how it is checked);
* :mod:`.identity` — IdentityRegistry client and the pubkey -> agentId resolver;
* :mod:`.feedback` — the fire-and-forget feedback writer and its outbox handlers;
* :mod:`.reader` — batched, cached reputation summaries.

The same code runs against the local registries in contracts/erc8004 and the
official v1 deployments on Monad testnet.
"""
