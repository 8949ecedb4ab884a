"""The auditor's payment check: does a bundle's payment_ref prove the job was paid?

Against the network profile's chains and its manifest's USDC (the EVM ``USDC``
contract, the Solana ``usdc_mint`` account), to the coordinator's pay-to
address given per chain, for at least the job's price. An auditor holds no
coordinator store, so "no other receipt claims it" is the coordinator's check
(:mod:`.checks`); everything else is checked here. A receipt whose
payment_ref is null names no payment (an unpaid job) and passes: there is
nothing to prove.
"""

from __future__ import annotations

from collections.abc import Mapping

from dispatch_chain.audit import Finding
from dispatch_chain.config import NetworkProfile
from dispatch_chain.deployments import load_manifest
from dispatch_chain.errors import ConfigError
from dispatch_chain.payments.errors import MalformedPaymentRef, PaymentError, WrongPaymentChain
from dispatch_chain.payments.prices import usdc_text
from dispatch_chain.payments.ref import PaymentRef
from dispatch_chain.payments.verify import EvmPayments, PaymentClaim, PaymentVerifier, SolanaPayments

CHECK = "payment"


def payment_finding(
    payment_ref: object, receipt_hash: str, profile: NetworkProfile, pay_to: Mapping[str, str], price: int
) -> tuple[Finding, PaymentError | None]:
    """The payment finding of one receipt, and the typed error when it fails."""
    if payment_ref is None:
        return Finding(CHECK, True, "no payment_ref (an unpaid job): nothing to prove"), None
    try:
        ref = PaymentRef.parse(payment_ref)
    except MalformedPaymentRef as exc:
        return Finding(CHECK, False, f"{exc} (exit code {exc.exit_code})"), exc
    if ref.chain not in pay_to:
        error = WrongPaymentChain(
            f"{ref}: no pay-to address given for {ref.chain} (--pay-to {ref.chain}:<address>)", payment_ref=str(ref)
        )
        return Finding(CHECK, False, f"{error} (exit code {error.exit_code})"), error
    chains = {ref.chain: _chain(ref, profile, pay_to[ref.chain])}
    (result,) = PaymentVerifier(chains, lambda refs: {}).verify([PaymentClaim(str(ref), price, receipt_hash)])
    if isinstance(result, PaymentError):
        return Finding(CHECK, False, f"{result} (exit code {result.exit_code})"), result
    return Finding(
        CHECK, True, f"{usdc_text(result.amount)} USDC paid to {pay_to[ref.chain]} at block/slot {result.block}"
    ), None


def _chain(ref: PaymentRef, profile: NetworkProfile, pay_to: str) -> EvmPayments | SolanaPayments:
    manifest = load_manifest(profile.manifest)
    if ref.namespace == "eip155":
        if profile.evm is None:
            raise ConfigError(f"the network {profile.name} has no EVM chain to check {ref.chain} on")
        if ref.chain != f"eip155:{profile.evm.chain_id}":
            raise ConfigError(f"{ref.chain} is not the network's EVM chain eip155:{profile.evm.chain_id}")
        usdc = manifest.require_evm().contract("USDC").address
        return EvmPayments(
            profile.evm.rpc_url, ref.chain, usdc=usdc, pay_to=pay_to, confirmations=profile.evm.confirmations
        )
    if profile.solana is None:
        raise ConfigError(f"the network {profile.name} has no Solana cluster to check {ref.chain} on")
    solana = manifest.require_solana()
    if solana.cluster is not None and ref.chain != solana.cluster:
        raise ConfigError(f"{ref.chain} is not the network's Solana cluster {solana.cluster}")
    return SolanaPayments(profile.solana.rpc_url, ref.chain, usdc=solana.account("usdc_mint"), pay_to=pay_to)
