"""Helpers the tests import (``pythonpath = tests`` in pyproject.toml)."""

from __future__ import annotations

from typing import Any

import nacl.signing

from dispatch_chain.receipts import Receipt, SignedReceipt, output_hash_of, sign_receipt


def make_worker(seed: int) -> nacl.signing.SigningKey:
    """A deterministic worker key for tests."""
    return nacl.signing.SigningKey(seed.to_bytes(32, "big"))


def make_signed(worker: nacl.signing.SigningKey, job_id: str, **overrides: Any) -> SignedReceipt:
    """A valid signed receipt for ``worker``."""
    receipt = Receipt.create(
        job_id=job_id,
        provider_key=bytes(worker.verify_key),
        output_hash=overrides.pop("output_hash", output_hash_of(job_id.encode())),
        completed_at=overrides.pop("completed_at", "2026-02-10T12:00:00.000Z"),
        payment_ref=overrides.pop("payment_ref", None),
    )
    return sign_receipt(receipt, worker)


def dev_network(rpc_url: str, chain_id: int = 31337):
    """An EvmNetwork for a local test node: no confirmations, fast polling."""
    from dispatch_chain.config import EvmNetwork

    return EvmNetwork(rpc_url=rpc_url, chain_id=chain_id, confirmations=0, poll_interval=0.02)


def anchored_batch_count(backend) -> int:
    """How many batches an EvmReceiptAnchor's contract holds, from its BatchAnchored logs.

    ReceiptAnchor keeps no counter (batch ids are the roots' top 48 bits), so tests count
    the events; each log's root is checked against the contract's own record.
    """
    from dispatch_chain.evm.anchor import BATCH_ANCHORED_TOPIC

    logs = backend.client.get_logs({"address": backend.address, "topics": [BATCH_ANCHORED_TOPIC]}, 0)
    roots = {bytes(log["topics"][2]) for log in logs}
    assert len(roots) == len(logs), "a root anchored twice"
    assert all(backend.record_of(root).id != 0 for root in roots)
    return len(logs)


class DroppingProxy:
    """A JSON-RPC HTTP proxy that drops a share of requests, before or after the node sees them.

    Dropping *after* forwarding is the nasty case: the node acted (say, accepted
    a transaction) but the client saw only a failure.
    """

    def __init__(self, target: str, drop_rate: float, seed: int = 7) -> None:
        import http.server
        import json
        import random
        import threading
        import urllib.request

        rng = random.Random(seed)
        lock = threading.Lock()
        self.dropped = 0
        self.dropped_methods: dict[str, int] = {}
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    roll = rng.random()
                try:
                    decoded = json.loads(body)
                    calls = decoded if isinstance(decoded, list) else [decoded]  # a batch counts each call
                    methods = [str(call.get("method", "?")) for call in calls]
                except (ValueError, AttributeError):
                    methods = ["?"]

                def count_drop() -> None:
                    with lock:
                        proxy.dropped += 1
                        for method in methods:
                            proxy.dropped_methods[method] = proxy.dropped_methods.get(method, 0) + 1

                if roll < drop_rate / 2:  # dropped before the node sees it
                    count_drop()
                    self.send_error(502, "dropped by test proxy")
                    return
                request = urllib.request.Request(target, body, {"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=30) as response:
                    answer = response.read()
                if roll < drop_rate:  # the node acted, the client never hears
                    count_drop()
                    self.send_error(503, "dropped by test proxy after forwarding")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "DroppingProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def kill_until_done(command: list[str], *, env: dict[str, str], rng, cwd=None, attempts: int = 80,
                    window: tuple[float, float] = (1.0, 4.0)) -> int:
    """Run ``command`` and SIGKILL its process group after a random time in ``window``.

    Restarts until one run exits on its own (it must exit 0); returns how many
    times it was killed. Fails the test if it never finishes in ``attempts``.
    """
    import os
    import signal
    import subprocess

    import pytest

    kills = 0
    for _ in range(attempts):
        proc = subprocess.Popen(command, env=env, cwd=cwd, start_new_session=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            out, _ = proc.communicate(timeout=rng.uniform(*window))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            kills += 1
            continue
        assert proc.returncode == 0, out.decode()
        return kills
    pytest.fail(f"{command[:4]}... never finished in {attempts} attempts")
