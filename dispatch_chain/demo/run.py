"""The demo: its stages, run in order against local chains it starts itself."""

from __future__ import annotations

import random
import signal
import threading
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import click

from dispatch_chain.demo.bridge_stage import bridge_workers, deploy_bridge
from dispatch_chain.demo.chains import deploy, start_chains
from dispatch_chain.demo.governance_stage import deploy_governance, govern
from dispatch_chain.demo.payments_stage import pay_jobs
from dispatch_chain.demo.progress import Progress
from dispatch_chain.demo.receipts_stage import anchor, audit_sample, make_jobs, verify_and_store, write_bundles
from dispatch_chain.demo.report import print_report
from dispatch_chain.demo.reputation_stage import post_feedback, register_workers, score_workers
from dispatch_chain.demo.solana_stage import deploy_solana, settle_jobs, stake_workers
from dispatch_chain.demo.state import DemoOptions, DemoState
from dispatch_chain.demo.tokenomics_stage import rewards_epoch

Stage = Callable[[DemoState, ExitStack], None]

STAGES: list[tuple[str, Stage]] = [
    ("start local chains", start_chains),
    ("deploy contracts (ape run deploy)", deploy),
    ("create BOLT and initialise the Solana programs", deploy_solana),
    ("workers sign receipts", make_jobs),
    ("workers register as ERC-8004 agents", register_workers),
    ("workers stake BOLT (tiers)", stake_workers),
    ("coordinator verifies receipts", verify_and_store),
    ("anchor receipt batches on both chains", anchor),
    ("write auditor bundles", write_bundles),
    ("audit a sample of bundles", audit_sample),
    ("post ERC-8004 feedback for every job", post_feedback),
    ("settle successful jobs in BOLT (5 % burned)", settle_jobs),
    ("agents pay jobs over x402 in USDC on both chains; payments proven, a replay refused", pay_jobs),
    ("score workers (reputation, tier, heartbeat)", score_workers),
    ("deploy the BOLT bridge (Monad contracts, Solana program)", deploy_bridge),
    ("workers bridge BOLT to Monad; tiers there match; one bridges back", bridge_workers),
    (
        "deploy governance (Monad governor, timelock, ProtocolParams; the Solana receiver takes the admin roles)",
        deploy_governance,
    ),
    ("wBOLT holders vote a lower fee and a higher SENTINEL threshold; Solana applies it", govern),
    ("worker rewards: post and claim epoch 0; the distribution", rewards_epoch),
]


def run_demo(options: DemoOptions, *, keep_running: bool = False) -> dict[str, Any]:
    """Run every stage; local chains and the store close when it returns or fails."""
    options.out.mkdir(parents=True, exist_ok=True)
    state = DemoState(options, Progress(len(STAGES)), random.Random(options.seed))
    with ExitStack() as stack:
        for title, stage in STAGES:
            with state.progress.step(title):
                stage(state, stack)
        print_report(state)
        if keep_running:
            click.echo("chains keep running; Ctrl-C (or SIGTERM) stops them", err=True)
            stop = threading.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):  # explicit: a background job inherits SIGINT ignored
                signal.signal(signum, lambda *_: stop.set())
            stop.wait()
    return state.report
