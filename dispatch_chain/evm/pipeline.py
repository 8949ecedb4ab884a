"""A pipelined transaction sender draining an :class:`Outbox` from one account.

Many transactions are in flight at once: nonces are assigned locally, each
signed transaction is committed to the outbox before it is broadcast, and one
``eth_getTransactionCount(latest)`` per pass tells which nonces have been
mined, so only those receipts are fetched. A transaction still unmined after
``replace_after`` seconds is replaced with the same nonce and bumped fees.
Transport failures (an RPC that drops requests) back off and retry; nothing is
lost because the outbox holds the work.

Exactly once: an inflight item is only re-queued when its nonce is mined by a
transaction that is none of its own, that state persists for ``foreign_grace``
seconds, and its handler finds no trace of it on chain (events). After a crash
:meth:`TxPipeline.start` first reconciles queued items with the chain, then
re-broadcasts every stored inflight transaction, then resumes.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError, TimeExhausted, TransactionNotFound, Web3RPCError
from web3.types import TxReceipt

try:  # web3's own formatter of eth_getTransactionReceipt results, for receipts fetched in batches
    from web3._utils.method_formatters import receipt_formatter
except ImportError:  # pragma: no cover - a web3 without it: receipts stay as the node sent them

    def receipt_formatter(value: Any) -> Any:
        return value


from dispatch_chain.errors import ChainError
from dispatch_chain.evm.abi import decode_custom_error
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.outbox import Outbox, OutboxItem, SentTx
from dispatch_chain.evm.signing import Eip1559Signer, call_data
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.retry import is_outage

log = logging.getLogger(__name__)

_NONCE_TAKEN = ("nonce too low", "already known", "known transaction", "already imported")
_UNDERPRICED = ("underpriced", "fee too low", "replacement transaction")


def is_transient(exc: BaseException) -> bool:
    """Errors worth retrying: the RPC dropped, timed out, answered garbage or an error (not a revert)."""
    if isinstance(exc, (ContractLogicError, TransactionNotFound)):
        return False
    if isinstance(exc, (requests.RequestException, ConnectionError, TimeoutError, TimeExhausted)):
        return True
    name = type(exc).__name__
    transient = {"ProviderConnectionError", "JSONDecodeError", "RemoteDisconnected", "IncompleteRead"}
    return name in transient or is_outage(exc)


class ItemNotReady(Exception):
    """Raised by a handler's ``build``: keep the item queued and retry later (e.g. worker not registered yet)."""


class ItemSettled(Exception):
    """Raised by a handler's ``build``: nothing to send, the item is done with ``result``."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__("settled without a transaction")
        self.result = result


@dataclass(frozen=True, slots=True)
class CallSpec:
    """The contract call an item stands for, and the ABI to decode its reverts with."""

    contract: str
    function: ContractFunction
    gas: int | None = None  # skip estimation (known cost); None estimates and catches reverts early


class ItemHandler(Protocol):
    """What a kind of outbox item means on chain."""

    def build(self, item: OutboxItem) -> CallSpec:
        """The call to make for ``item``; may raise :class:`ItemNotReady` or :class:`ItemSettled`."""

    def on_mined(self, item: OutboxItem, receipt: TxReceipt) -> dict[str, Any]:
        """The result to store once ``item``'s transaction succeeded (e.g. decoded event fields)."""

    def find_on_chain(self, items: list[OutboxItem]) -> dict[int, dict[str, Any]]:
        """Items already done on chain (from events), by item id, with their results."""


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    window: int = 64  # transactions in flight at most
    rpc_batch: int = 100  # calls per JSON-RPC batch (estimates, broadcasts, receipts); public RPCs cap them
    replace_after: float = 30.0  # seconds unmined before a fee-bumped replacement
    fee_bump: float = 1.25  # nodes require >= +10 %
    foreign_grace: float = 5.0  # seconds a nonce must look taken by a foreign tx before re-queuing
    backoff_base: float = 0.25
    backoff_max: float = 30.0
    idle_sleep: float = 0.1

    def backoff(self, attempts: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * 2 ** max(0, attempts - 1))
        return delay * (0.5 + random.random() / 2)


@dataclass(slots=True)
class PumpStats:
    sent: int = 0
    replaced: int = 0
    done: int = 0
    failed: int = 0
    requeued: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: PumpStats) -> None:
        self.sent += other.sent
        self.replaced += other.replaced
        self.done += other.done
        self.failed += other.failed
        self.requeued += other.requeued
        self.errors.extend(other.errors)


class TxPipeline:
    """Drains an outbox with many transactions in flight from one account."""

    def __init__(
        self,
        client: EvmClient,
        account: LocalAccount,
        outbox: Outbox,
        handlers: Mapping[str, ItemHandler],
        config: PipelineConfig | None = None,
    ) -> None:
        self.client = client
        self.sender = TxSender(client, account)
        self._signer = Eip1559Signer(account, client.network.chain_id)
        self.outbox = outbox
        self.handlers = dict(handlers)
        self.config = config or PipelineConfig()
        self._next_nonce: int | None = None
        self._foreign_since: dict[int, float] = {}
        self._unbroadcast: set[str] = set()
        self._started = False
        self._pause_until = 0.0
        self._rpc_failures = 0

    @property
    def address(self) -> ChecksumAddress:
        return self.sender.address

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Claim the outbox, reconcile with the chain, re-send what was signed, sync the nonce."""
        if self._started:
            return
        self.outbox.claim_sender()
        self._reconcile_queued()
        inflight = self.outbox.inflight()
        for item in inflight:
            for tx in item.txs:
                self._broadcast(tx, PumpStats())
        chain_pending = self.client.w3.eth.get_transaction_count(self.address, "pending")
        highest = max((item.nonce for item in inflight if item.nonce is not None), default=-1)
        self._next_nonce = max(chain_pending, highest + 1)
        self._started = True

    def _reconcile_queued(self) -> None:
        queued = self.outbox.items(status="queued")
        by_kind: dict[str, list[OutboxItem]] = {}
        for item in queued:
            by_kind.setdefault(item.kind, []).append(item)
        for kind, items in by_kind.items():
            for item_id, result in self.handlers[kind].find_on_chain(items).items():
                self.outbox.record_done(item_id, {**result, "reconciled": True})

    def run(self, stop: threading.Event) -> PumpStats:
        """Pump until ``stop`` is set."""
        total = PumpStats()
        while not stop.is_set():  # pump() starts (and retries starting) through RPC outages
            stats = self.pump()
            total.add(stats)
            if not (stats.sent or stats.done or stats.failed):
                stop.wait(self.config.idle_sleep)
        return total

    def drain(self, *, timeout: float = 600.0) -> PumpStats:
        """Pump until the outbox has nothing queued or inflight; raises on timeout."""
        total = PumpStats()
        self.start()
        deadline = time.monotonic() + timeout
        while self.outbox.open_count():
            if time.monotonic() > deadline:
                stuck = [f"{i.key}: {i.last_error}" for i in self.outbox.items(status="queued")[:3]]
                stuck += [f"{i.key}: in flight at nonce {i.nonce}" for i in self.outbox.inflight()[:3]]
                raise ChainError(
                    f"outbox not drained within {timeout:.0f} s: {self.outbox.counts()}; for example {stuck}"
                )
            stats = self.pump()
            total.add(stats)
            if not (stats.sent or stats.done or stats.failed):
                time.sleep(self.config.idle_sleep)
        return total

    # -- one pass -----------------------------------------------------------------------

    def pump(self) -> PumpStats:
        """One pass: settle mined nonces, replace stuck ones, fill the window."""
        stats = PumpStats()
        if time.monotonic() < self._pause_until:
            return stats
        try:
            self.start()
            self._settle(stats)
            self._fill(stats)
            self._rpc_failures = 0
        except Exception as exc:
            if not is_transient(exc):
                raise
            self._rpc_failures += 1
            delay = self.config.backoff(self._rpc_failures)
            self._pause_until = time.monotonic() + delay
            message = f"RPC trouble ({type(exc).__name__}: {exc}); retrying in {delay:.1f} s"
            stats.errors.append(message)
            log.warning("%s", message)
        return stats

    def _settle(self, stats: PumpStats) -> None:
        inflight = self.outbox.inflight()
        if not inflight:
            return
        for tx_hash in list(self._unbroadcast):
            match = next((tx for item in inflight for tx in item.txs if tx.tx_hash == tx_hash), None)
            if match is not None:
                self._broadcast(match, stats)
            else:
                self._unbroadcast.discard(tx_hash)
        mined_below = self.client.w3.eth.get_transaction_count(self.address, "latest")
        now = time.time()
        mined = [item for item in inflight if item.nonce is not None and item.nonce < mined_below]
        receipts = self._receipts([tx.tx_hash for item in mined for tx in item.txs])
        done: list[tuple[int, dict[str, Any]]] = []
        for item in inflight:
            assert item.nonce is not None
            if item.nonce < mined_below:
                self._settle_mined(item, stats, now, receipts, done)
            elif now - item.txs[-1].sent_at > self.config.replace_after:
                self._replace(item, stats)
        if done:
            self.outbox.record_done_many(done)
            stats.done += len(done)

    def _settle_mined(
        self,
        item: OutboxItem,
        stats: PumpStats,
        now: float,
        receipts: Mapping[str, TxReceipt],
        done: list[tuple[int, dict[str, Any]]],
    ) -> None:
        handler = self.handlers[item.kind]
        for tx in reversed(item.txs):
            receipt = receipts.get(tx.tx_hash)
            if receipt is None:
                continue
            self._foreign_since.pop(item.id, None)
            if receipt["status"] == 1:  # recorded with the pass's other successes, in one transaction
                done.append(
                    (
                        item.id,
                        {**handler.on_mined(item, receipt), "tx": tx.tx_hash, "block": int(receipt["blockNumber"])},
                    )
                )
            else:
                call = handler.build(item)
                reason, message = self.sender.revert_reason(call.function, receipt, contract=call.contract)
                self.outbox.record_failed(item.id, message, {"tx": tx.tx_hash, "reason": reason})
                self._on_failed(handler, item, reason, message)
                stats.failed += 1
            return
        # Its nonce is mined, but by none of its transactions.
        first_seen = self._foreign_since.setdefault(item.id, now)
        if now - first_seen < self.config.foreign_grace:
            return
        found = handler.find_on_chain([item])
        if item.id in found:
            self.outbox.record_done(item.id, {**found[item.id], "reconciled": True})
            stats.done += 1
        else:
            self.outbox.requeue(item.id, f"nonce {item.nonce} was used by another transaction")
            stats.requeued += 1
        self._foreign_since.pop(item.id, None)

    @staticmethod
    def _on_failed(handler: ItemHandler, item: OutboxItem, reason: str, message: str) -> None:
        """Tell the handler an item failed for good (optional hook, e.g. to mark a worker unrateable)."""
        hook = getattr(handler, "on_failed", None)
        if hook is not None:
            hook(item, reason, message)

    def _fees(self, bump: float = 1.0) -> dict[str, int]:
        return self.sender.fees(bump)

    def _replace(self, item: OutboxItem, stats: PumpStats) -> None:
        last = item.txs[-1]
        current = self._fees()
        bump = self.config.fee_bump
        fees = {
            "maxFeePerGas": max(int(last.max_fee * bump) + 1, current["maxFeePerGas"]),
            "maxPriorityFeePerGas": max(int(last.tip * bump) + 1, current["maxPriorityFeePerGas"]),
        }
        call = self.handlers[item.kind].build(item)
        prepared = self.sender.prepare(call.function, contract=call.contract, nonce=item.nonce, gas=last.gas, fees=fees)
        tx = SentTx(
            prepared.tx_hash,
            prepared.nonce,
            prepared.raw,
            last.gas,
            fees["maxFeePerGas"],
            fees["maxPriorityFeePerGas"],
            time.time(),
            item.txs[0].block,
        )
        self.outbox.record_sent(item.id, tx)
        self._broadcast(tx, stats)
        stats.replaced += 1

    def _fill(self, stats: PumpStats) -> None:
        """Sign up to a window's worth of ready items and send them, batched end to end.

        Gas estimates go out as one JSON-RPC batch, every signed transaction of the
        pass is committed in one outbox transaction *before* any is broadcast, and
        the broadcasts go out as one JSON-RPC batch: per pass, not per item.
        """
        room = self.config.window - self.outbox.inflight_count()
        if room <= 0:
            return
        ready = self.outbox.ready(room)
        if not ready:
            return
        fees = self._fees()
        head = self.client.w3.eth.block_number  # recorded with each signed tx: recovery reads logs from here
        calls: list[tuple[OutboxItem, CallSpec]] = []
        for item in ready:
            try:
                calls.append((item, self.handlers[item.kind].build(item)))
            except ItemNotReady as wait:
                self.outbox.defer(item.id, str(wait), self.config.backoff(item.attempts + 1))
                stats.errors.append(f"{item.key}: {wait}")
            except ItemSettled as settled:
                self.outbox.record_done(item.id, settled.result)
                stats.done += 1
        datas = [call_data(call.function) for _, call in calls]  # encoded once: estimate and signature
        gases = self._estimate([call for _, call in calls], datas)
        signed: list[tuple[int, SentTx]] = []
        for (item, call), data, gas in zip(calls, datas, gases, strict=True):
            if isinstance(gas, _Revert):
                self.outbox.record_failed(item.id, gas.message, {"reason": gas.reason})
                self._on_failed(self.handlers[item.kind], item, gas.reason, gas.message)
                stats.failed += 1
                continue
            if isinstance(gas, BaseException):
                self.outbox.defer(item.id, f"{type(gas).__name__}: {gas}", self.config.backoff(item.attempts + 1))
                continue
            assert self._next_nonce is not None
            tx = self._sign(call, data, self._next_nonce, gas, fees, head)
            signed.append((item.id, tx))
            self._next_nonce += 1
        if not signed:
            return
        self.outbox.record_sent_many(signed)  # write-ahead: durable before anything is broadcast
        stats.sent += len(signed)
        self._broadcast_many([tx for _, tx in signed], stats)

    def _sign(self, call: CallSpec, data: bytes, nonce: int, gas: int, fees: Mapping[str, int], head: int) -> SentTx:
        """Sign ``call`` (its encoded ``data``) as an EIP-1559 transaction; no RPC. ``head`` is the chain's block
        number when it was signed: crash recovery reads logs from there."""
        signed = self._signer.sign(
            nonce=nonce,
            to=call.function.address,
            data=data,
            gas=gas,
            max_fee=fees["maxFeePerGas"],
            tip=fees["maxPriorityFeePerGas"],
        )
        return SentTx(
            signed.tx_hash,
            nonce,
            signed.raw,
            gas,
            fees["maxFeePerGas"],
            fees["maxPriorityFeePerGas"],
            time.time(),
            head,
        )

    def _batch(self, requests_: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """JSON-RPC responses to ``requests_`` in order: batches of at most ``rpc_batch``,
        one by one where a node refuses batches. Transport errors raise (transient)."""
        provider = self.client.w3.provider
        responses: list[Any] = []  # web3's RPCResponse dicts
        size = self.config.rpc_batch
        for start in range(0, len(requests_), size):
            chunk = requests_[start : start + size]
            # w3.provider is typed BaseProvider, which lacks make_batch_request; ours is an HTTPProvider
            answer = provider.make_batch_request(chunk) if len(chunk) > 1 else None  # type: ignore[attr-defined]
            if isinstance(answer, list) and len(answer) == len(chunk):
                responses.extend(answer)  # web3 orders them by request id
            else:
                responses.extend(provider.make_request(method, params) for method, params in chunk)  # type: ignore[arg-type]  # str, not RPCEndpoint
        return responses

    def _estimate(self, calls: list[CallSpec], datas: list[bytes]) -> list[int | _Revert | BaseException]:
        """Gas for each call (its known gas, else an estimate with margin), or why not."""
        todo = [(n, call) for n, call in enumerate(calls) if call.gas is None]
        out: list[int | _Revert | BaseException] = [call.gas or 0 for call in calls]
        if not todo:
            return out
        requests_ = [
            ("eth_estimateGas", [{"from": self.address, "to": call.function.address, "data": "0x" + datas[n].hex()}])
            for n, call in todo
        ]
        for (n, call), response in zip(todo, self._batch(requests_), strict=True):
            error = response.get("error")
            if error is None:
                out[n] = int(int(response["result"], 16) * self.sender.gas_margin)
            elif "revert" in str(error.get("message", "")).lower() or error.get("data"):
                out[n] = _Revert.of(error, call.contract)
            else:
                out[n] = ChainError(f"eth_estimateGas failed: {error}")
        return out

    def _receipts(self, tx_hashes: list[str]) -> dict[str, TxReceipt]:
        """Receipts of the mined ones among ``tx_hashes``, in one JSON-RPC batch."""
        if not tx_hashes:
            return {}
        found: dict[str, TxReceipt] = {}
        for tx_hash, response in zip(
            tx_hashes, self._batch([("eth_getTransactionReceipt", [h]) for h in tx_hashes]), strict=True
        ):
            if response.get("error") is not None:
                raise ChainError(f"eth_getTransactionReceipt({tx_hash}) failed: {response['error']}")
            if response.get("result"):
                found[tx_hash] = receipt_formatter(response["result"])
        return found

    def _broadcast_many(self, txs: list[SentTx], stats: PumpStats) -> None:
        """Broadcast in one JSON-RPC batch; each answer is judged as :meth:`_broadcast` judges it."""
        if len(txs) == 1:
            self._broadcast(txs[0], stats)
            return
        try:
            responses = self._batch([("eth_sendRawTransaction", ["0x" + tx.raw.hex()]) for tx in txs])
        except Exception as exc:
            if not is_transient(exc):
                raise
            self._unbroadcast.update(tx.tx_hash for tx in txs)  # stored; sent again on the next pass
            stats.errors.append(f"broadcast of {len(txs)} transactions failed ({type(exc).__name__}); will resend")
            return
        for tx, response in zip(txs, responses, strict=True):
            error = response.get("error")
            if error is None:
                self._unbroadcast.discard(tx.tx_hash)
            else:
                self._judge_broadcast_error(tx, str(error.get("message", error)), stats)

    def _broadcast(self, tx: SentTx, stats: PumpStats) -> None:
        try:
            self.client.w3.eth.send_raw_transaction(tx.raw)
            self._unbroadcast.discard(tx.tx_hash)
        except (Web3RPCError, ValueError) as exc:
            self._judge_broadcast_error(tx, str(exc), stats)
        except Exception as exc:
            if not is_transient(exc):
                raise
            self._unbroadcast.add(tx.tx_hash)  # stored; sent again on the next pass
            stats.errors.append(f"broadcast of {tx.tx_hash} failed ({type(exc).__name__}); will resend")

    def _judge_broadcast_error(self, tx: SentTx, error: str, stats: PumpStats) -> None:
        text = error.lower()
        if any(marker in text for marker in _NONCE_TAKEN):
            self._unbroadcast.discard(tx.tx_hash)
            # mined already, or our nonce view is stale: settle() sorts it out
            self._next_nonce = max(
                self._next_nonce or 0, self.client.w3.eth.get_transaction_count(self.address, "pending")
            )
        elif any(marker in text for marker in _UNDERPRICED):
            self._unbroadcast.discard(tx.tx_hash)  # an earlier version is pending; replace() bumps it
        else:
            # e.g. insufficient funds: kept and retried each pass, and reported
            self._unbroadcast.add(tx.tx_hash)
            stats.errors.append(f"broadcast of {tx.tx_hash} (nonce {tx.nonce}) rejected: {error}")
            log.warning("%s", stats.errors[-1])


@dataclass(frozen=True, slots=True)
class _Revert:
    """A call that would revert, found by its gas estimate: no transaction is sent."""

    reason: str
    message: str

    @classmethod
    def of(cls, error: Mapping[str, Any], contract: str) -> _Revert:
        data = error.get("data")
        decoded = decode_custom_error(contract, data if isinstance(data, str) else None)
        if decoded is not None:
            name, args = decoded
            shown = ", ".join(f"{k}={v.hex() if isinstance(v, bytes) else v}" for k, v in args.items())
            return cls(name, f"{contract} reverted with {name}({shown})")
        message = str(error.get("message", "execution reverted"))
        return cls(message, f"{contract} reverted: {message}")
