"""Demo stage: x402 payments. Agents buy jobs from the coordinator's paid job endpoint in USDC on both chains.

USDC is local on both chains: on EVM the deploy stage's LocalUsdc, which ``ape run deploy --fund-usdc``
funds to the agents (:func:`usdc_funding_args`); on Solana a 6-decimal mint created and funded here with
what ``dispatch-chain solana create-usdc`` uses (:func:`~dispatch_chain.solana.deploy.deploy_usdc`); the
manifest records both (``USDC``, ``usdc_mint``). The coordinator serves
:func:`~dispatch_chain.payments.endpoint.paid_job_app` over HTTP on a free local port, settling through its
:class:`~dispatch_chain.payments.facilitator.DurableFacilitator` (journal ``<out>/x402-facilitator.sqlite``;
EVM payments settled by anvil dev account 5, its own writer account, Solana fees paid by the coordinator).
Each agent pays one job on each chain with the SDK's client (its ``requests`` wrapper), spending only the
demo's USDC up to a cap. Every receipt's signature is checked and its ``payment_ref`` proven against its
chain; a used payment sent again is refused with nothing moved; the paid receipts then go through the
anchoring service with a :class:`~dispatch_chain.payments.checks.PaymentPolicy` and are anchored.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.demo.state import COORDINATOR, DemoState
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.keys import dev_account
from dispatch_chain.payments.checks import PaymentPolicy
from dispatch_chain.payments.endpoint import USDC_EIP712, LocalFacilitatorClient, PayOption, paid_job_app
from dispatch_chain.payments.errors import PaymentError
from dispatch_chain.payments.facilitator import (
    DurableFacilitator,
    EvmSettler,
    SvmSettler,
    sdk_facilitator,
    sdk_svm_network,
)
from dispatch_chain.payments.prices import GovernedPrices, JobKind, JobTier, PriceSource, usdc_text
from dispatch_chain.payments.served import ServedPayments
from dispatch_chain.payments.verify import EvmPayments, PaymentClaim, PaymentVerifier, SolanaPayments
from dispatch_chain.receipts import SignedReceipt
from dispatch_chain.solana.bolt import associated_token_account, token_balance
from dispatch_chain.solana.deploy import deploy_usdc, load_or_create_keypair
from dispatch_chain.solana.usdc import USDC, open_usdc_accounts

EVM_SETTLER = 5  # anvil dev account the facilitator settles EVM payments with (not the anchoring service's)
AGENTS = 3
AGENT_USDC = 5 * USDC  # what each agent holds on each chain
MAX_PER_PAYMENT = 50_000  # the agents' SDK spend cap: $0.05 a job
JOBS = ((JobTier.FAST, JobKind.LLM), (JobTier.CHEAP, JobKind.TASK), (JobTier.FAST, JobKind.TASK))
CHAINS = ("evm", "solana")
#: keccak256("balanceOf(address)")[:4]
BALANCE_OF = "0x70a08231"


@dataclass(frozen=True)
class Agent:
    """A paying agent: an EVM account and a Solana keypair (neither needs gas: the facilitator pays it)."""

    name: str
    evm: LocalAccount
    solana: Keypair


@dataclass
class PaidJob:
    chain: str  # "evm" or "solana"
    agent: Agent
    tier: JobTier
    kind: JobKind
    price: int
    signed: SignedReceipt
    payment_header: dict[str, str]  # the X-PAYMENT / PAYMENT-SIGNATURE header that bought it


@dataclass(frozen=True)
class ChainSide:
    """One chain's payment setup: the CAIP-2 id receipts name, its USDC, the coordinator's pay-to."""

    chain: str
    usdc: str
    pay_to: str
    balance: Callable[[], int]  # the pay-to's USDC balance now
    payments: EvmPayments | SolanaPayments


def agents(seed: int) -> list[Agent]:
    """The paying agents, derived from the demo's seed (not its rng: the deploy stage funds them first)."""

    def key(i: int, chain: str) -> bytes:
        return hashlib.sha256(f"dispatch demo agent {seed} {i} {chain}".encode()).digest()

    return [
        Agent(f"agent-{i + 1}", Account.from_key(key(i, "evm")), Keypair.from_seed(key(i, "solana")))
        for i in range(AGENTS)
    ]


def usdc_funding_args(seed: int) -> list[str]:
    """``ape run deploy`` arguments minting each agent's LocalUsdc."""
    return [arg for a in agents(seed) for arg in ("--fund-usdc", f"{a.evm.address}={usdc_text(AGENT_USDC)}")]


def pay_jobs(state: DemoState, stack: ExitStack) -> None:
    assert state.connections is not None and state.anvil is not None and state.solana is not None
    assert state.workload is not None and state.service is not None and state.store is not None
    payers = agents(state.options.seed)
    sides = {"evm": _evm_side(state), "solana": _solana_side(state, payers)}
    prices = state.connections.price_source()  # ProtocolParams' when governance is deployed, else the whitepaper's
    url = _serve_endpoint(state, stack, sides, prices)
    before = {name: side.balance() for name, side in sides.items()}
    paid = [
        _pay(state, url, chain, sides[chain], agent, *JOBS[i % len(JOBS)])
        for i, agent in enumerate(payers)
        for chain in CHAINS
    ]
    received = {name: side.balance() - before[name] for name, side in sides.items()}
    verifier = PaymentVerifier({s.chain: s.payments for s in sides.values()}, state.store.payment_claims)
    results = verifier.verify([PaymentClaim(p.signed.receipt.payment_ref, p.price, _hash(p.signed)) for p in paid])
    for job, result in zip(paid, results, strict=True):
        state.progress.note(
            f"{job.chain}: payment of {job.signed.receipt.job_id} "
            + (f"NOT PROVEN: {result}" if isinstance(result, PaymentError) else f"proven at block/slot {result.block}")
        )
    replays = {chain: _replay(state, url, sides[chain], next(p for p in paid if p.chain == chain)) for chain in CHAINS}
    flagged, batches = _anchor(state, sides, paid)
    report: dict[str, Any] = {
        "endpoint": url,
        "prices": "ProtocolParams" if isinstance(prices, GovernedPrices) else "whitepaper",
        "anchored_batches": batches,
        "flagged": flagged,
    }
    for chain in CHAINS:
        mine = [(p, r) for p, r in zip(paid, results, strict=True) if p.chain == chain]
        report[chain] = {
            "chain": sides[chain].chain,
            "usdc": sides[chain].usdc,
            "pay_to": sides[chain].pay_to,
            "jobs_paid": len(mine),
            "receipts_valid": sum(p.signed.is_valid() for p, _ in mine),
            "charged": sum(p.price for p, _ in mine),
            "usdc_received": received[chain],
            "payments_verified": sum(not isinstance(r, PaymentError) for _, r in mine),
            "replay_refused": replays[chain],
            "example_payment_ref": mine[0][0].signed.receipt.payment_ref,
        }
    state.report["payments"] = report
    for chain in CHAINS:
        side = report[chain]
        if not (side["receipts_valid"] == side["payments_verified"] == side["jobs_paid"] == AGENTS):
            raise DispatchChainError(f"x402 payments on {chain} did not all verify: {side}")
        if side["usdc_received"] != side["charged"] or not side["replay_refused"]:
            raise DispatchChainError(f"x402 payments on {chain}: pay-to balance or replay wrong: {side}")
    if flagged:
        raise DispatchChainError(f"the anchoring service flagged {flagged} paid receipts")


def _evm_side(state: DemoState) -> ChainSide:
    """LocalUsdc from the deploy stage (the agents were funded by ``--fund-usdc``); pay-to: the coordinator."""
    assert state.connections is not None
    evm = state.connections.evm
    usdc = state.connections.manifest.require_evm().contract("USDC").address
    pay_to = dev_account(COORDINATOR).address
    state.progress.note(
        f"LocalUsdc {usdc}: {usdc_text(AGENT_USDC)} USDC each to the agents by ape run deploy --fund-usdc"
        f" ({', '.join(a.evm.address for a in agents(state.options.seed))})"
    )
    confirmations = state.connections.profile.evm.confirmations if state.connections.profile.evm else 1

    def balance() -> int:
        data = HexStr(BALANCE_OF + pay_to[2:].lower().rjust(64, "0"))
        return int.from_bytes(evm.w3.eth.call({"to": usdc, "data": data}), "big")

    payments = EvmPayments(evm.network.rpc_url, evm.caip2, usdc=usdc, pay_to=pay_to, confirmations=confirmations)
    return ChainSide(evm.caip2, usdc, pay_to, balance, payments)


def _solana_side(state: DemoState, payers: Sequence[Agent]) -> ChainSide:
    """A local USDC mint, as ``dispatch-chain solana create-usdc`` makes it, funded to the agents; the
    coordinator opens its pay-to account (a Solana x402 transfer needs it to exist)."""
    assert state.connections is not None and state.solana is not None
    client, admin = state.connections.solana, state.solana.admin
    mint = load_or_create_keypair(state.options.out / "keys" / "usdc-mint.json")
    deploy_usdc(
        client,
        admin,
        mint,
        {a.solana.pubkey(): AGENT_USDC for a in payers},
        manifest=state.connections.profile.manifest,
        network=state.connections.profile.name,
        progress=state.progress.note,
    )
    state.connections.reload_manifest()
    pay_to = state.solana.coordinator.pubkey()
    open_usdc_accounts(client, admin, mint.pubkey(), [pay_to])
    account: Pubkey = associated_token_account(pay_to, mint.pubkey())
    payments = SolanaPayments(client.network.rpc_url, client.caip2, usdc=str(mint.pubkey()), pay_to=str(pay_to))
    return ChainSide(
        client.caip2, str(mint.pubkey()), str(pay_to), lambda: token_balance(client, account) or 0, payments
    )


def _serve_endpoint(state: DemoState, stack: ExitStack, sides: dict[str, ChainSide], prices: PriceSource) -> str:
    """The paid job endpoint on a free local port, in a thread, until the demo ends; its URL."""
    from werkzeug.serving import make_server

    assert state.connections is not None and state.anvil is not None and state.solana is not None
    assert state.workload is not None
    journal = state.options.out / "x402-facilitator.sqlite"
    served = state.options.out / "x402-served.sqlite"
    for database in (journal, served):
        for stale in (database, *(Path(f"{database}{suffix}") for suffix in ("-wal", "-shm"))):
            stale.unlink(missing_ok=True)  # a fresh chain each run, so a fresh journal and record
    evm, solana = sides["evm"], sides["solana"]
    sdk = sdk_facilitator(
        EvmSettler(dev_account(EVM_SETTLER), state.anvil.url, state.connections.evm.network.chain_id),
        SvmSettler(state.solana.coordinator, state.connections.solana.network.rpc_url, solana.chain),
    )
    durable = DurableFacilitator(sdk, journal, evm=state.connections.evm)
    stack.callback(durable.close)
    options = [
        PayOption(evm.chain, evm.usdc, evm.pay_to, USDC_EIP712),
        PayOption(sdk_svm_network(solana.chain), solana.usdc, solana.pay_to, chain_id=solana.chain),
    ]
    worker = state.workload.workers[0]
    app = paid_job_app(
        LocalFacilitatorClient(durable),
        options,
        prices,
        worker.key,
        lambda job_id, tier, kind, body: f"{tier} {kind} job {job_id} by {worker.name}: done".encode(),
        served=ServedPayments(served),
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log lines in the demo's output
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, name="x402-endpoint", daemon=True)
    thread.start()
    stack.callback(thread.join, 10)
    stack.callback(server.shutdown)  # runs first
    url = f"http://127.0.0.1:{server.server_port}"
    state.progress.note(f"paid job endpoint on {url}/job (x402, exact scheme on {evm.chain} and {solana.chain})")
    return url


def _client(state: DemoState, chain: str, side: ChainSide, agent: Agent) -> Any:
    """The agent's SDK client for one chain, allowed to spend only the demo's USDC, at most MAX_PER_PAYMENT."""
    from x402 import SpendControlAsset, x402ClientSync

    assert state.connections is not None
    client = x402ClientSync()
    if chain == "evm":
        from x402.mechanisms.evm.exact.register import register_exact_evm_client
        from x402.mechanisms.evm.signers import EthAccountSigner

        network = side.chain
        register_exact_evm_client(client, EthAccountSigner(agent.evm), networks=network)
    else:
        from x402.mechanisms.svm import KeypairSigner
        from x402.mechanisms.svm.exact.register import register_exact_svm_client

        network = sdk_svm_network(side.chain)  # a local node is paid under devnet's id, its RPC the node's
        rpc = state.connections.solana.network.rpc_url
        register_exact_svm_client(client, KeypairSigner(agent.solana), networks=network, rpc_url=rpc)
    cap = SpendControlAsset(network=network, asset=side.usdc, max_amount_per_payment=str(MAX_PER_PAYMENT))
    client.set_spend_controls({"allowed_assets": [cap]})
    return client


def _pay(
    state: DemoState, url: str, chain: str, side: ChainSide, agent: Agent, tier: JobTier, kind: JobKind
) -> PaidJob:
    """One job bought over HTTP: the SDK's requests wrapper answers the 402 with a payment and retries."""
    from x402.http.clients.requests import wrapRequestsWithPayment

    # No request body: werkzeug's server drains an unread body after answering (the 402 reads none) with a
    # blocking read, which can wait for the client's close while the client waits for the answer's end.
    with wrapRequestsWithPayment(requests.Session(), _client(state, chain, side, agent)) as session:
        answer = session.post(f"{url}/job", params={"tier": tier.value, "kind": kind.value}, timeout=60)
    if answer.status_code != 200:
        raise DispatchChainError(f"{agent.name} could not buy a job on {chain}: {answer.status_code} {answer.headers}")
    body = answer.json()
    signed = SignedReceipt.from_parts(body["receipt"], body["receipt_signature"])
    header = {k: v for k, v in answer.request.headers.items() if k.upper() in ("PAYMENT-SIGNATURE", "X-PAYMENT")}
    state.progress.note(
        f"{agent.name} paid {usdc_text(body['price'])} USDC on {side.chain} for a {tier} {kind} job:"
        f" receipt {signed.receipt.job_id} (signature {'valid' if signed.is_valid() else 'INVALID'}),"
        f" payment_ref {signed.receipt.payment_ref}"
    )
    return PaidJob(chain, agent, tier, kind, int(body["price"]), signed, header)


def _replay(state: DemoState, url: str, side: ChainSide, job: PaidJob) -> bool:
    """The X-PAYMENT of ``job`` sent again: refused (402, payment_already_used), and no USDC moves."""
    from x402.http.utils import decode_payment_response_header

    before = side.balance()
    params = {"tier": job.tier.value, "kind": job.kind.value}
    answer = requests.post(f"{url}/job", params=params, headers=job.payment_header, timeout=60)
    said = answer.headers.get("PAYMENT-RESPONSE")
    reason = decode_payment_response_header(said).error_reason if said else None
    refused = answer.status_code == 402 and "receipt" not in answer.text and side.balance() == before
    state.progress.note(
        f"replay of {job.agent.name}'s {job.chain} payment: {'refused' if refused else 'ACCEPTED (bug!)'}"
        f" ({answer.status_code}, {reason})"
    )
    return refused


def _anchor(state: DemoState, sides: dict[str, ChainSide], paid: list[PaidJob]) -> tuple[int, int]:
    """The paid receipts through the anchoring service, payments checked by its policy; (flagged, batches)."""
    assert state.service is not None
    prices = {p.signed.receipt.receipt_hash(): p.price for p in paid}
    service = state.service
    service.payments = PaymentPolicy({s.chain: s.payments for s in sides.values()}, lambda r: prices[r.receipt_hash()])
    try:
        report = service.submit([p.signed for p in paid])
    finally:
        service.payments = None  # the demo's other receipts carry made-up payment_refs
    flagged = len(service.payment_flags)
    summary = service.drain()
    state.progress.note(
        f"{len(report.valid)} paid receipts stored, {flagged} payments flagged;"
        f" anchored in {len(summary.batches_cut)} batch(es) on {', '.join(sorted({a.chain for a in summary.anchored}))}"
    )
    return flagged, len(summary.batches_cut)


def _hash(signed: SignedReceipt) -> str:
    return "0x" + signed.receipt.receipt_hash().hex()


def report_lines(report: dict[str, Any]) -> list[str]:
    """The payments' lines of the demo report (none when the stage did not run)."""
    payments = report.get("payments")
    if not payments:
        return []
    lines = [f"  x402 payments   paid job endpoint {payments['endpoint']}/job, {payments['prices']} prices"]
    for chain in CHAINS:
        side = payments[chain]
        lines.append(
            f"                  {'EVM' if chain == 'evm' else 'Solana':<7} {side['jobs_paid']} jobs paid,"
            f" {usdc_text(side['usdc_received'])} USDC received by the pay-to, {side['payments_verified']}/"
            f"{side['jobs_paid']} payments proven, replay {'refused' if side['replay_refused'] else 'ACCEPTED'}"
        )
    lines.append(
        f"                  paid receipts anchored in {payments['anchored_batches']} batch(es),"
        f" {payments['flagged']} flagged"
    )
    return lines
