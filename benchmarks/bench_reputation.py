"""ERC-8004 reputation: pipelined feedback throughput, gas, and scoring 1,000 workers.

1. Feedback transactions per second through the pipelined sender against anvil
   with 1 s blocks (a realistic block time), and its ratio to sending one at a
   time and waiting for each receipt, measured in the same run (aim >= 10x);
   and feedbacks per block against the chain's capacity, the block gas limit
   divided by the gas of one giveFeedback (aim >= 50 %).
2. Gas per giveFeedback and per worker registration.
3. Time to score 1,000 workers with summaries uncached (JSON-RPC batches) and
   cached, and the RPC requests used, against one getSummary request per worker.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import deploy_local, figure, header

from dispatch_chain.config import EvmNetwork
from dispatch_chain.deployments import load_manifest
from dispatch_chain.erc8004 import feedback
from dispatch_chain.erc8004.feedback import FeedbackWriter
from dispatch_chain.erc8004.identity import IdentityRegistryClient, IdentityResolver
from dispatch_chain.erc8004.reader import ReputationReader
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.outbox import Outbox
from dispatch_chain.evm.pipeline import PipelineConfig, TxPipeline
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil
from dispatch_chain.protocol import Tier
from dispatch_chain.scoring import worker_score

from support import make_signed, make_worker

WINDOW = 512  # two blocks' worth of feedback in flight, so the node's pool never runs dry


def setup(anvil: Anvil, tmp: Path, workers: int):
    manifest = tmp / "manifest.json"
    deploy_local(anvil.url, manifest)
    contracts = load_manifest(manifest).require_evm().contracts
    client = EvmClient(EvmNetwork(rpc_url=anvil.url, chain_id=31337, confirmations=0, poll_interval=0.05))
    identity = IdentityRegistryClient(client, contracts["IdentityRegistry"].address)
    keys = [make_worker(1000 + i) for i in range(workers)]
    registration_gas = []
    resolver = IdentityResolver(identity, tmp / "identity.sqlite")
    for n, key in enumerate(keys):
        registration = identity.register_worker(key, dev_account(2 + n % 5))
        resolver.claim(bytes(key.verify_key), registration.agent_id)  # what each worker tells the coordinator
        if n < 5:
            registration_gas.append(int(client.w3.eth.get_transaction_receipt(registration.tx)["gasUsed"]))
    return client, contracts["ReputationRegistry"].address, keys, resolver, registration_gas


def pipeline_for(client, registry, resolver, outbox) -> TxPipeline:
    coordinator = dev_account(1)
    handlers = feedback.handlers(client, registry, resolver, outbox, coordinator.address)
    return TxPipeline(client, coordinator, outbox, handlers, PipelineConfig(window=WINDOW, idle_sleep=0.05))


def throughput(args, tmp: Path) -> None:
    with Anvil(block_time=1) as anvil:
        client, registry, keys, resolver, registration_gas = setup(anvil, tmp, 5)
        contract = client.contract("ReputationRegistry", registry)
        coordinator = TxSender(client, dev_account(1))

        started = time.perf_counter()
        gas = []
        for i in range(args.sequential):
            signed = make_signed(keys[i % 5], f"seq-{i}")
            agent = resolver.resolve(signed.receipt.provider_key)
            call = contract.functions.giveFeedback(
                agent, 8000, 2, "dispatch-compute", "COMPUTE", "http://c", "", signed.receipt.receipt_hash()
            )
            prepared = coordinator.prepare(call, contract="ReputationRegistry")
            coordinator.broadcast(prepared)
            gas.append(int(coordinator.wait(prepared.tx_hash)["gasUsed"]))
        sequential = args.sequential / (time.perf_counter() - started)

        with Outbox(tmp / "outbox.sqlite") as outbox:
            writer = FeedbackWriter(outbox, "http://c")
            for i in range(args.pipelined):
                writer.record_job(make_signed(keys[i % 5], f"pipe-{i}"), success=True)
            started = time.perf_counter()
            stats = pipeline_for(client, registry, resolver, outbox).drain(timeout=600)
            pipelined = stats.done / (time.perf_counter() - started)
            blocks = [int(item.result["block"]) for item in outbox.items(status="done")]
        gas_limit = int(client.w3.eth.get_block("latest")["gasLimit"])

    feedback_gas = sorted(gas[5:])[len(gas[5:]) // 2]
    bound = gas_limit // feedback_gas
    per_block = {b: blocks.count(b) for b in range(min(blocks), max(blocks) + 1)}
    inner = [per_block[b] for b in sorted(per_block)[1:-1]] or list(per_block.values())  # full blocks only
    header("feedback throughput (anvil, 1 s blocks)")
    figure(f"one at a time, waiting for each receipt ({args.sequential} tx, baseline)", f"{sequential:>8.2f} tx/s")
    figure(f"pipelined sender, window {WINDOW} ({args.pipelined} tx)", f"{pipelined:>8.2f} tx/s")
    figure("ratio (aim >= 10x)", f"{pipelined / sequential:>8.1f}x")
    figure(f"chain capacity: block gas limit {gas_limit:,} / {feedback_gas:,} gas", f"{bound:>8} feedbacks/block")
    figure(
        f"pipelined: feedbacks per block over {len(per_block)} blocks (first and last left out)",
        f"{sum(inner) / len(inner):>8.1f} feedbacks/block",
    )
    figure("share of the chain's capacity (aim >= 50 %)", f"{100 * sum(inner) / len(inner) / bound:>8.1f} %")
    header("gas")
    figure("giveFeedback (first for its client/agent pair)", f"{gas[0]:>8,} gas")
    figure("giveFeedback (later ones, median)", f"{sorted(gas[5:])[len(gas[5:]) // 2]:>8,} gas")
    figure("register(uri, metadata) with the ed25519 binding", f"{sorted(registration_gas)[2]:>8,} gas")


def scoring(args, tmp: Path) -> None:
    with Anvil() as anvil:
        client, registry, keys, resolver, _ = setup(anvil, tmp, args.workers)
        with Outbox(tmp / "outbox-score.sqlite") as outbox:
            writer = FeedbackWriter(outbox, "http://c")
            for i, key in enumerate(keys):
                writer.record_job(make_signed(key, f"score-{i}"), success=i % 4 != 0)
            pipeline_for(client, registry, resolver, outbox).drain(timeout=600)
        coordinator = dev_account(1).address
        pubkeys = [bytes(k.verify_key) for k in keys]

        def score_all(reader: ReputationReader) -> float:
            agents = resolver.resolve_many(pubkeys)
            summaries = reader.summaries(agents.values())
            return sum(
                worker_score(policy_match=True, heartbeat_age=5, reputation=summaries[a].score, tier=Tier.OPEN).total
                for a in agents.values()
            )

        contract = client.contract("ReputationRegistry", registry)
        started = time.perf_counter()
        for key in pubkeys:
            contract.functions.getSummary(resolver.cached(key), [coordinator], "dispatch-compute", "COMPUTE").call()
        one_by_one = time.perf_counter() - started

        reader = ReputationReader(client, registry, [coordinator], ttl=60)
        started = time.perf_counter()
        score_all(reader)
        uncached = time.perf_counter() - started
        requests_uncached = reader.rpc_requests
        started = time.perf_counter()
        score_all(reader)
        cached = time.perf_counter() - started

    n = args.workers
    header(f"scoring {n:,} workers (resolver cache warm)")
    figure(f"one getSummary request per worker ({n} requests, baseline)", f"{one_by_one * 1000:>8.0f} ms")
    figure(
        f"uncached: JSON-RPC batches ({requests_uncached} requests)",
        f"{uncached * 1000:>8.0f} ms  ({one_by_one / uncached:.1f}x faster)",
    )
    figure("cached summaries (0 requests)", f"{cached * 1000:>8.1f} ms  ({one_by_one / cached:.0f}x faster)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sequential", type=int, default=15)
    parser.add_argument("--pipelined", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        throughput(args, Path(tmp))
        scoring(args, Path(tmp))


if __name__ == "__main__":
    main()
