"""Auditor bundles of stored receipts: the coordinator's side of :mod:`dispatch_chain.bundle`.

The bundle format itself (:mod:`dispatch_chain.bundle`) is what an auditor
reads and needs no store; building a bundle from the anchoring store's rows
belongs here, next to the store.
"""

from __future__ import annotations

from dispatch_chain.anchoring.store import AnchorRow, StoredReceipt
from dispatch_chain.bundle import ChainAnchor, ReceiptBundle, bundle_for


def bundle_of(stored: StoredReceipt, anchors: list[AnchorRow]) -> ReceiptBundle:
    """The bundle of a stored receipt over its batch's confirmed anchors."""
    proof = ["0x" + p.hex() for p in stored.proof]
    chain_anchors = [
        ChainAnchor(
            chain=row.record.chain,
            contract=row.record.contract,
            batch_id=row.record.batch_id,
            root="0x" + row.record.root.hex(),
            proof=proof,
            tx=row.record.tx,
            block=row.record.block,
        )
        for row in anchors
        if row.record is not None
    ]
    return bundle_for(stored.signed, chain_anchors)
