"""What the demo's stages share, and what its report is built from."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.anchoring.service import AnchoringService
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.audit import AuditReport
from dispatch_chain.bundle import ReceiptBundle
from dispatch_chain.connect import Connections
from dispatch_chain.demo.progress import Progress
from dispatch_chain.demo.workload import Workload
from dispatch_chain.localnet import Anvil, SolanaNode
from dispatch_chain.protocol import Tier
from dispatch_chain.receipts import VerificationReport

COORDINATOR = 1  # anvil dev account of the demo coordinator (anchorer, feedback giver)


@dataclass
class SolanaDemo:
    """The demo's Solana side: BOLT, its allocation owners, the admin and the coordinator."""

    mint: Pubkey
    owners: dict[str, Keypair]
    admin: Keypair
    coordinator: Keypair


@dataclass
class DemoOptions:
    out: Path
    jobs: int = 400
    workers: int = 6
    invalid_share: float = 0.05
    batch_size: int = 64
    audit_sample: int = 8
    seed: int = 8004


@dataclass
class DemoState:
    """What the stages share and what the report is built from."""

    options: DemoOptions
    progress: Progress
    rng: random.Random
    anvil: Anvil | None = None
    solana_node: SolanaNode | None = None
    solana: SolanaDemo | None = None
    connections: Connections | None = None
    workload: Workload | None = None
    verification: VerificationReport | None = None
    store: ReceiptStore | None = None
    service: AnchoringService | None = None
    bundles: list[tuple[ReceiptBundle, Path]] = field(default_factory=list)
    audits: list[AuditReport] = field(default_factory=list)
    agents: dict[bytes, int] = field(default_factory=dict)  # worker pubkey -> ERC-8004 agent id
    tiers: dict[bytes, Tier] = field(default_factory=dict)  # worker pubkey -> stake tier (Solana stages)
    report: dict[str, Any] = field(default_factory=dict)
