"""Proof of payment (issue 15): payment_ref verifications per second, batched against one round trip per
receipt in the same run, on both local chains; and the latency of a USDC payment transaction (send to
confirmed) per chain, and the x402 facilitator's settle latency per chain (EIP-3009 on anvil, the SDK's SVM
exact transaction on the local node). Local chains only: anvil with LocalUsdc (ape run deploy), the local
Solana node with the local USDC mint.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import spl.token.instructions as token_ix
from common import deploy_local, figure, header
from solders.keypair import Keypair
from web3 import Web3

from dispatch_chain.config import SolanaNetwork
from dispatch_chain.deployments import load_manifest
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil, SolanaNode
from dispatch_chain.payments.verify import (
    EvmPayments,
    PaymentClaim,
    PaymentVerifier,
    SolanaPayments,
    VerifiedPayment,
)
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.client import TOKEN_PROGRAM, SolanaClient
from dispatch_chain.solana.usdc import USDC, USDC_DECIMALS, create_usdc, fund_usdc

PRICE = 10_000


def rate(verifier: PaymentVerifier, claims: list[PaymentClaim], one_by_one: bool) -> tuple[float, bool]:
    started = time.perf_counter()
    results = verifier.verify_one_by_one(claims) if one_by_one else verifier.verify(claims)
    elapsed = time.perf_counter() - started
    return len(claims) / elapsed, all(isinstance(r, VerifiedPayment) for r in results)


def report(chain: str, verifier: PaymentVerifier, claims: list[PaymentClaim], latencies: list[float]) -> None:
    header(f"payments on {chain} ({len(claims)} payments)")
    batched, ok_b = rate(verifier, claims, one_by_one=False)
    single, ok_s = rate(verifier, claims, one_by_one=True)
    figure("verifications/s, batched reads", f"{batched:,.0f} (all verified: {ok_b})")
    figure("verifications/s, one round trip per receipt", f"{single:,.0f} (all verified: {ok_s})")
    figure("speed-up", f"{batched / single:.1f}x")
    figure(
        "payment latency, send to confirmed (median / max)",
        f"{statistics.median(latencies) * 1000:.0f} ms / {max(latencies) * 1000:.0f} ms",
    )


def evm(count: int, tmp: Path) -> None:
    with Anvil() as anvil:
        payer, pay_to = dev_account(1).address, dev_account(2).address
        manifest = tmp / "local.json"
        deploy_local(anvil.url, manifest, "--fund-usdc", f"{payer}=1000")
        usdc = load_manifest(manifest).require_evm().contract("USDC").address
        w3 = Web3(Web3.HTTPProvider(anvil.url))
        data = "0xa9059cbb" + "00" * 12 + pay_to[2:].lower() + PRICE.to_bytes(32, "big").hex()
        refs, latencies = [], []
        for _ in range(count):
            started = time.perf_counter()
            tx = w3.eth.send_transaction({"from": payer, "to": usdc, "data": data, "gas": 100_000})
            w3.eth.wait_for_transaction_receipt(tx, poll_latency=0.01)
            latencies.append(time.perf_counter() - started)
            refs.append("0x" + tx.hex().removeprefix("0x"))
        caip2 = "eip155:31337"
        payments = EvmPayments(anvil.url, caip2, usdc=usdc, pay_to=pay_to, confirmations=1)
        verifier = PaymentVerifier({caip2: payments}, lambda wanted: {})
        claims = [PaymentClaim(f"{caip2}:{ref}", PRICE, f"0x{i:064x}") for i, ref in enumerate(refs)]
        report("anvil (LocalUsdc, transfer)", verifier, claims, latencies)
        facilitator_settles(anvil.url, usdc, pay_to, tmp, count=min(count, 50))


def facilitator_settles(url: str, usdc: str, pay_to: str, tmp: Path, *, count: int) -> None:
    """Settle latency through the durable facilitator (SDK exact EVM scheme, EIP-3009), one at a time."""
    from x402 import x402ClientSync, x402FacilitatorSync
    from x402.mechanisms.evm import FacilitatorWeb3Signer
    from x402.mechanisms.evm.exact.register import register_exact_evm_client, register_exact_evm_facilitator
    from x402.schemas import PaymentRequirements

    from dispatch_chain.config import EvmNetwork
    from dispatch_chain.evm.client import EvmClient
    from dispatch_chain.payments.facilitator import DurableFacilitator

    network = "eip155:31337"
    sdk = register_exact_evm_facilitator(
        x402FacilitatorSync(),
        FacilitatorWeb3Signer(private_key=dev_account(4).key.hex(), rpc_url=url),
        networks=network,
    )
    durable = DurableFacilitator(
        sdk, tmp / "facilitator.sqlite", evm=EvmClient(EvmNetwork(rpc_url=url, chain_id=31337))
    )
    client = register_exact_evm_client(x402ClientSync(), dev_account(1), networks=network)
    client.set_spend_controls(
        {"allowed_assets": [{"network": network, "asset": usdc, "max_amount_per_payment": "1000000"}]}
    )
    requirements = PaymentRequirements(
        scheme="exact",
        network=network,
        asset=usdc,
        amount=str(PRICE),
        pay_to=pay_to,
        max_timeout_seconds=300,
        extra={"name": "USD Coin", "version": "1"},
    )
    settle_latency(
        f"x402 facilitator settle on anvil ({count} payments, EIP-3009, one at a time)",
        durable,
        client,
        [requirements] * count,
    )


def settle_latency(title: str, durable, client, requirements: list) -> None:
    """Pay each requirement with the SDK client, settle it through the durable facilitator, then again."""
    from x402.schemas import PaymentRequired

    settles, replays = [], []
    for wanted in requirements:
        payload = client.create_payment_payload(
            PaymentRequired(x402_version=2, accepts=[wanted], resource={"url": "http://localhost/job"})
        )
        started = time.perf_counter()
        assert durable.settle(payload, wanted).success
        settles.append(time.perf_counter() - started)
        started = time.perf_counter()
        durable.settle(payload, wanted)  # answered from the journal
        replays.append(time.perf_counter() - started)
    header(title)
    figure(
        "settle latency (median / max)", f"{statistics.median(settles) * 1000:.0f} ms / {max(settles) * 1000:.0f} ms"
    )
    figure("the same payment again, from the journal (median)", f"{statistics.median(replays) * 1000:.1f} ms")


def solana(count: int, tmp: Path) -> None:
    with SolanaNode(log_path=tmp / "node.log") as node:
        client = SolanaClient(SolanaNetwork(rpc_url=node.url))
        authority, payer, mint, pay_to = Keypair(), Keypair(), Keypair(), Keypair().pubkey()
        for key in (authority, payer):
            client.airdrop(key.pubkey(), 10 * 10**9)
        create_usdc(client, authority, mint)
        fund_usdc(client, authority, mint.pubkey(), {payer.pubkey(): 1000 * USDC})
        source, dest = (associated_token_account(o, mint.pubkey()) for o in (payer.pubkey(), pay_to))
        client.send(
            [token_ix.create_idempotent_associated_token_account(payer.pubkey(), pay_to, mint.pubkey())], [payer]
        )
        sigs, latencies = [], []
        for _ in range(count):
            started = time.perf_counter()
            signature, _ = client.send(
                [
                    token_ix.transfer_checked(
                        token_ix.TransferCheckedParams(
                            program_id=TOKEN_PROGRAM,
                            source=source,
                            mint=mint.pubkey(),
                            dest=dest,
                            owner=payer.pubkey(),
                            amount=PRICE + len(sigs),
                            decimals=USDC_DECIMALS,
                        )
                    )
                ],
                [payer],
            )  # distinct transactions
            latencies.append(time.perf_counter() - started)
            sigs.append(signature)
        payments = SolanaPayments(node.url, client.caip2, usdc=str(mint.pubkey()), pay_to=str(pay_to))
        verifier = PaymentVerifier({client.caip2: payments}, lambda wanted: {})
        claims = [PaymentClaim(f"{client.caip2}:{sig}", PRICE, f"0x{i:064x}") for i, sig in enumerate(sigs)]
        report("the local Solana node (SPL transfer)", verifier, claims, latencies)
        svm_facilitator_settles(client, mint.pubkey(), payer, pay_to, tmp, count=min(count, 50))


def svm_facilitator_settles(client: SolanaClient, mint, payer: Keypair, pay_to, tmp: Path, *, count: int) -> None:
    """Settle latency through the durable facilitator (SDK exact SVM scheme), one at a time."""
    from x402 import x402ClientSync, x402FacilitatorSync
    from x402.mechanisms.svm import FacilitatorKeypairSigner, KeypairSigner
    from x402.mechanisms.svm.exact.register import register_exact_svm_client, register_exact_svm_facilitator
    from x402.schemas import PaymentRequirements

    from dispatch_chain.payments.facilitator import DurableFacilitator, sdk_svm_network

    rpc, network, fee_payer = client.network.rpc_url, sdk_svm_network(client.caip2), Keypair()
    client.airdrop(fee_payer.pubkey(), 10 * 10**9)
    sdk = register_exact_svm_facilitator(
        x402FacilitatorSync(), FacilitatorKeypairSigner(fee_payer, rpc_url=rpc), networks=network
    )
    durable = DurableFacilitator(sdk, tmp / "svm-facilitator.sqlite")
    sdk_client = register_exact_svm_client(x402ClientSync(), KeypairSigner(payer), networks=network, rpc_url=rpc)
    sdk_client.set_spend_controls({"allowed_assets": True})
    requirements = [
        PaymentRequirements(
            scheme="exact",
            network=network,
            asset=str(mint),
            amount=str(PRICE + n),  # distinct transactions
            pay_to=str(pay_to),
            max_timeout_seconds=300,
            extra={"feePayer": str(fee_payer.pubkey())},
        )
        for n in range(count)
    ]
    settle_latency(
        f"x402 facilitator settle on the local Solana node ({count} payments, SVM exact, one at a time)",
        durable,
        sdk_client,
        requirements,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payments", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        evm(args.payments, Path(tmp))
        solana(args.payments, Path(tmp))


if __name__ == "__main__":
    main()
