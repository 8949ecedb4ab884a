"""Gas of the Monad bridge (mint by threshold attestation, burn by sendToSolana) and one attester's rate.

Runs against anvil with the real deploy script (ape run deploy_bridge; 2-of-3
attesters). Baselines measured in the same run: a plain wrapped-BOLT ERC-20
transfer for the gas figures, and a plain ETH transfer sent and confirmed the
same way for the attestation rate.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import REPO, figure, header
from solders.pubkey import Pubkey

from dispatch_chain.bridge.evm import EvmBoltBridge
from dispatch_chain.bridge.message import BridgeMessage, chain_id_hash, evm_address_word
from dispatch_chain.config import EvmNetwork
from dispatch_chain.deployments import load_manifest
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender, send_value
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil

PEER_CHAIN = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
PEER_PROGRAM = "11111111111111111111111111111112"
BOLT = 10**9
ROUNDS = 15


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, Anvil() as anvil:
        manifest = Path(tmp) / "local.json"
        proc = subprocess.run(
            [
                "ape",
                "run",
                "deploy_bridge",
                "--network",
                anvil.url,
                "--manifest",
                str(manifest),
                "--peer-chain",
                PEER_CHAIN,
                "--peer-program",
                PEER_PROGRAM,
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise SystemExit(f"deploy_bridge failed:\n{proc.stdout}\n{proc.stderr}")
        address = load_manifest(manifest).require_evm().contract("BoltBridge").address
        client = EvmClient(EvmNetwork(rpc_url=anvil.url, chain_id=31337, confirmations=0, poll_interval=0.01))
        bridge = EvmBoltBridge(client, address)
        attesters = [TxSender(client, dev_account(i)) for i in (6, 7, 8)]
        holder, other = TxSender(client, dev_account(1)), TxSender(client, dev_account(2))
        peer = (chain_id_hash(PEER_CHAIN), bytes(Pubkey.from_string(PEER_PROGRAM)))
        sequence = iter(range(10**6))

        def message(to: str, amount: int) -> BridgeMessage:
            return BridgeMessage(
                source_chain=peer[0],
                source_bridge=peer[1],
                sequence=next(sequence),
                amount=amount,
                sender=bytes(32),
                recipient=evm_address_word(to),
                destination_chain=chain_id_hash("eip155:31337"),
            )

        def gas(receipt) -> int:
            return int(receipt["gasUsed"])

        first_att, minting, minting_new, burns, transfers, transfers_new = [], [], [], [], [], []
        token = bridge.token
        for i in range(ROUNDS):
            m = message(holder.address, 10 * BOLT)
            first_att.append(gas(bridge.attest(attesters[0], m)))
            minting.append(gas(bridge.attest(attesters[1], m)))
            fresh = dev_account(100 + i).address
            m = message(fresh, BOLT)
            bridge.attest(attesters[0], m)
            minting_new.append(gas(bridge.attest(attesters[1], m)))
            sent = bridge.send_to_solana(holder, BOLT, bytes(range(1, 33)))
            burns.append(gas(client.w3.eth.get_transaction_receipt(sent.tx)))
            transfers.append(gas(bridge.transact(holder, token.functions.transfer(other.address, BOLT))))
            transfers_new.append(
                gas(bridge.transact(holder, token.functions.transfer(dev_account(200 + i).address, BOLT)))
            )

        header(f"BoltBridge gas (anvil, solc 0.8.30, optimizer 10000 runs; medians of {ROUNDS}, 2-of-3 attesters)")
        med = statistics.median
        base = med(transfers)
        figure("baseline: wBOLT ERC-20 transfer (existing holder)", f"{med(transfers):>8,.0f} gas")
        figure("baseline: wBOLT ERC-20 transfer (new holder)", f"{med(transfers_new):>8,.0f} gas")
        figure("attest, below the threshold (1st of 2)", f"{med(first_att):>8,.0f} gas ({med(first_att) / base:.2f}x)")
        figure("attest that reaches the threshold and mints", f"{med(minting):>8,.0f} gas ({med(minting) / base:.2f}x)")
        figure("  same, minting to a new holder", f"{med(minting_new):>8,.0f} gas")
        figure(
            "mint in total: both attestations",
            f"{med(first_att) + med(minting):>8,.0f} gas ({(med(first_att) + med(minting)) / base:.2f}x a transfer)",
        )
        figure("burn: sendToSolana", f"{med(burns):>8,.0f} gas ({med(burns) / base:.2f}x)")

        # one attester's rate: sequential attest transactions (simulate, sign, send, confirm) vs plain transfers
        count = 40
        messages = [message(holder.address, BOLT) for _ in range(count)]
        started = time.perf_counter()
        for m in messages:
            bridge.attest(attesters[2], m)
        attest_time = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(count):
            send_value(attesters[2], other.address, 1)
        plain_time = time.perf_counter() - started
        header("one attester, sequential (simulate, sign, send, wait for the receipt; anvil automine)")
        figure("baseline: ETH transfers sent and confirmed the same way", f"{count / plain_time:>8.1f} tx/s")
        figure("attestations", f"{count / attest_time:>8.1f} /s ({plain_time / attest_time:.2f}x the baseline)")


if __name__ == "__main__":
    main()
