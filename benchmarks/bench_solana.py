"""Solana economic layer through the local node (dispatch-solana-node, programs native).

1. Stake-tier lookup for 1,000 workers: the TierReader (getMultipleAccounts in
   chunks of 100) against reading one account per call, in the same run:
   RPC calls used and time (aim <= 10 calls, >= 20x faster), for the first
   read (PDAs derived on both sides) and a refresh after the TTL (addresses
   known on both sides). The staking config (tier thresholds) rides along in
   the first call once per TTL, so it costs no extra call.
2. Settlements per second (settle with the 5 % burn, confirmed one by one),
   against plain SPL transfers sent the same way as the baseline.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from common import figure, header
from solders.keypair import Keypair

from dispatch_chain.config import SolanaNetwork
from dispatch_chain.localnet import SolanaNode
from dispatch_chain.protocol import BOLT, DISTRIBUTION
from dispatch_chain.solana.bolt import transfer
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.deploy import ProgramSettings, deploy_bolt, init_programs
from dispatch_chain.solana.programs import PROGRAMS, SETTLEMENT, STAKING, AnchorProgram, error_tables
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
        programs = [AnchorProgram.load(name) for name in PROGRAMS]
        client = SolanaClient(SolanaNetwork(rpc_url=node.url), idl_errors=error_tables(programs))
        admin, mint = Keypair(), Keypair()
        owners = {name: Keypair() for name, _ in DISTRIBUTION}
        for keypair in (admin, *owners.values()):
            client.airdrop(keypair.pubkey(), 10 * SOL)
        deploy_bolt(client, admin, mint, {n: k.pubkey() for n, k in owners.items()},
                    manifest=Path(tmp) / "m.json", network="local", progress=lambda m: None)
        init_programs(client, admin, mint.pubkey(), program_ids={}, anchorers=[], settings=ProgramSettings(),
                      manifest=Path(tmp) / "m.json", network="local", progress=lambda m: None)
        staking = StakingClient(client, AnchorProgram.load(STAKING))
        settlement = SettlementClient(client, AnchorProgram.load(SETTLEMENT))

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
        figure(f"first read: one getAccountInfo per worker ({args.workers} calls, baseline)",
               f"{one_by_one * 1000:>8.0f} ms")
        figure(f"first read: TierReader, getMultipleAccounts x100 ({calls} calls, aim <= 10)",
               f"{batched * 1000:>8.0f} ms  ({one_by_one / batched:.0f}x faster, aim >= 20x)")
        figure(f"refresh after TTL: one getAccountInfo per worker ({args.workers} calls, baseline)",
               f"{one_by_one_known * 1000:>8.0f} ms")
        figure(f"refresh after TTL: TierReader ({calls} calls)",
               f"{refresh * 1000:>8.0f} ms  ({one_by_one_known / refresh:.0f}x faster)")
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
        for n in range(args.settlements):
            settlement.settle(coordinator, f"bench-{n}", payee, BOLT + n, os.urandom(32))
        settlements = args.settlements / (time.perf_counter() - started)
        header(f"settlement throughput ({args.settlements} each, sent and confirmed one at a time)")
        figure("SPL transfer_checked (baseline)", f"{transfers:>8.1f} tx/s")
        figure("settle: record + transfer + 5 % burn", f"{settlements:>8.1f} tx/s ({settlements / transfers:.2f}x)")


if __name__ == "__main__":
    main()
