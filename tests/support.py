"""Helpers the tests import (``pythonpath = tests`` in pyproject.toml)."""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any

import nacl.signing

from dispatch_chain.receipts import Receipt, SignedReceipt, output_hash_of, sign_receipt
from dispatch_chain.settings import Settings, variable

#: The seed random tests use in CI (``CI=true``), so a CI run is the same every time.
CI_SEED = 20261201
SEED_VARIABLE = variable("test_seed")  # DISPATCH_TEST_SEED


def choose_seed(env: dict[str, str]) -> tuple[int, str]:
    """``(seed, where it came from)``: $DISPATCH_TEST_SEED if set, else fixed in CI (CI=true), else fresh."""
    given = (Settings.from_env(env).test_seed or "").strip()
    if given:
        try:
            seed = int(given)
        except ValueError:
            raise ValueError(f"{SEED_VARIABLE}={given!r} is not an integer") from None
        source = f"from {SEED_VARIABLE}"
    elif env.get("CI", "").lower() in ("true", "1"):
        seed, source = CI_SEED, "fixed in CI"
    else:
        seed, source = time.time_ns() % 1_000_000, "fresh"
    return seed, source


_SESSION_SEED: list[tuple[int, str]] = []  # chosen once per test process (the report header shows it)


def session_seed() -> tuple[int, str]:
    if not _SESSION_SEED:
        _SESSION_SEED.append(choose_seed(dict(os.environ)))
    return _SESSION_SEED[0]


def random_seed() -> int:
    """The seed of a randomised test (see :func:`choose_seed`), printed with how to replay it.

    pytest shows the print with a failure's captured output; the session's
    report header shows it too.
    """
    seed, source = session_seed()
    print(f"random seed {seed} ({source}); replay with {SEED_VARIABLE}={seed}", flush=True)
    return seed


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

    def __enter__(self) -> DroppingProxy:
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


class RpcProxy:
    """A real JSON-RPC HTTP proxy in front of a node, on a free loopback port (not a chain mock).

    * ``max_log_range``: refuses ``eth_getLogs`` spanning more blocks, with the error a public Monad
      RPC returns (-32602 "block range too large"), and records every range it was asked for;
    * ``down()`` / ``up()``: while down, every connection is dropped without an answer, as when the
      node or its load balancer restarts (the chain's state is untouched and comes back with it).
    """

    def __init__(self, target: str, *, max_log_range: int | None = None) -> None:
        import http.server
        import json
        import socket
        import threading
        import urllib.request

        self.target = target
        self.max_log_range = max_log_range
        self.log_ranges: list[tuple[int, int]] = []
        self.refused_ranges = 0
        self.dropped = 0
        self.requests = 0
        self._down = threading.Event()
        lock = threading.Lock()
        proxy = self

        def head() -> int:
            body = json.dumps({"jsonrpc": "2.0", "id": 0, "method": "eth_blockNumber", "params": []}).encode()
            request = urllib.request.Request(target, body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(json.loads(response.read())["result"], 16)

        def block(value: object) -> int:
            if isinstance(value, str) and value.startswith("0x"):
                return int(value, 16)
            return head()  # "latest", "pending", missing

        def refusal(call: dict) -> dict | None:
            if call.get("method") != "eth_getLogs" or proxy.max_log_range is None:
                return None
            params = (call.get("params") or [{}])[0]
            start, end = block(params.get("fromBlock", "latest")), block(params.get("toBlock", "latest"))
            with lock:
                proxy.log_ranges.append((start, end))
            if end - start + 1 <= proxy.max_log_range:
                return None
            with lock:
                proxy.refused_ranges += 1
            return {"jsonrpc": "2.0", "id": call.get("id"), "error": {
                "code": -32602, "message": f"block range too large: eth_getLogs is limited to a"
                                           f" {proxy.max_log_range} block range"}}

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    proxy.requests += 1
                if proxy._down.is_set():
                    with lock:
                        proxy.dropped += 1
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                try:
                    calls = json.loads(body)
                except ValueError:
                    calls = None
                answer: bytes | None = None
                if isinstance(calls, dict):
                    refused = refusal(calls)
                    if refused is not None:
                        answer = json.dumps(refused).encode()
                elif isinstance(calls, list) and any(refusal(c) for c in calls if isinstance(c, dict)):
                    answer = json.dumps([refusal(c) or {"jsonrpc": "2.0", "id": c.get("id"), "error": {
                        "code": -32602, "message": "batch refused"}} for c in calls]).encode()
                if answer is None:
                    request = urllib.request.Request(target, body, {"Content-Type": "application/json"})
                    try:
                        with urllib.request.urlopen(request, timeout=30) as response:
                            answer = response.read()
                    except OSError:  # the node itself is gone: drop the connection like it would
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def down(self) -> None:
        self._down.set()

    def up(self) -> None:
        self._down.clear()

    def __enter__(self) -> RpcProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def deploy_contract(client, contract_type, *args, deployer=None) -> str:
    """Deploy an ape ``contract_type`` with web3 from a dev account; returns its address."""
    from dispatch_chain.keys import dev_account

    deployer = deployer or dev_account(0)
    factory = client.w3.eth.contract(abi=[a.model_dump(mode="json", by_alias=True) for a in contract_type.abi],
                                     bytecode=contract_type.deployment_bytecode.bytecode)
    tx = factory.constructor(*args).build_transaction(
        {"from": deployer.address, "nonce": client.w3.eth.get_transaction_count(deployer.address)})
    tx_hash = client.w3.eth.send_raw_transaction(deployer.sign_transaction(tx).raw_transaction)
    return client.w3.eth.wait_for_transaction_receipt(tx_hash)["contractAddress"]


def sign_permit(token_name: str, chain_id: int, token: str, owner: Any, spender: str, value: int, nonce: int,
                deadline: int) -> tuple[int, bytes, bytes]:
    """``(v, r, s)`` of ``owner``'s EIP-2612 permit for ``spender`` on the token named ``token_name`` (version 1)."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    typed = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            "Permit": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
                       {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
                       {"name": "deadline", "type": "uint256"}],
        },
        "primaryType": "Permit",
        "domain": {"name": token_name, "version": "1", "chainId": chain_id, "verifyingContract": token},
        "message": {"owner": owner.address, "spender": spender, "value": value, "nonce": nonce, "deadline": deadline},
    }
    signed = Account.sign_message(encode_typed_data(full_message=typed), owner.key)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
