"""The Solana halves of the attester service, across both real local chains.

dispatch_bridge on dispatch-solana-node (fast slots, confirm depth 2, finalize
depth 12) and BoltBridge on ape's anvil, peered; 2-of-3 attesters on each
side, each with its own key and store. Locks are attested only once
finalized; crashes of a Solana-side attester neither lose nor duplicate an
attestation; queued transfers are completed by the relayers; the supply
invariant holds after every step.
"""

from __future__ import annotations

import pytest
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature
from support_xbridge import BOLT, FINALIZE_DEPTH, SOL, funded

from dispatch_chain.bridge.evm import Status
from dispatch_chain.bridge.solana_attester import SolanaAttestationTarget, SolanaMessageSource
from dispatch_chain.keys import dev_account
from dispatch_chain.solana import errors as E
from dispatch_chain.solana.bridge import InboundStatus

RECIPIENT = dev_account(5).address


class Crash(BaseException):
    """A simulated kill: not an Exception, so nothing in the service catches it."""


class CrashingTarget:
    """A real SolanaAttestationTarget that dies at a chosen step of its first attestation."""

    def __init__(self, target: SolanaAttestationTarget, step: str) -> None:
        self.target, self.step, self.armed = target, step, True

    def __getattr__(self, name):
        return getattr(self.target, name)

    def broadcast(self, signed):
        if self.step == "stored-not-sent" and self.armed:
            self.armed = False
            raise Crash
        self.target.broadcast(signed)
        if self.step == "sent-not-confirmed" and self.armed:
            self.armed = False
            raise Crash


@pytest.fixture(scope="module")
def route(xroute):
    return xroute


def _attest_all(services) -> None:
    for service in services:
        service.run_once()


def test_a_lock_is_attested_only_once_finalized_then_minted_2_of_3(route) -> None:
    record = route.sol_bridge.lock(route.holder, 40 * BOLT, RECIPIENT)
    attesters = [route.to_monad_attester(i) for i in range(2)]
    # processed and confirmed, but not finalized: invisible to the source, nothing attested
    assert route.sol_bridge.outbound(record.message.sequence, commitment="confirmed") is not None
    assert route.solana.slot("finalized") < record.slot
    assert SolanaMessageSource(route.sol_bridge).safe_head() < record.message.sequence
    stats = attesters[0].run_once()
    assert (stats.found, stats.attested) == (0, 0)
    assert route.evm_bridge.message_state(record.digest).attestations == 0
    assert route.audit().ok and route.audit().in_flight_to_monad == (record.digest,)

    route.wait_finalized(record.slot)
    assert route.solana.slot("processed") >= record.slot + FINALIZE_DEPTH
    for service in attesters:
        service.drain(timeout=60)
    assert route.evm_bridge.message_state(record.digest).status is Status.EXECUTED
    assert route.wbolt_of(RECIPIENT) == 40 * BOLT
    # the third attester finds nothing left to do
    third = route.to_monad_attester(2)
    third.drain(timeout=60)
    assert third.store.items()[0].outcome == "already executed"
    assert not route.evm_bridge.has_attested(record.digest, dev_account(4).address)
    report = route.audit()
    assert report.ok and report.custody == 40 * BOLT and report.wrapped_supply == 40 * BOLT
    assert report.in_flight_to_monad == ()


def test_a_burn_is_released_on_solana_by_2_of_3_and_crashes_lose_and_duplicate_nothing(route) -> None:
    owner = Keypair().pubkey()
    sent = route.evm_bridge.send_to_solana(route.evm_sender(5), 15 * BOLT, bytes(owner))
    assert route.audit().ok and route.audit().in_flight_to_solana == (sent.digest,)
    for step in ("stored-not-sent", "sent-not-confirmed"):
        index = 0 if step == "stored-not-sent" else 1
        target = CrashingTarget(SolanaAttestationTarget(route.sol_bridge, route.sol_attesters[index]), step)
        crashing = route.to_solana_attester(index, name=f"crash-{index}.sqlite", target=target)
        with pytest.raises(Crash):
            crashing.run_once()
        crashing.store.close()
        assert route.audit().ok
        restarted = route.to_solana_attester(index, name=f"crash-{index}.sqlite")
        restarted.drain(timeout=60)
        (item,) = restarted.store.items()
        assert item.state == "done", item
    record = route.sol_bridge.inbound(sent.digest)
    assert record.status is InboundStatus.EXECUTED
    assert set(record.attesters) == {k.pubkey() for k in route.sol_attesters[:2]}
    assert route.bolt_of(owner) == 15 * BOLT
    for attester in route.sol_attesters[:2]:
        assert _attest_transactions(route, attester.pubkey()) == 1, "exactly one attestation per attester"
    report = route.audit()
    assert report.ok and report.custody == 25 * BOLT and report.wrapped_supply == 25 * BOLT
    assert report.in_flight_to_solana == ()
    # a replay of the executed message by the third attester is refused by the program
    with pytest.raises(E.AlreadyExecuted):
        route.sol_bridge.attest(route.sol_attesters[2], _solana_message(sent.message))


def test_over_the_inbound_limit_the_release_is_queued_and_the_relayer_completes_it(route) -> None:
    import time

    owner = Keypair().pubkey()
    route.sol_bridge.set_limits(route.node.deployer, 1_000 * BOLT, 10 * BOLT, 2)  # a 10 BOLT inbound bucket
    available = route.sol_bridge.config().inbound_limit.available(int(time.time()))
    assert available <= 10 * BOLT
    big = route.evm_bridge.send_to_solana(route.evm_sender(5), available + BOLT, bytes(owner))
    for i in range(2):
        route.to_solana_attester(i, name=f"queue-{i}.sqlite").drain(timeout=60)
    queued = route.sol_bridge.inbound(big.digest)
    assert queued.status is InboundStatus.QUEUED
    assert route.bolt_of(owner) == 0
    report = route.audit()
    assert report.ok and big.digest in report.in_flight_to_solana
    relayer = route.solana_relayer()
    with pytest.raises(E.NotDue):
        route.sol_bridge.complete_queued(route.holder, _solana_message(big.message))
    assert relayer.run_once().completed == 0, "not due yet"
    time.sleep(max(0, queued.release_after - time.time()) + 1.5)
    stats = relayer.run_once()
    assert stats.completed == 1, stats
    assert route.sol_bridge.inbound(big.digest).status is InboundStatus.EXECUTED
    assert route.bolt_of(owner) == available + BOLT
    assert route.audit().ok and route.audit().in_flight_to_solana == ()
    assert relayer.run_once().completed == 0  # nothing left: no double release


def test_lamports_sent_to_a_record_address_read_as_no_record(route) -> None:
    """Anyone can pre-fund a PDA with lamports; the readers (and so the attesters) must not choke on it."""
    config = route.sol_bridge.config()
    next_outbound = route.sol_bridge.outbound_address(config.next_sequence)
    digest = bytes(range(32))
    payer = funded(route.solana, SOL)
    from solders.system_program import TransferParams, transfer

    for address in (next_outbound, route.sol_bridge.inbound_address(digest)):
        route.solana.send([transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=address, lamports=10**6))],
                          [payer])
    assert route.sol_bridge.outbound(config.next_sequence) is None
    assert route.sol_bridge.inbound(digest) is None
    assert route.sol_bridge.outbound_range(0, config.next_sequence + 1) == route.sol_bridge.outbound_range(
        0, config.next_sequence)
    assert all(r.digest != digest for r in route.sol_bridge.inbound_records())
    assert route.audit().ok
    # and a lock still lands on the pre-funded address
    record = route.sol_bridge.lock(route.holder, 1 * BOLT, RECIPIENT)
    assert record.address == next_outbound


def _solana_message(message):
    from dispatch_chain.bridge.solana_attester import to_solana_message

    return to_solana_message(message)


def _attest_transactions(route, attester: Pubkey) -> int:
    """How many transactions the attester signed that called dispatch_bridge (its airdrop is not one)."""
    program = str(route.sol_bridge.program.program_id)
    count = 0
    for entry in route.solana.rpc.get_signatures_for_address(attester).value:
        tx = route.solana.rpc.get_transaction(Signature.from_string(str(entry.signature)),
                                              max_supported_transaction_version=0).value
        keys = [str(k) for k in tx.transaction.transaction.message.account_keys]
        count += program in keys
    return count


def test_the_relayer_completes_a_mint_queued_by_other_attesters(route) -> None:
    """Attesters 1 and 2 reach the threshold and queue the mint; the relayer runs on attester 0's store, which
    never saw the message: it takes the bytes from the queuing call instead of skipping the transfer for good."""
    import time

    bridge = route.evm_bridge
    admin = route.evm_sender(0)
    bridge.transact(admin, bridge.contract.functions.setRateLimit(0, 5 * BOLT))  # inbound: 5 BOLT
    record = route.sol_bridge.lock(route.holder, 6 * BOLT, RECIPIENT)
    route.wait_finalized(record.slot)
    for i in (1, 2):
        route.to_monad_attester(i, name=f"queued-{i}.sqlite").drain(timeout=60)
    state = bridge.message_state(record.digest)
    assert state.status is Status.QUEUED
    unaware = route.to_monad_attester(0, name="queued-0.sqlite").store  # scanned nothing
    assert unaware.message_of(record.digest) is None
    relayer = route.evm_relayer(unaware)
    before = route.wbolt_of(RECIPIENT)
    assert relayer.run_once().completed == 0, "not due yet"
    time.sleep(max(0, state.ready_at - time.time()) + 1.5)
    route.mine()
    stats = relayer.run_once()
    assert stats.completed == 1, stats
    assert bridge.message_state(record.digest).status is Status.EXECUTED
    assert route.wbolt_of(RECIPIENT) == before + 6 * BOLT
    assert route.audit().ok


def test_one_store_keeps_each_attesters_rows_apart(route, tmp_path) -> None:
    """The store is keyed by (source, digest, attester): two attesters sharing one file neither see nor settle
    each other's rows, and each has its own cursor."""
    from dispatch_chain.bridge.attester import AttesterService
    from dispatch_chain.bridge.evm_attester import EvmAttestationTarget
    from dispatch_chain.bridge.store import AttesterStore

    record = route.sol_bridge.lock(route.holder, 2 * BOLT, RECIPIENT)
    route.wait_finalized(record.slot)
    path = tmp_path / "shared.sqlite"
    services = [
        AttesterService(AttesterStore(path), SolanaMessageSource(route.sol_bridge),
                        EvmAttestationTarget(route.evm_bridge, route.evm_sender(n)))
        for n in (2, 3)
    ]
    services[0].drain(timeout=60)
    assert services[0].store.get(record.digest).state == "done"
    assert services[1].store.get(record.digest) is None, "attester 3 has not seen it yet"
    assert services[1].store.cursor(services[1].source.name) is None
    services[1].drain(timeout=60)
    assert services[1].store.get(record.digest).state == "done"
    assert route.evm_bridge.message_state(record.digest).status is Status.EXECUTED
    assert route.evm_bridge.has_attested(record.digest, dev_account(3).address)
