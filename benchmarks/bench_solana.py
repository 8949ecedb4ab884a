"""Solana economic layer through the local node (dispatch-solana-node running the programs' SBF builds).

1. Stake-tier lookup for 1,000 workers: the TierReader (getMultipleAccounts in
   chunks of 100) against reading one account per call, in the same run:
   RPC calls used and time (aim <= 10 calls, >= 20x faster), for the first
   read (PDAs derived on both sides) and a refresh after the TTL (addresses
   known on both sides). The staking config (tier thresholds) rides along in
   the first call once per TTL, so it costs no extra call.
2. Settlements per second (settle with the 5 % burn, confirmed one by one),
   against plain SPL transfers sent the same way as the baseline, and the
   compute units the node metered for each (SBF execution; the programs no
   longer run natively anywhere, so there is no native figure to compare).
3. Compute units of every instruction on the SBF build, typical and worst
   case (the Rust test svm/tests/compute_budgets.rs measures them in LiteSVM
   and checks them against the budgets of docs/solana-programs.md).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

from common import REPO, figure, header
from solders.keypair import Keypair
from solders.signature import Signature

from dispatch_chain.config import SolanaNetwork
from dispatch_chain.localnet import SolanaNode
from dispatch_chain.protocol import BOLT, DISTRIBUTION
from dispatch_chain.solana.bolt import transfer
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.deploy import ProgramSettings, deploy_bolt, init_programs
from dispatch_chain.solana.programs import PROGRAMS, SETTLEMENT, STAKING, IdlProgram, error_tables
from dispatch_chain.solana.settlement import SettlementClient
from dispatch_chain.solana.staking import StakingClient, TierReader

SOL = 1_000_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=1000)
    parser.add_argument("--staked", type=int, default=60, help="how many of the workers hold a stake account")
    parser.add_argument("--settlements", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, SolanaNode(log_path=Path(tmp) / "node.log") as node:
        programs = [IdlProgram.load(name) for name in PROGRAMS]
        client = SolanaClient(SolanaNetwork(rpc_url=node.url), idl_errors=error_tables(programs))
        admin, mint = node.deployer, Keypair()  # the programs' upgrade authority initialises them
        owners = {name: Keypair() for name, _ in DISTRIBUTION}
        for keypair in owners.values():
            client.airdrop(keypair.pubkey(), 10 * SOL)
        deploy_bolt(
            client,
            admin,
            mint,
            {n: k.pubkey() for n, k in owners.items()},
            manifest=Path(tmp) / "m.json",
            network="local",
            progress=lambda m: None,
        )
        init_programs(
            client,
            admin,
            mint.pubkey(),
            program_ids={},
            anchorers=[],
            settings=ProgramSettings(),
            manifest=Path(tmp) / "m.json",
            network="local",
            progress=lambda m: None,
        )
        staking = StakingClient(client, IdlProgram.load(STAKING))
        settlement = SettlementClient(client, IdlProgram.load(SETTLEMENT))

        workers = [Keypair() for _ in range(args.workers)]
        for n, worker in enumerate(workers[: args.staked]):
            client.airdrop(worker.pubkey(), SOL)
            transfer(client, owners["worker_rewards"], worker.pubkey(), (n % 3) * 600 * BOLT + 50 * BOLT, mint.pubkey())
            staking.stake(worker, (n % 3) * 600 * BOLT + 50 * BOLT)
        keys = [w.pubkey() for w in workers]

        # First read: each side derives the 1,000 stake PDAs as part of the work.
        started = time.perf_counter()
        for key in keys:
            client.rpc.get_account_info(staking.stake_address(key))
        one_by_one = time.perf_counter() - started
        reader = TierReader(staking, ttl=60)
        reader.tiers(keys[:1])  # the config (thresholds), read once per TTL: it changes only by governance
        reader.invalidate_stakes()
        before = client.rpc_requests
        started = time.perf_counter()
        tiers = reader.tiers(keys)
        batched = time.perf_counter() - started
        calls = client.rpc_requests - before

        # Refresh after the TTL: both sides already know the addresses.
        addresses = [staking.stake_address(key) for key in keys]
        started = time.perf_counter()
        for address in addresses:
            client.rpc.get_account_info(address)
        one_by_one_known = time.perf_counter() - started
        reader.invalidate_stakes()
        started = time.perf_counter()
        reader.tiers(keys)
        refresh = time.perf_counter() - started
        started = time.perf_counter()
        reader.tiers(keys)
        cached = time.perf_counter() - started
        counts = {t.name: sum(1 for v in tiers.values() if v is t) for t in set(tiers.values())}

        header(f"stake tiers of {args.workers:,} workers ({args.staked} staked: {counts})")
        figure(
            f"first read: one getAccountInfo per worker ({args.workers} calls, baseline)",
            f"{one_by_one * 1000:>8.0f} ms",
        )
        figure(
            f"first read: TierReader, getMultipleAccounts x100 ({calls} calls, aim <= 10)",
            f"{batched * 1000:>8.0f} ms  ({one_by_one / batched:.0f}x faster, aim >= 20x)",
        )
        figure(
            f"refresh after TTL: one getAccountInfo per worker ({args.workers} calls, baseline)",
            f"{one_by_one_known * 1000:>8.0f} ms",
        )
        figure(
            f"refresh after TTL: TierReader ({calls} calls)",
            f"{refresh * 1000:>8.0f} ms  ({one_by_one_known / refresh:.0f}x faster)",
        )
        figure("TierReader within TTL (cached, 0 calls)", f"{cached * 1000:>8.1f} ms")

        coordinator = Keypair()
        client.airdrop(coordinator.pubkey(), 100 * SOL)
        transfer(client, owners["community"], coordinator.pubkey(), 1_000_000 * BOLT, mint.pubkey())
        payee = Keypair().pubkey()
        transfer(client, coordinator, payee, 1, mint.pubkey())  # creates the payee's token account
        started = time.perf_counter()
        for n in range(args.settlements):  # amounts differ: identical transactions would be AlreadyProcessed
            transfer(client, coordinator, payee, BOLT + n, mint.pubkey())
        transfers = args.settlements / (time.perf_counter() - started)
        started = time.perf_counter()
        records = [
            settlement.settle(coordinator, f"bench-{n}", payee, BOLT + n, os.urandom(32))
            for n in range(args.settlements)
        ]
        settlements = args.settlements / (time.perf_counter() - started)
        units = [_units(client, r.signature) for r in records[:20] if r.signature]
        header(f"settlement throughput ({args.settlements} each, sent and confirmed one at a time, SBF)")
        figure("SPL transfer_checked (baseline)", f"{transfers:>8.1f} tx/s")
        figure("settle: record + transfer + 5 % burn", f"{settlements:>8.1f} tx/s ({settlements / transfers:.2f}x)")
        figure(
            "settle transaction, CU metered by the node (20 sampled)",
            f"{min(units):,} to {max(units):,} CU (limit set by the client from the budgets)",
        )

    header("compute units per instruction, SBF build (svm/tests/compute_budgets.rs)")
    for program, instruction, typical, worst in _cu_table():
        figure(f"{program} {instruction}", f"typical {typical:>7,} CU   worst {worst:>7,} CU")


def _units(client: SolanaClient, signature: str) -> int:
    tx = client.rpc.get_transaction(Signature.from_string(signature), max_supported_transaction_version=0).value
    assert tx is not None and tx.transaction.meta is not None
    return int(tx.transaction.meta.compute_units_consumed)


def _cu_table() -> list[tuple[str, str, int, int]]:
    """Runs the Rust compute-budget test and reads the table it prints."""
    proc = subprocess.run(
        [
            "cargo",
            "test",
            "--locked",
            "--quiet",
            "-p",
            "dispatch-svm",
            "--test",
            "compute_budgets",
            "every_instruction",
            "--",
            "--nocapture",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = re.findall(r"^\| (dispatch_\w+) \| `(\w+)` \| (\d+) \| (\d+) \|", proc.stdout, re.MULTILINE)
    return [(p, i, int(t), int(w)) for p, i, t, w in rows]


if __name__ == "__main__":
    main()
