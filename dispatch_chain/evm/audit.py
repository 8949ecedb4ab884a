"""Auditing an EVM anchor of a receipt bundle against a trusted ReceiptAnchor contract.

The :class:`~dispatch_chain.audit.Auditor` asks only about anchors on a
trusted contract. The facts come from that contract: its batch record of the
root (batch id, submitter, leaf count, time), its own ``verify``, and the
``BatchAnchored`` log *that contract* emitted (a look-alike event from another
contract in the same transaction does not count), whose block's timestamp
must be the record's.
"""

from __future__ import annotations

from eth_typing import HexStr
from web3 import Web3
from web3.exceptions import TransactionNotFound

from dispatch_chain.audit import AnchorFacts, Finding, VerifierFactory, format_time
from dispatch_chain.bundle import ChainAnchor
from dispatch_chain.config import EvmNetwork
from dispatch_chain.errors import ConfigError
from dispatch_chain.evm.anchor import BATCH_ANCHORED_TOPIC, EvmReceiptAnchor
from dispatch_chain.evm.client import EvmClient


class EvmAnchorVerifier:
    """Checks a bundle's EVM anchor: contract, batch record, on-chain verify, transaction."""

    def __init__(self, client: EvmClient) -> None:
        self.client = client

    def check(self, anchor: ChainAnchor, leaf: bytes) -> tuple[list[Finding], AnchorFacts | None]:
        where = f"{anchor.chain} batch {anchor.batch_id}"
        if not Web3.is_address(anchor.contract):
            return [Finding(f"{where}: contract", False, f"{anchor.contract!r} is not an EVM address")], None
        if not self.client.code_at(anchor.contract):
            return [Finding(f"{where}: contract", False, f"no contract at {anchor.contract}")], None
        contract = EvmReceiptAnchor(self.client, anchor.contract)
        root = anchor.root_bytes
        submitter, batch_id, leaf_count, anchored_at = contract.batch_of(root)
        if batch_id == 0:
            return [Finding(f"{where}: batch", False, f"root {anchor.root} is not anchored by {anchor.contract}")], None
        if batch_id != anchor.batch_id:
            return [
                Finding(
                    f"{where}: batch",
                    False,
                    f"root {anchor.root} is anchored as batch {batch_id}, not {anchor.batch_id}",
                )
            ], None
        findings = [
            Finding(
                f"{where}: batch",
                True,
                f"root anchored as batch {batch_id} ({leaf_count} receipts) by {submitter}"
                f" at {format_time(anchored_at)}",
            )
        ]
        if not contract.verify(anchor.batch_id, leaf, anchor.proof_bytes):
            findings.append(Finding(f"{where}: verify", False, "ReceiptAnchor.verify rejects this leaf and proof"))
            return findings, None
        findings.append(Finding(f"{where}: verify", True, "ReceiptAnchor.verify accepts the leaf and proof"))
        tx_finding, block, tx = self._check_tx(anchor, contract, anchored_at)
        findings.append(tx_finding)
        if block is not None and self.client.block_timestamp(block) != anchored_at:
            findings.append(
                Finding(
                    f"{where}: transaction",
                    False,
                    f"block {block} is not when the contract recorded the batch ({format_time(anchored_at)})",
                )
            )
        return findings, AnchorFacts(anchor.chain, batch_id, block, anchored_at, tx, submitter)

    def _check_tx(
        self, anchor: ChainAnchor, contract: EvmReceiptAnchor, anchored_at: int
    ) -> tuple[Finding, int | None, str | None]:
        where = f"{anchor.chain} batch {anchor.batch_id}: transaction"
        if anchor.tx is None:
            tx, block = contract.find_anchor_log(anchor.batch_id, anchor.root_bytes, anchored_at)
            if tx is None:
                return Finding(where, False, "no BatchAnchored event found for this batch"), None, None
            return Finding(where, True, f"anchored in block {block} by {tx} (found from events)"), block, tx
        try:
            receipt = self.client.w3.eth.get_transaction_receipt(HexStr(anchor.tx))
        except (TransactionNotFound, ValueError):
            return Finding(where, False, f"transaction {anchor.tx} is not on chain"), None, anchor.tx
        if receipt["status"] != 1:
            return Finding(where, False, f"transaction {anchor.tx} reverted"), None, anchor.tx
        batch_topic = "0x" + anchor.batch_id.to_bytes(32, "big").hex()
        topics = [BATCH_ANCHORED_TOPIC, batch_topic, "0x" + anchor.root.lower()[2:]]
        for log in receipt["logs"]:
            if log["address"].lower() != contract.address.lower():
                continue  # only the trusted contract's own event counts
            if ["0x" + bytes(t).hex() for t in log["topics"][:3]] == topics:
                block = int(receipt["blockNumber"])
                return Finding(where, True, f"anchored in block {block} by {anchor.tx}"), block, anchor.tx
        return (
            Finding(where, False, f"transaction {anchor.tx} did not anchor this root on {contract.address}"),
            None,
            anchor.tx,
        )


def evm_verifier_factory(network: EvmNetwork | None, network_name: str) -> VerifierFactory:
    """A factory that serves the configured EVM chain and refuses others clearly."""
    clients: dict[str, EvmClient] = {}

    def factory(chain: str) -> EvmAnchorVerifier:
        if network is None:
            raise ConfigError(f"network {network_name!r} has no EVM chain configured")
        if chain != network.caip2:
            raise ConfigError(
                f"this anchor is on {chain}, but network {network_name!r} is {network.caip2}"
                " (choose --network, or --evm-rpc with the right chain)"
            )
        if chain not in clients:
            clients[chain] = EvmClient(network)
        return EvmAnchorVerifier(clients[chain])

    return factory
