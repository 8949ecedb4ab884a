"""Auditing a Solana anchor of a receipt bundle against dispatch_anchor."""

from __future__ import annotations

from solders.pubkey import Pubkey
from solders.signature import Signature

from dispatch_chain.audit import AnchorFacts, Finding, VerifierFactory, format_time
from dispatch_chain.bundle import ChainAnchor
from dispatch_chain.config import SolanaNetwork
from dispatch_chain.errors import ConfigError
from dispatch_chain.solana.anchor import SolanaReceiptAnchor
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.programs import ANCHOR, AnchorProgram, error_tables


class SolanaAnchorVerifier:
    """Checks a bundle's Solana anchor: the batch PDA of the root, the program's verify, the transaction."""

    def __init__(self, client: SolanaClient) -> None:
        self.client = client

    def check(self, anchor: ChainAnchor, leaf: bytes) -> tuple[list[Finding], AnchorFacts | None]:
        where = f"{anchor.chain} batch {anchor.batch_id}"
        try:
            program = AnchorProgram.load(ANCHOR, anchor.contract)
        except ValueError:
            return [Finding(f"{where}: program", False, f"{anchor.contract!r} is not a Solana address")], None
        self.client.idl_errors.update(error_tables([program]))
        contract = SolanaReceiptAnchor(self.client, program)
        record = contract.lookup(anchor.root_bytes)
        if record is None:
            return [Finding(f"{where}: batch", False, f"root {anchor.root} is not anchored by program {anchor.contract}")], None
        if record.batch_id != anchor.batch_id:
            return [Finding(f"{where}: batch", False,
                            f"root {anchor.root} is anchored as batch {record.batch_id}, not {anchor.batch_id}")], None
        findings = [Finding(f"{where}: batch", True,
                            f"root anchored as batch {record.batch_id} ({record.leaf_count} receipts) by"
                            f" {record.submitter} at slot {record.block}, {format_time(record.timestamp)}")]
        if not contract.verify(anchor.batch_id, leaf, anchor.proof_bytes, root=anchor.root_bytes,
                               payer=Pubkey.from_string(record.submitter)):
            findings.append(Finding(f"{where}: verify", False, "dispatch_anchor verify rejects this leaf and proof"))
            return findings, None
        findings.append(Finding(f"{where}: verify", True, "dispatch_anchor verify accepts the leaf and proof"))
        tx = anchor.tx or record.tx
        finding, slot = self._check_tx(where, tx, contract.batch_address(anchor.root_bytes))
        findings.append(finding)
        return findings, AnchorFacts(anchor.chain, record.batch_id, slot if slot is not None else record.block,
                                     record.timestamp, tx)

    def _check_tx(self, where: str, tx: str | None, batch: Pubkey) -> tuple[Finding, int | None]:
        if tx is None:
            return Finding(f"{where}: transaction", False, "no anchoring transaction found for this batch"), None
        try:
            found = self.client.rpc.get_transaction(Signature.from_string(tx), max_supported_transaction_version=0).value
        except Exception as exc:
            return Finding(f"{where}: transaction", False, f"transaction {tx} could not be read: {exc}"), None
        if found is None:
            return Finding(f"{where}: transaction", False, f"transaction {tx} is not on chain"), None
        meta = found.transaction.meta
        if meta is not None and meta.err is not None:
            return Finding(f"{where}: transaction", False, f"transaction {tx} failed: {meta.err}"), None
        keys = found.transaction.transaction.message.account_keys
        if batch not in [k if isinstance(k, Pubkey) else k.pubkey for k in keys]:
            return Finding(f"{where}: transaction", False, f"transaction {tx} did not touch the batch account"), None
        return Finding(f"{where}: transaction", True, f"anchored at slot {found.slot} by {tx}"), int(found.slot)


def solana_verifier_factory(network: SolanaNetwork | None, network_name: str) -> VerifierFactory:
    """A factory that serves the configured Solana cluster and refuses others clearly."""
    clients: dict[str, SolanaClient] = {}

    def factory(chain: str) -> SolanaAnchorVerifier:
        if network is None:
            raise ConfigError(f"network {network_name!r} has no Solana cluster configured")
        client = clients.setdefault(network.rpc_url, SolanaClient(network))
        if chain != client.caip2:
            raise ConfigError(f"this anchor is on {chain}, but network {network_name!r} is {client.caip2}"
                              " (choose --network, or --solana-rpc with the right cluster)")
        return SolanaAnchorVerifier(client)

    return factory
