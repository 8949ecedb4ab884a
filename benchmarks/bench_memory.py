"""Peak memory of verifying plus anchoring 100k receipts, and whether anything grows with history.

A coordinator's anchoring loop on anvil (automine): job_complete messages come
in chunks of 10k; each chunk is verified (all cores), stored, cut into batches
of 1,024 and anchored on ReceiptAnchor. Printed: the process's resident memory
before the work (receipts generated, chain up), its peak (ru_maxrss; the
verification threads are part of it), and per chunk the time and resident memory. The
baseline is the first chunk: a store that scans its history, or a leak, makes
the last chunk slower or bigger than the first.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from common import deploy_local, figure, header

from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.config import EvmNetwork
from dispatch_chain.deployments import load_manifest
from dispatch_chain.evm.anchor import EvmReceiptAnchor
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil

from support import make_signed, make_worker


def rss_mib() -> float:
    """Current resident memory of this process."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--receipts", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    args = parser.parse_args()

    workers = [make_worker(i + 1) for i in range(50)]
    messages = []
    for i in range(args.receipts):
        s = make_signed(workers[i % 50], f"mem-{i}")
        messages.append(
            {
                "type": "job_complete",
                "job_id": s.receipt.job_id,
                "output": {},
                "output_hash": s.receipt.output_hash,
                "receipt": s.receipt.to_dict(),
                "receipt_signature": s.signature_text,
            }
        )

    with tempfile.TemporaryDirectory() as tmp, Anvil() as anvil:
        manifest = Path(tmp) / "local.json"
        deploy_local(anvil.url, manifest)
        address = load_manifest(manifest).require_evm().contract("ReceiptAnchor").address
        client = EvmClient(EvmNetwork(rpc_url=anvil.url, chain_id=31337, confirmations=0, poll_interval=0.01))
        backend = EvmReceiptAnchor(client, address, sender=TxSender(client, dev_account(0)))
        before = rss_mib()
        rows = []
        with ReceiptStore(Path(tmp) / "anchoring.sqlite") as store:
            service = AnchoringService(
                store, [backend], BatchPolicy(max_size=1024, max_age=3600), progress=lambda message: None
            )
            for start in range(0, args.receipts, args.chunk):
                began = time.perf_counter()
                report = service.submit(messages[start : start + args.chunk])
                assert not report.invalid
                service.cut_due_batches(flush=True)
                summary = service.run_once()
                assert not summary.errors, summary.errors
                rows.append((start + args.chunk, time.perf_counter() - began, rss_mib()))
            stats = store.stats()
        assert stats["receipts"] == args.receipts and stats["pending_receipts"] == 0

    header(f"memory: verifying and anchoring {args.receipts:,} receipts (chunks of {args.chunk:,}, batches of 1,024)")
    figure("resident before (inputs generated, chain up)", f"{before:>8.0f} MiB")
    figure("peak of this process (ru_maxrss)", f"{peak_mib(resource.RUSAGE_SELF):>8.0f} MiB")
    figure(f"{stats['batches']} batches anchored; per chunk: receipts anchored so far", "  seconds  resident")
    for done, seconds, resident in rows:
        figure(f"  {done:>7,}", f"{seconds:>8.2f} s {resident:>5.0f} MiB")
    first, last = rows[0], rows[-1]
    figure("last chunk / first chunk (baseline): time", f"{last[1] / first[1]:>8.2f}x")
    figure("resident growth from the first to the last chunk", f"{last[2] - first[2]:>+8.0f} MiB")


if __name__ == "__main__":
    main()
