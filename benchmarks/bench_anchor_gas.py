"""Gas per anchored receipt on ReceiptAnchor for batches of 1, 16, 256 and 1024 receipts.

Runs against anvil with the real deploy script and real signed receipts.
Baseline: the 21,000 gas every transaction pays, and the floor of an anchor:
that plus one new storage slot (22,100 with its cold access), about 42 gas per
receipt at 1024. Aim: <= 50 gas per receipt at 1024.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from common import deploy_local, figure, header

from dispatch_chain.config import EvmNetwork
from dispatch_chain.deployments import load_manifest
from dispatch_chain.evm.anchor import EvmReceiptAnchor
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil
from dispatch_chain.merkle import ReceiptTree

from support import make_signed, make_worker

INTRINSIC = 21_000
NEW_SLOT = 22_100


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, Anvil() as anvil:
        manifest = Path(tmp) / "local.json"
        deploy_local(anvil.url, manifest)
        address = load_manifest(manifest).require_evm().contract("ReceiptAnchor").address
        client = EvmClient(EvmNetwork(rpc_url=anvil.url, chain_id=31337, confirmations=0, poll_interval=0.02))
        contract = EvmReceiptAnchor(client, address, sender=TxSender(client, dev_account(0)))
        w3 = client.w3

        def anchor(size: int, tag: str) -> int:
            signed = [make_signed(make_worker(i % 20 + 1), f"{tag}-{i}") for i in range(size)]
            tree = ReceiptTree.of_receipts(signed)
            record = contract.anchor(tree.root, len(tree))
            return int(w3.eth.get_transaction_receipt(record.tx)["gasUsed"])

        floor = INTRINSIC + NEW_SLOT
        first = anchor(1, "first")
        header("ReceiptAnchor.anchor gas (anvil, solc 0.8.30, optimizer 10000 runs)")
        figure("baseline: intrinsic gas of any transaction", f"{INTRINSIC:>8,} gas")
        figure("floor: intrinsic + one new storage slot", f"{floor:>8,} gas ({floor / 1024:.1f} gas/receipt at 1024)")
        figure("first anchor of a deployment", f"{first:>8,} gas")
        for size in (1, 16, 256, 1024):
            gas = anchor(size, f"b{size}")
            figure(
                f"batch of {size:>4} receipts: one anchor transaction",
                f"{gas:>8,} gas ({gas / floor:.3f}x floor), {gas / size:>8.1f} gas/receipt",
            )
        print("  aim: <= 50 gas/receipt at 1024")


if __name__ == "__main__":
    main()
