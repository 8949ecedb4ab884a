"""Auditing a Solana anchor of a receipt bundle against a trusted dispatch_anchor program.

The :class:`~dispatch_chain.audit.Auditor` asks only about anchors on a
trusted program. The facts come from that program's batch account
``["batch", root]`` itself: it must be owned by the program, carry the
``Batch`` discriminator and store the bundle's root and batch id; its stored
anchorer, slot and time are what the audit reports. An account that only
holds lamports (anyone can send some to the PDA of a public root) is no
batch. A transaction named by the bundle counts only when it is the one that
wrote the record: it succeeded, at the batch's slot, with an ``anchor_batch``
instruction of the trusted program on that batch account. Any other
transaction that merely touched the account proves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction_status import UiAccountsList

from dispatch_chain.audit import AnchorFacts, Finding, VerifierFactory, format_time
from dispatch_chain.bundle import ChainAnchor
from dispatch_chain.config import SolanaNetwork
from dispatch_chain.errors import ConfigError
from dispatch_chain.solana.anchor import SolanaReceiptAnchor
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.programs import ANCHOR, IdlProgram, error_tables, load_idl

#: How many signatures of the batch account to look through for its anchoring transaction.
SIGNATURE_SEARCH_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class BatchAccount:
    """A dispatch_anchor batch account, as the program stored it."""

    batch_id: int
    root: bytes
    leaf_count: int
    anchorer: str
    slot: int
    anchored_at: int


def _instruction_discriminator(name: str) -> bytes:
    for instruction in load_idl(ANCHOR).instructions:
        if instruction.name == name:
            return bytes(instruction.discriminator)
    raise ConfigError(f"{ANCHOR} has no instruction {name!r} in its IDL")


def read_batch(client: SolanaClient, program: IdlProgram, root: bytes) -> tuple[BatchAccount | None, str]:
    """The program's batch account of ``root``, or ``(None, why not)``."""
    address = program.pda(b"batch", root)
    account = client.account(address)
    if account is None:
        return None, f"no batch account {address} for this root"
    if account.owner != program.program_id:
        return None, (
            f"the batch account {address} is owned by {account.owner}, not the program"
            " (an account holding only lamports is no batch)"
        )
    if account.data[:8] != program.discriminator("Batch"):
        return None, f"the batch account {address} does not hold a Batch (wrong discriminator)"
    try:
        batch = program.decode("Batch", account.data)
    except Exception as exc:  # truncated data cannot come from the program; say so instead of crashing
        return None, f"the batch account {address} does not decode as a Batch: {exc}"
    stored_root = bytes(batch.root)
    if stored_root != root:
        return None, f"the batch account {address} stores root 0x{stored_root.hex()}, not this root"
    return BatchAccount(
        int(batch.batch_id),
        stored_root,
        int(batch.leaf_count),
        str(batch.anchorer),
        int(batch.slot),
        int(batch.anchored_at),
    ), ""


class SolanaAnchorVerifier:
    """Checks a bundle's Solana anchor: the batch account of the root, the program's verify, the transaction."""

    def __init__(self, client: SolanaClient) -> None:
        self.client = client

    def check(self, anchor: ChainAnchor, leaf: bytes) -> tuple[list[Finding], AnchorFacts | None]:
        where = f"{anchor.chain} batch {anchor.batch_id}"
        try:
            program = IdlProgram.load(ANCHOR, anchor.contract)
        except ValueError:
            return [Finding(f"{where}: program", False, f"{anchor.contract!r} is not a Solana address")], None
        self.client.idl_errors.update(error_tables([program]))
        batch, why = read_batch(self.client, program, anchor.root_bytes)
        if batch is None:
            return [
                Finding(
                    f"{where}: batch", False, f"root {anchor.root} is not anchored by program {anchor.contract}: {why}"
                )
            ], None
        if batch.batch_id != anchor.batch_id:
            return [
                Finding(
                    f"{where}: batch",
                    False,
                    f"root {anchor.root} is anchored as batch {batch.batch_id}, not {anchor.batch_id}",
                )
            ], None
        findings = [
            Finding(
                f"{where}: batch",
                True,
                f"root anchored as batch {batch.batch_id} ({batch.leaf_count} receipts) by"
                f" {batch.anchorer} at slot {batch.slot}, {format_time(batch.anchored_at)}"
                " (read from the program's batch account)",
            )
        ]
        contract = SolanaReceiptAnchor(self.client, program)
        if not contract.verify(
            anchor.batch_id, leaf, anchor.proof_bytes, root=anchor.root_bytes, payer=Pubkey.from_string(batch.anchorer)
        ):
            findings.append(Finding(f"{where}: verify", False, "dispatch_anchor verify rejects this leaf and proof"))
            return findings, None
        findings.append(Finding(f"{where}: verify", True, "dispatch_anchor verify accepts the leaf and proof"))
        address = program.pda(b"batch", anchor.root_bytes)
        if anchor.tx is not None:
            problem = self._not_the_anchoring_tx(anchor.tx, program, address, batch)
            if problem:
                findings.append(Finding(f"{where}: transaction", False, problem))
                return findings, None
            tx: str | None = anchor.tx
            findings.append(Finding(f"{where}: transaction", True, f"{tx} anchored it at slot {batch.slot}"))
        else:
            tx = self._find_anchoring_tx(program, address, batch)
            found = (
                f"{tx} anchored it at slot {batch.slot} (found from the account's history)"
                if tx
                else "the bundle names no transaction and none was found; slot and anchorer are the batch account's"
            )
            findings.append(Finding(f"{where}: transaction", True, found))
        return findings, AnchorFacts(anchor.chain, batch.batch_id, batch.slot, batch.anchored_at, tx, batch.anchorer)

    def _find_anchoring_tx(self, program: IdlProgram, address: Pubkey, batch: BatchAccount) -> str | None:
        try:
            found = self.client.rpc.get_signatures_for_address(address, limit=SIGNATURE_SEARCH_LIMIT).value
        except Exception:
            return None
        for entry in reversed(found):  # oldest first: the anchoring transaction created the account
            if entry.err is None and entry.slot == batch.slot:
                signature = str(entry.signature)
                if not self._not_the_anchoring_tx(signature, program, address, batch):
                    return signature
        return None

    def _not_the_anchoring_tx(self, tx: str, program: IdlProgram, batch_address: Pubkey, batch: BatchAccount) -> str:
        """Why ``tx`` is not the transaction that anchored ``batch`` ('' when it is)."""
        try:
            signature = Signature.from_string(tx)
        except ValueError:
            return f"{tx[:100]!r} is not a Solana transaction signature"
        try:
            found = self.client.rpc.get_transaction(signature, max_supported_transaction_version=0).value
        except Exception as exc:
            return f"transaction {tx} could not be read: {exc}"
        if found is None:
            return f"transaction {tx} is not on chain"
        meta = found.transaction.meta
        if meta is not None and meta.err is not None:
            return f"transaction {tx} failed: {meta.err}"
        if int(found.slot) != batch.slot:
            return (
                f"transaction {tx} is at slot {found.slot}, but the program recorded the batch at slot"
                f" {batch.slot}: it is not the anchoring transaction"
            )
        body = found.transaction.transaction
        if isinstance(body, UiAccountsList):  # only for transaction_details="accounts", which is not asked for
            return f"transaction {tx} came back without its message"
        if not _anchors(body.message, program.program_id, batch_address):
            return f"transaction {tx} has no anchor_batch instruction of {program.program_id} on this batch"
        return ""


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _b58decode(text: str) -> bytes:
    """Base58 (Bitcoin alphabet) to bytes: instruction data in JSON-encoded transactions."""
    number = 0
    for char in text:
        number = number * 58 + _BASE58.index(char)
    zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _anchors(message: Any, program_id: Pubkey, batch_address: Pubkey) -> bool:
    """Whether a (JSON-encoded) transaction message calls the program's anchor_batch on the batch account."""
    keys = [
        k if isinstance(k, Pubkey) else Pubkey.from_string(str(getattr(k, "pubkey", k))) for k in message.account_keys
    ]
    wanted = _instruction_discriminator("anchor_batch")
    for instruction in message.instructions:
        index = getattr(instruction, "program_id_index", None)
        if index is None or index >= len(keys) or keys[index] != program_id:
            continue
        data = _b58decode(instruction.data) if isinstance(instruction.data, str) else bytes(instruction.data)
        accounts = [keys[i] for i in bytes(instruction.accounts) if i < len(keys)]
        if data[:8] == wanted and batch_address in accounts:
            return True
    return False


def solana_verifier_factory(network: SolanaNetwork | None, network_name: str) -> VerifierFactory:
    """A factory that serves the configured Solana cluster and refuses others clearly."""
    clients: dict[str, SolanaClient] = {}

    def factory(chain: str) -> SolanaAnchorVerifier:
        if network is None:
            raise ConfigError(f"network {network_name!r} has no Solana cluster configured")
        client = clients.setdefault(network.rpc_url, SolanaClient(network))
        if chain != client.caip2:
            raise ConfigError(
                f"this anchor is on {chain}, but network {network_name!r} is {client.caip2}"
                " (choose --network, or --solana-rpc with the right cluster)"
            )
        return SolanaAnchorVerifier(client)

    return factory
