"""A stateful property test of the bridge across both local chains (hypothesis).

Random locks on Solana, burns on Monad, attestations by 2-of-3 attesters on
each side, attester crashes at two points and restarts from their stores,
replays of executed messages, rate-limit hits (locks refused over Solana's
outbound limit, burns queued over Monad's, mints and releases queued over the
inbound limits) and queue completions by the relayers. After every step the
supply invariant must hold (custody >= wrapped supply + burned not released);
at the end everything in flight is carried and custody equals the wrapped
supply exactly: nothing lost, nothing minted or released twice.

Bounded for CI: a fixed seed (printed; BRIDGE_STATEFUL_SEED changes it), 4
examples of 15 to 25 steps, about a minute on a loaded machine.
"""

from __future__ import annotations

import collections
import itertools
import os
import time

import pytest
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from solders.keypair import Keypair
from support_xbridge import BOLT, EVM_ATTESTERS, build_route, evm_node, solana_node

from dispatch_chain.bridge import errors as evm_errors
from dispatch_chain.bridge.attester import AttesterService
from dispatch_chain.bridge.evm import Status
from dispatch_chain.bridge.message import BridgeMessage
from dispatch_chain.bridge.solana_attester import to_solana_message
from dispatch_chain.bridge.store import AttesterStore
from dispatch_chain.keys import dev_account
from dispatch_chain.solana import errors as E
from dispatch_chain.solana.bridge import InboundStatus

SEED = int(os.environ.get("BRIDGE_STATEFUL_SEED", "20261202"))
USER = dev_account(5)
QUEUE_DELAY = 2
_runs = itertools.count()
SEEN: collections.Counter[str] = collections.Counter()


def event(label: str) -> None:
    """Count what the run exercised (printed at the end, so a seed that exercises little shows)."""
    SEEN[label] += 1


class Crash(BaseException):
    """A simulated kill: not an Exception, so nothing in the service catches it."""


class CrashingTarget:
    """Any attestation target, dying once at ``step`` of its next attestation."""

    def __init__(self, target, step: str) -> None:
        self.target, self.step, self.armed = target, step, True

    def __getattr__(self, name):
        return getattr(self.target, name)

    def broadcast(self, signed):
        if self.armed and self.step == "stored-not-sent":
            self.armed = False
            raise Crash
        self.target.broadcast(signed)
        if self.armed and self.step == "sent-not-confirmed":
            self.armed = False
            raise Crash


@pytest.fixture(scope="module")
def route(project, tmp_path_factory):
    """Its own chains, with small limits so that locks are refused and transfers queue."""
    logs = tmp_path_factory.mktemp("stateful")
    with evm_node() as anvil, solana_node(logs) as node:
        yield build_route(project, anvil, node, logs, inbound_limit=40 * BOLT, outbound_limit=60 * BOLT,
                          queue_delay=QUEUE_DELAY, sol_inbound=40 * BOLT, sol_outbound=400 * BOLT,
                          sol_queue_delay=QUEUE_DELAY)


class BridgeMachine(RuleBasedStateMachine):
    route = None  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.run = next(_runs)
        self.to_monad: dict[int, AttesterService] = {}
        self.to_solana: dict[int, AttesterService] = {}
        for i in range(3):
            self.to_monad[i] = self._service("to-monad", i)
            self.to_solana[i] = self._service("to-solana", i)
        self.locks: list[BridgeMessage] = []
        self.last_lock_slot = 0
        self.burns: list[BridgeMessage] = []
        self.relay_store = AttesterStore(self.route.stores / f"run{self.run}-to-monad-0.sqlite")

    def _service(self, direction: str, i: int, target=None) -> AttesterService:
        name = f"run{self.run}-{direction}-{i}.sqlite"
        if direction == "to-monad":
            service = self.route.to_monad_attester(i, name=name)
            if target is not None:
                service.target = target
            return service
        return self.route.to_solana_attester(i, name=name, target=target)

    # -- users ------------------------------------------------------------------------------------

    @rule(amount=st.integers(1, 70))
    def lock(self, amount: int) -> None:
        try:
            record = self.route.sol_bridge.lock(self.route.holder, amount * BOLT, USER.address)
        except E.RateLimited:
            event("lock refused over Solana's outbound limit")
            return  # nothing moves
        self.locks.append(BridgeMessage.decode(record.message.encode()))
        self.last_lock_slot = record.slot
        event("locked")

    @rule(amount=st.integers(1, 70))
    def burn(self, amount: int) -> None:
        balance = self.route.wbolt_of(USER.address)
        if balance == 0:
            return
        sent = self.route.evm_bridge.send_to_solana(self.route.evm_sender(5), min(amount * BOLT, balance),
                                                    bytes(Keypair().pubkey()))
        self.burns.append(sent.message)
        event("burn queued over Monad's outbound limit" if sent.queued else "burn sent")

    # -- attesters, crashes, replays --------------------------------------------------------------

    @rule(i=st.integers(0, 2))
    def attest_to_monad(self, i: int) -> None:
        self.route.wait_finalized(self.last_lock_slot)  # else a lock is invisible to it (by design)
        stats = self.to_monad[i].run_once()
        if stats.attested:
            event("attested on Monad")

    @rule(i=st.integers(0, 2))
    def attest_to_solana(self, i: int) -> None:
        stats = self.to_solana[i].run_once()
        if stats.attested:
            event("attested on Solana")

    @rule(direction=st.sampled_from(["to-monad", "to-solana"]), i=st.integers(0, 2),
          step=st.sampled_from(["stored-not-sent", "sent-not-confirmed"]))
    def crash_and_restart(self, direction: str, i: int, step: str) -> None:
        services = self.to_monad if direction == "to-monad" else self.to_solana
        services[i].store.close()
        crashing = self._service(direction, i)
        crashing.target = CrashingTarget(crashing.target, step)
        try:
            crashing.run_once()
        except Crash:
            event(f"attester crashed: {step}")
        crashing.store.close()
        services[i] = self._service(direction, i)  # restarted from the same store

    @rule(data=st.data())
    def replay_an_executed_message(self, data) -> None:
        minted = [m for m in self.locks if self.route.evm_bridge.message_state(m.digest()).status is Status.EXECUTED]
        released = [m for m in self.burns if (r := self.route.sol_bridge.inbound(m.digest())) is not None
                    and r.status is InboundStatus.EXECUTED]
        if minted:
            message = data.draw(st.sampled_from(minted))
            attester = data.draw(st.sampled_from(EVM_ATTESTERS))
            with pytest.raises((evm_errors.AlreadyExecuted, evm_errors.DuplicateAttestation)):
                self.route.evm_bridge.attest(self.route.evm_sender(attester), message)
            event("replay refused on Monad")
        if released:
            message = data.draw(st.sampled_from(released))
            attester = data.draw(st.sampled_from(self.route.sol_attesters))
            with pytest.raises((E.AlreadyExecuted, E.DuplicateAttestation)):
                self.route.sol_bridge.attest(attester, to_solana_message(message))
            event("replay refused on Solana")

    # -- time and relayers ------------------------------------------------------------------------

    @rule()
    def wait_a_little(self) -> None:
        time.sleep(0.6)  # finalization (24 slots of 50 ms) and queue delays (2 s) move on
        self.route.mine()

    @rule()
    def relay(self) -> None:
        if self.route.evm_relayer(self.relay_store).run_once().completed:
            event("queued transfer completed on Monad")
        if self.route.solana_relayer().run_once().completed:
            event("queued release completed on Solana")

    # -- the property -----------------------------------------------------------------------------

    @invariant()
    def supply_is_backed(self) -> None:
        report = self.route.audit()
        assert report.ok, report

    def teardown(self) -> None:
        """Carry everything in flight; then nothing is lost and nothing counted twice."""
        try:
            deadline = time.monotonic() + 30
            errors: list[str] = []
            while True:
                for service in (*self.to_monad.values(), *self.to_solana.values()):
                    errors += service.run_once().errors
                self.route.evm_relayer(self.relay_store).run_once()
                self.route.solana_relayer().run_once()
                report = self.route.audit()
                assert report.ok, report
                if not report.in_flight_to_monad and not report.in_flight_to_solana:
                    break
                assert time.monotonic() < deadline, f"still in flight after 30 s: {report}; errors {errors[-6:]}"
                time.sleep(0.5)
                self.route.mine()
            assert report.custody == report.wrapped_supply, "custody backs exactly the wrapped supply"
            for message in self.locks:
                assert self.route.evm_bridge.message_state(message.digest()).status is Status.EXECUTED
            for message in self.burns:
                assert self.route.sol_bridge.inbound(message.digest()).status is InboundStatus.EXECUTED
            for service in (*self.to_monad.values(), *self.to_solana.values()):
                assert not service.store.open_items(), service.store.counts()
        finally:
            for service in (*self.to_monad.values(), *self.to_solana.values()):
                service.store.close()
            self.relay_store.close()


def test_the_supply_invariant_holds_at_every_step_across_both_chains(route, capsys) -> None:
    with capsys.disabled():
        print(f"\nbridge stateful test: seed {SEED} (BRIDGE_STATEFUL_SEED to change it)")
    BridgeMachine.route = route
    run_state_machine_as_test(
        seed(SEED)(BridgeMachine),
        _min_steps=15,  # hypothesis otherwise favours short runs that exercise little
        settings=settings(max_examples=4, stateful_step_count=25, phases=[Phase.explicit, Phase.generate], deadline=None, database=None,
                          suppress_health_check=list(HealthCheck)),
    )
    with capsys.disabled():
        print("exercised: " + ", ".join(f"{label} x{n}" for label, n in sorted(SEEN.items())))
