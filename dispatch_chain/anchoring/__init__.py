"""Receipt anchoring: batch verified receipts, anchor their roots, keep every proof.

* :mod:`.backend` — the chain-neutral seam (:class:`AnchorBackend`, :class:`AnchorRecord`);
* :mod:`.store` — the durable SQLite (WAL) store of receipts, batches and anchors;
* :mod:`.service` — the batching and crash-safe submission loop;
* :mod:`.bundles` — auditor bundles of stored receipts.
"""
