"""Client of the ReceiptAnchor contract; the EVM :class:`AnchorBackend`.

A batch is keyed by its root; its batch id is the root's top 48 bits
(:func:`batch_id_of`), and the contract stores the anchoring block, so a batch's
log is found with one ``eth_getLogs`` over that block, never a scan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from web3 import Web3
from web3.logs import DISCARD
from web3.types import TxReceipt

from dispatch_chain.anchoring.backend import AnchorRecord, ConfirmPending, PreparedAnchor
from dispatch_chain.errors import ChainError, TransactionFailed
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import PreparedTx, TxSender, signed_fields
from dispatch_chain.hashing import keccak256

CONTRACT = "ReceiptAnchor"
BATCH_ANCHORED_TOPIC = "0x" + keccak256(b"BatchAnchored(uint256,bytes32,address,uint256,string)").hex()
BATCH_ID_BITS = 48


def batch_id_of(root: bytes) -> int:
    """The batch id ReceiptAnchor gives ``root``: its top 48 bits (``batchIdOf``)."""
    return int.from_bytes(root, "big") >> (256 - BATCH_ID_BITS)


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """ReceiptAnchor's on-chain record of a batch (``batchOf(root)``); ``id`` 0 when not anchored."""

    id: int
    root: bytes
    submitter: str
    leaf_count: int
    anchored_at: int
    anchored_block: int


class EvmReceiptAnchor:
    """Anchors batch roots on an EVM chain and reads them back.

    ``sender`` is needed only to anchor; reading and verifying need none.
    """

    def __init__(
        self,
        client: EvmClient,
        address: str,
        *,
        deploy_block: int = 0,
        sender: TxSender | None = None,
        max_fee_per_gas: int | None = None,
    ) -> None:
        self.client = client
        self.address = Web3.to_checksum_address(address)
        self.deploy_block = deploy_block
        self.sender = sender
        self.max_fee_per_gas = max_fee_per_gas  # replacements never offer more (None: no cap)
        self.contract_handle = client.contract(CONTRACT, self.address)
        self._event = self.contract_handle.events.BatchAnchored

    # -- AnchorBackend -------------------------------------------------------------

    @property
    def chain(self) -> str:
        return self.client.caip2

    @property
    def contract(self) -> str:
        return self.address

    def lookup(self, root: bytes) -> AnchorRecord | None:
        """The contract's record of ``root``, with the anchoring transaction found in its logs."""
        record = self.record_of(root)
        if record.id == 0:
            return None
        tx, block = self.find_anchor_log(record.id, root, record.anchored_at, block=record.anchored_block)
        return AnchorRecord(
            self.chain,
            self.address,
            record.id,
            root,
            record.leaf_count,
            tx,
            block if block is not None else record.anchored_block,
            record.anchored_at,
            record.submitter,
        )

    def prepare(self, root: bytes, leaf_count: int, uri: str) -> PreparedAnchor:
        sender = self._require_sender()
        fees = sender.fees()
        cap = self.max_fee_per_gas
        if cap is not None and fees["maxFeePerGas"] > cap:  # it waits for the base fee to come down
            fees = {"maxFeePerGas": cap, "maxPriorityFeePerGas": min(fees["maxPriorityFeePerGas"], cap)}
        prepared = sender.prepare(
            self.contract_handle.functions.anchor(root, leaf_count, uri), contract=CONTRACT, fees=fees
        )
        return PreparedAnchor(prepared.tx_hash, prepared.raw, prepared.nonce)

    def broadcast(self, prepared: PreparedAnchor) -> None:
        sender = self._require_sender()
        sender.broadcast(PreparedTx(prepared.tx, prepared.payload, prepared.nonce or 0, sender.address))

    def confirm(self, prepared: PreparedAnchor, root: bytes, *, timeout: float) -> AnchorRecord:
        sender = self._require_sender()
        if not sender.is_known(prepared.tx):
            # Not pending, not mined. If our nonce has been used by another
            # transaction it can never land: the caller must prepare anew.
            if self._nonce_used(prepared):
                existing = self.lookup(root)  # a replacement of it, or an earlier run, anchored it
                if existing is not None:
                    return existing
                raise ConfirmPending(f"transaction {prepared.tx} is unknown to the node", dropped=True)
            raise ConfirmPending(f"transaction {prepared.tx} is unknown to the node")
        deadline = time.monotonic() + timeout
        interval = self.client.network.poll_interval
        while True:
            receipt = sender.receipt(prepared.tx)
            if receipt is not None:
                break
            if self._nonce_used(prepared):  # mined, but another transaction with our nonce
                existing = self.lookup(root)
                if existing is not None:
                    return existing
                raise ConfirmPending(
                    f"nonce {prepared.nonce} of {prepared.tx} was used by another transaction", dropped=True
                )
            if time.monotonic() > deadline:
                raise ConfirmPending(
                    f"transaction {prepared.tx} (nonce {prepared.nonce}) not mined within {timeout:.0f} s", stuck=True
                )
            time.sleep(interval)
        receipt = sender.wait(prepared.tx, timeout=max(timeout, 60.0))  # the network's confirmations
        if receipt["status"] != 1:
            existing = self.lookup(root)
            if existing is not None:  # someone (or an earlier run) anchored it first
                return existing
            call = self.contract_handle.functions.anchor(root, 1, "")
            reason, message = sender.revert_reason(call, receipt, contract=CONTRACT)
            raise TransactionFailed(message, reason=reason, tx=prepared.tx)
        return self._record_from_receipt(receipt, root)

    def replace(self, prepared: PreparedAnchor, root: bytes, leaf_count: int, uri: str) -> PreparedAnchor:
        """The same anchoring call at the same nonce with fees raised by 25 % (at least the chain's current
        ones, at most ``max_fee_per_gas``): it replaces the stuck transaction in the node's pool, and only
        one of them can land. At the cap it raises :class:`ConfirmPending` and the old one keeps waiting."""
        sender = self._require_sender()
        fees = sender.replacement_fees(prepared.payload)
        old = signed_fields(prepared.payload)
        cap = self.max_fee_per_gas
        if cap is not None and fees["maxFeePerGas"] > cap:
            if cap < old["maxFeePerGas"] * 1.1 or cap < old["maxPriorityFeePerGas"] * 1.1:  # nodes want +10 %
                raise ConfirmPending(
                    f"transaction {prepared.tx} is stuck at {old['maxFeePerGas']} wei/gas and the"
                    f" fee cap ({cap} wei/gas) leaves no room to replace it"
                )
            fees = {"maxFeePerGas": cap, "maxPriorityFeePerGas": min(fees["maxPriorityFeePerGas"], cap)}
        new = sender.prepare(
            self.contract_handle.functions.anchor(root, leaf_count, uri),
            contract=CONTRACT,
            nonce=prepared.nonce,
            gas=int(old["gas"]),
            fees=fees,
        )
        return PreparedAnchor(new.tx_hash, new.raw, new.nonce)

    def _nonce_used(self, prepared: PreparedAnchor) -> bool:
        sender = self._require_sender()
        used = self.client.w3.eth.get_transaction_count(sender.address, "latest")
        return prepared.nonce is not None and used > prepared.nonce

    def verify(self, batch_id: int, leaf: bytes, proof: list[bytes]) -> bool:
        return bool(self.contract_handle.functions.verify(batch_id, leaf, proof).call())

    # -- reads used by the auditor and the service ----------------------------------

    def record_of(self, root: bytes) -> BatchRecord:
        """The contract's record of ``root`` (one ``batchOf`` call); ``id`` 0 when not anchored."""
        batch_id, stored_root, submitter, leaf_count, anchored_at, block = self.contract_handle.functions.batchOf(
            root
        ).call()
        return BatchRecord(int(batch_id), bytes(stored_root), submitter, int(leaf_count), int(anchored_at), int(block))

    def batch_of(self, root: bytes) -> tuple[str, int, int, int]:
        """``(submitter, batch id, leaf count, anchored at)``; batch id 0 when not anchored."""
        record = self.record_of(root)
        return record.submitter, record.id, record.leaf_count, record.anchored_at

    def anchored_events(self, receipt: TxReceipt) -> list[dict]:
        """The BatchAnchored events of a transaction receipt, as argument dicts."""
        return [dict(event["args"]) for event in self._event().process_receipt(receipt, errors=DISCARD)]

    def anchor(self, root: bytes, leaf_count: int, uri: str = "", *, timeout: float = 120.0) -> AnchorRecord:
        """Prepare, send and confirm in one call (for scripts; the service steps separately)."""
        prepared = self.prepare(root, leaf_count, uri)
        self.broadcast(prepared)
        return self.confirm(prepared, root, timeout=timeout)

    def _require_sender(self) -> TxSender:
        if self.sender is None:
            raise ChainError("this ReceiptAnchor client is read-only: give it a TxSender to anchor")
        return self.sender

    def _record_from_receipt(self, receipt: TxReceipt, root: bytes) -> AnchorRecord:
        for args in self.anchored_events(receipt):
            if bytes(args["root"]) == root:
                return AnchorRecord(
                    self.chain,
                    self.address,
                    int(args["batchId"]),
                    root,
                    int(args["leafCount"]),
                    "0x" + bytes(receipt["transactionHash"]).hex(),
                    int(receipt["blockNumber"]),
                    self.client.block_timestamp(receipt["blockNumber"]),
                    args["submitter"],
                )
        raise ChainError(f"transaction {receipt['transactionHash'].hex()} succeeded but emitted no BatchAnchored")

    def find_anchor_log(
        self, batch_id: int, root: bytes, anchored_at: int, *, block: int | None = None
    ) -> tuple[str | None, int | None]:
        """``(tx, block)`` of the BatchAnchored log of a batch, or ``(None, None)``.

        One ``eth_getLogs`` over the anchoring block the contract stores (``block``, from
        :meth:`record_of`, read here when not given): nothing scans the chain's history.
        ``anchored_at`` is kept for callers of the earlier, scanning version.
        """
        if block is None:
            record = self.record_of(root)
            if record.id != batch_id or record.id == 0:
                return None, None
            block = record.anchored_block
        topics = [BATCH_ANCHORED_TOPIC, "0x" + batch_id.to_bytes(32, "big").hex(), "0x" + root.hex()]
        logs = self.client.w3.eth.get_logs(
            {"address": self.address, "topics": topics, "fromBlock": block, "toBlock": block}
        )
        if not logs:
            return None, None
        return "0x" + bytes(logs[0]["transactionHash"]).hex(), int(logs[0]["blockNumber"])
