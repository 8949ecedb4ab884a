"""The local end-to-end demo (the README's main command): ``./dev demo``.

Starts local chains, deploys, simulates workers doing jobs, verifies and
anchors their receipts, writes auditor bundles, audits a sample, and prints a
report. Each stage is a function in :mod:`.stages`, run in order by
:mod:`.run`; later features add stages there.
"""
