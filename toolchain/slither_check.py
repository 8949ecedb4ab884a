"""Fail the lint stage on any slither finding that is neither fixed nor triaged.

usage: slither_check.py SLITHER_JSON TRIAGE_JSON

The triage file is a list of ``{"check", "where", "reason"}``: ``check`` is slither's
detector name, ``where`` a text that occurs in the first line of the finding's description
(e.g. ``ReceiptAnchor.verify(uint256,bytes32,bytes32[])``), ``reason`` why it is acceptable.
A finding matched by no entry fails the check, and so does an entry that matches no finding
(a stale excuse hides the next real finding at the same place).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(report_path: str, triage_path: str) -> int:
    try:
        report = json.loads(Path(report_path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        print(f"slither produced no readable report ({exc}); run it by hand to see why", file=sys.stderr)
        return 1
    if not report.get("success"):
        print(f"slither failed: {report.get('error')}", file=sys.stderr)
        return 1
    triage = json.loads(Path(triage_path).read_text())
    findings = report.get("results", {}).get("detectors", [])
    used: set[int] = set()
    untriaged = []
    for finding in findings:
        headline = finding["description"].splitlines()[0]
        matches = [i for i, entry in enumerate(triage)
                   if entry["check"] == finding["check"] and entry["where"] in headline]
        if matches:
            used.update(matches)
        else:
            untriaged.append(f"{finding['check']} ({finding['impact']}): {headline}")
    stale = [f"{entry['check']}: {entry['where']}" for i, entry in enumerate(triage) if i not in used]
    for line in untriaged:
        print(f"slither finding not fixed or triaged: {line}", file=sys.stderr)
    for line in stale:
        print(f"stale triage entry (matches no finding): {line}", file=sys.stderr)
    print(f"slither: {len(findings)} findings, {len(findings) - len(untriaged)} triaged "
          f"in {triage_path}, {len(untriaged)} untriaged, {len(stale)} stale entries")
    return 1 if untriaged or stale else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
