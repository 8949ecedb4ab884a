"""Receipt batch roots on Solana (dispatch_anchor): the Solana :class:`AnchorBackend`.

A batch lives in the PDA ``["batch", root]``, so the chain's record of a root
is one account read. A signed anchoring transaction is known by its signature
before it is sent, and its blockhash bounds how long it can land: once the
block height passes that bound and the signature is unknown, it never will,
and the service signs a new one (the program rejects a duplicate root anyway).
"""

from __future__ import annotations

import contextlib
from typing import Any

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.anchoring.backend import AnchorRecord, ConfirmPending, PreparedAnchor
from dispatch_chain.errors import ChainError
from dispatch_chain.solana.client import PreparedTx, SolanaClient, TransactionExpired, _AlreadyProcessed
from dispatch_chain.solana.errors import ForeignAccount, InvalidProof, WrongBatch
from dispatch_chain.solana.programs import SYSTEM_PROGRAM, IdlProgram

MAX_URI_BYTES = 200


class SolanaReceiptAnchor:
    """Anchors batch roots with dispatch_anchor and reads them back."""

    def __init__(self, client: SolanaClient, program: IdlProgram, authority: Keypair | None = None) -> None:
        self.client = client
        self.program = program
        self.authority = authority
        self.config_address = program.pda(b"config")

    @property
    def chain(self) -> str:
        return self.client.caip2

    @property
    def contract(self) -> str:
        return str(self.program.program_id)

    def batch_address(self, root: bytes) -> Pubkey:
        return self.program.pda(b"batch", root)

    def anchorer_address(self, authority: Pubkey) -> Pubkey:
        return self.program.pda(b"anchorer", bytes(authority))

    # -- administration ---------------------------------------------------------------------

    def initialize(self, admin: Keypair) -> str:
        ix = self.program.instruction(
            "initialize",
            accounts={"admin": admin.pubkey(), "config": self.config_address, "system_program": SYSTEM_PROGRAM},
        )
        return self.client.send([ix], [admin])[0]

    def add_anchorer(self, admin: Keypair, authority: Pubkey) -> str:
        ix = self.program.instruction(
            "add_anchorer",
            authority,
            accounts={
                "admin": admin.pubkey(),
                "config": self.config_address,
                "anchorer": self.anchorer_address(authority),
                "system_program": SYSTEM_PROGRAM,
            },
        )
        return self.client.send([ix], [admin])[0]

    def config(self) -> Any | None:
        """The program's ``AnchorConfig`` (an IDL Record), None before ``initialize``."""
        return self.program.read("AnchorConfig", self.client.account(self.config_address))

    def batch_count(self) -> int:
        config = self.config()
        return 0 if config is None else int(config.batch_count)

    def is_anchorer(self, authority: Pubkey) -> bool:
        """Whether ``authority`` holds a live anchorer record (an address holding only lamports does not)."""
        record = self.program.read("Anchorer", self.client.account(self.anchorer_address(authority)))
        return record is not None and record.authority == authority

    # -- AnchorBackend -------------------------------------------------------------------------

    def batch(self, root: bytes) -> Any | None:
        """The ``Batch`` account of ``root`` (an IDL Record), None while the root is not anchored.

        A batch address that holds only lamports (anyone may send some once the root is
        public) is not anchored; any other foreign account there raises
        :class:`~dispatch_chain.solana.errors.ForeignAccount`.
        """
        batch = self.program.read("Batch", self.client.account(self.batch_address(root)))
        if batch is not None and bytes(batch.root) != root:
            raise ForeignAccount(
                f"the batch account of root {root.hex()} holds root {bytes(batch.root).hex()}",
                address=str(self.batch_address(root)),
                expected="Batch",
            )
        return batch

    def lookup(self, root: bytes) -> AnchorRecord | None:
        address = self.batch_address(root)
        batch = self.batch(root)
        if batch is None:
            return None
        return AnchorRecord(
            self.chain,
            self.contract,
            int(batch.batch_id),
            root,
            int(batch.leaf_count),
            self._first_signature(address),
            int(batch.slot),
            int(batch.anchored_at),
            str(batch.anchorer),
        )

    def _first_signature(self, address: Pubkey) -> str | None:
        """The oldest transaction touching the batch account: the one that created it."""
        try:
            found = self.client.rpc.get_signatures_for_address(address, limit=1000).value
        except Exception:
            return None
        ok = [s for s in found if s.err is None]
        return str(ok[-1].signature) if ok else None

    def _require_authority(self) -> Keypair:
        if self.authority is None:
            raise ChainError("this dispatch_anchor client is read-only: give it the anchorer's keypair")
        return self.authority

    def prepare(self, root: bytes, leaf_count: int, uri: str) -> PreparedAnchor:
        authority = self._require_authority()
        if len(uri.encode()) > MAX_URI_BYTES:
            raise ChainError(f"batch URI longer than {MAX_URI_BYTES} bytes")
        ix = self.program.instruction(
            "anchor_batch",
            list(root),
            leaf_count,
            uri,
            accounts={
                "authority": authority.pubkey(),
                "anchorer": self.anchorer_address(authority.pubkey()),
                "config": self.config_address,
                "batch": self.batch_address(root),
                "system_program": SYSTEM_PROGRAM,
            },
        )
        prepared = self.client.prepare([ix], [authority])
        return PreparedAnchor(prepared.signature, prepared.raw, None, prepared.last_valid_block_height)

    def _as_tx(self, prepared: PreparedAnchor) -> PreparedTx:
        return PreparedTx(prepared.tx, prepared.payload, prepared.expires or 0, (self.contract,))

    def broadcast(self, prepared: PreparedAnchor) -> None:
        with contextlib.suppress(_AlreadyProcessed):
            self.client.broadcast(self._as_tx(prepared))

    def confirm(self, prepared: PreparedAnchor, root: bytes, *, timeout: float) -> AnchorRecord:
        status, _ = self.client.status(prepared.tx)
        if status is None:
            height = self.client.rpc.get_block_height(self.client.commitment).value
            expired = prepared.expires is not None and height > prepared.expires
            raise ConfirmPending(f"transaction {prepared.tx} is unknown to the node", dropped=expired)
        try:
            slot = self.client.confirm(self._as_tx(prepared), timeout=timeout)
        except TransactionExpired as exc:
            raise ConfirmPending(str(exc), dropped=True) from None
        record = self.lookup(root)
        if record is None:
            raise ChainError(f"transaction {prepared.tx} confirmed at slot {slot} but batch {root.hex()} is absent")
        return AnchorRecord(
            record.chain,
            record.contract,
            record.batch_id,
            root,
            record.leaf_count,
            prepared.tx,
            record.block,
            record.timestamp,
            record.submitter,
        )

    def verify(
        self, batch_id: int, leaf: bytes, proof: list[bytes], *, root: bytes | None = None, payer: Pubkey | None = None
    ) -> bool:
        """Run the program's own ``verify`` (simulated, nothing lands).

        ``root`` is the root the leaf is claimed to be under (its batch account is
        passed); without it, the root the proof leads to is used. A batch that
        does not exist proves nothing.
        """
        from dispatch_chain.merkle import process_proof

        batch_root = root if root is not None else process_proof(leaf, proof)
        batch = self.batch(batch_root)
        if batch is None:
            return False
        ix = self.program.instruction(
            "verify", batch_id, list(leaf), [list(p) for p in proof], accounts={"batch": self.batch_address(batch_root)}
        )
        try:
            self.client.simulate([ix], payer or batch.anchorer)
        except (InvalidProof, WrongBatch):
            return False
        return True
