"""ProtocolParams on anvil: the whole set in one call, versions and events, every bound, only the owner changes it."""

from __future__ import annotations

import ape
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_chain.governance.params import (
    DEFAULT_PARAMS,
    MAX_COOLDOWN_SECONDS,
    MAX_FEE_BPS,
    ParamsError,
    check_cooldown,
    check_fee_bps,
    check_thresholds,
    job_type_word,
)
from dispatch_chain.protocol import BOLT, BOLT_SUPPLY

from support_bridge import isolated
from support_governance import deploy_params

SOLANA_RECIPIENT = bytes(range(1, 33))
FAST_LLM = job_type_word("FAST_LLM")


@pytest.fixture(scope="module")
def owned(project, deployer):
    """A ProtocolParams owned by the deployer, to exercise bounds without a vote each time."""
    return deploy_params(project, deployer, deployer)


def test_deployed_defaults_in_one_call(params, timelock) -> None:
    current = params.params()
    assert params.owner() == timelock.address
    assert current.version == 0
    assert (current.feeBps, current.unstakeCooldown) == (500, DEFAULT_PARAMS.unstake_cooldown)
    assert (current.verifiedThreshold, current.sentinelThreshold) == (100 * BOLT, 1_000 * BOLT)
    prices = {bytes(row.jobType).rstrip(b"\0").decode(): row.price for row in current.prices}
    assert prices == {"FAST_LLM": 10_000, "FAST_TASK": 3_000, "CHEAP_LLM": 5_000, "CHEAP_TASK": 1_000}
    assert params.jobPrice(FAST_LLM) == 10_000
    assert (params.MAX_FEE_BPS(), params.MAX_COOLDOWN()) == (MAX_FEE_BPS, MAX_COOLDOWN_SECONDS)


def test_nobody_but_the_owner_changes_anything(params, deployer, holders, governor, outsider) -> None:
    attempts = {
        "setFeeBps": (400,),
        "setTierThresholds": (150 * BOLT, 1_500 * BOLT),
        "setUnstakeCooldown": (60,),
        "setJobPrice": (FAST_LLM, 1),
        "removeJobPrice": (FAST_LLM,),
        "approveTreasurySpend": (BOLT, SOLANA_RECIPIENT),
        "transferOwnership": (outsider.address,),
    }
    # The deployer, the largest holder (no vote, no change) and a stranger.
    for caller in (deployer, holders["alice"], outsider):
        for name, args in attempts.items():
            with ape.reverts(params.ProtocolParamsUnauthorized, caller=caller.address):
                getattr(params, name)(*args, sender=caller)
    assert params.owner() != governor.address  # the governor proposes; only its timelock executes
    assert params.version() == 0


def test_each_change_bumps_the_version_and_emits_one_event(owned, deployer, chain) -> None:
    with isolated(chain):
        receipt = owned.setFeeBps(400, sender=deployer)
        assert [(e.version, e.feeBps, e.sentinelThreshold) for e in receipt.events] == [(1, 400, 1_000 * BOLT)]
        receipt = owned.setTierThresholds(150 * BOLT, 1_500 * BOLT, sender=deployer)
        assert [(e.version, e.verifiedThreshold, e.sentinelThreshold) for e in receipt.events] == [
            (2, 150 * BOLT, 1_500 * BOLT)
        ]
        receipt = owned.setUnstakeCooldown(3_600, sender=deployer)
        assert [(e.version, e.feeBps, e.unstakeCooldown) for e in receipt.events] == [(3, 400, 3_600)]
        receipt = owned.setJobPrice(job_type_word("GPU_BATCH"), 250_000, sender=deployer)
        assert [(e.event_name, e.version, e.price) for e in receipt.events] == [("JobPriceChanged", 4, 250_000)]
        receipt = owned.setJobPrice(FAST_LLM, 8_000, sender=deployer)
        assert [(e.version, e.price) for e in receipt.events] == [(5, 8_000)]
        receipt = owned.removeJobPrice(job_type_word("CHEAP_TASK"), sender=deployer)
        assert [(e.version, e.price) for e in receipt.events] == [(6, 0)]
        current = owned.params()
        assert current.version == owned.version() == 6
        prices = {bytes(row.jobType).rstrip(b"\0").decode(): row.price for row in current.prices}
        assert prices == {"FAST_LLM": 8_000, "FAST_TASK": 3_000, "CHEAP_LLM": 5_000, "GPU_BATCH": 250_000}
        with ape.reverts(owned.ProtocolParamsUnknownJobType):
            owned.jobPrice(job_type_word("CHEAP_TASK"))


def test_treasury_spends_are_numbered_and_do_not_touch_the_version(owned, deployer, chain) -> None:
    with isolated(chain):
        receipt = owned.approveTreasurySpend(5 * BOLT, SOLANA_RECIPIENT, sender=deployer)
        assert [(e.spendId, e.amount, bytes(e.recipient)) for e in receipt.events] == [(1, 5 * BOLT, SOLANA_RECIPIENT)]
        owned.approveTreasurySpend(1, SOLANA_RECIPIENT, sender=deployer)
        assert (owned.treasurySpends(), owned.version()) == (2, 0)
        with ape.reverts(owned.ProtocolParamsZeroSpend):
            owned.approveTreasurySpend(0, SOLANA_RECIPIENT, sender=deployer)
        with ape.reverts(owned.ProtocolParamsZeroRecipient):
            owned.approveTreasurySpend(1, bytes(32), sender=deployer)


def test_fee_cap(owned, deployer, chain) -> None:
    with isolated(chain):
        owned.setFeeBps(MAX_FEE_BPS, sender=deployer)
        owned.setFeeBps(0, sender=deployer)
        with ape.reverts(owned.ProtocolParamsFeeAboveCap, feeBps=MAX_FEE_BPS + 1, cap=MAX_FEE_BPS):
            owned.setFeeBps(MAX_FEE_BPS + 1, sender=deployer)


@pytest.mark.parametrize(
    ("verified", "sentinel"),
    [(0, 1_000 * BOLT), (1_001 * BOLT, 1_000 * BOLT), (0, 0)],
)
def test_thresholds_need_verified_at_most_sentinel(owned, deployer, verified, sentinel) -> None:
    with ape.reverts(owned.ProtocolParamsInvalidThresholds, verifiedThreshold=verified, sentinelThreshold=sentinel):
        owned.setTierThresholds(verified, sentinel, sender=deployer)


def test_thresholds_equal_and_at_supply_are_allowed_above_supply_not(owned, deployer, chain) -> None:
    with isolated(chain):
        owned.setTierThresholds(BOLT_SUPPLY, BOLT_SUPPLY, sender=deployer)
        with ape.reverts(owned.ProtocolParamsThresholdAboveSupply, sentinelThreshold=BOLT_SUPPLY + 1):
            owned.setTierThresholds(BOLT, BOLT_SUPPLY + 1, sender=deployer)


def test_cooldown_bound(owned, deployer, chain) -> None:
    with isolated(chain):
        owned.setUnstakeCooldown(MAX_COOLDOWN_SECONDS, sender=deployer)
        with ape.reverts(owned.ProtocolParamsCooldownTooLong, cooldown=MAX_COOLDOWN_SECONDS + 1):
            owned.setUnstakeCooldown(MAX_COOLDOWN_SECONDS + 1, sender=deployer)


def test_price_table_inputs(owned, deployer, chain) -> None:
    with isolated(chain):
        with ape.reverts(owned.ProtocolParamsZeroJobType):
            owned.setJobPrice(bytes(32), 1, sender=deployer)
        with ape.reverts(owned.ProtocolParamsZeroPrice):
            owned.setJobPrice(FAST_LLM, 0, sender=deployer)
        with ape.reverts(owned.ProtocolParamsUnknownJobType):
            owned.removeJobPrice(job_type_word("NOPE"), sender=deployer)
        for i in range(owned.MAX_JOB_TYPES() - 4):
            owned.setJobPrice(job_type_word(f"T{i}"), 1, sender=deployer)
        owned.setJobPrice(FAST_LLM, 2, sender=deployer)  # changing an existing row still fits
        with ape.reverts(owned.ProtocolParamsTooManyJobTypes):
            owned.setJobPrice(job_type_word("ONE_MORE"), 1, sender=deployer)


def test_constructor_checks_its_values(project, deployer) -> None:
    with ape.reverts(project.ProtocolParams.ProtocolParamsFeeAboveCap):
        deployer.deploy(project.ProtocolParams, deployer, MAX_FEE_BPS + 1, BOLT, BOLT, 0, [])
    with ape.reverts(project.ProtocolParams.ProtocolParamsInvalidThresholds):
        deployer.deploy(project.ProtocolParams, deployer, 500, 2 * BOLT, BOLT, 0, [])
    with ape.reverts(project.ProtocolParams.ProtocolParamsCooldownTooLong):
        deployer.deploy(project.ProtocolParams, deployer, 500, BOLT, BOLT, MAX_COOLDOWN_SECONDS + 1, [])


def test_ownership_moves_in_two_steps_only_through_the_owner(owned, deployer, outsider, chain) -> None:
    with isolated(chain):
        owned.transferOwnership(outsider, sender=deployer)
        assert owned.owner() == deployer.address  # pending until accepted
        owned.acceptOwnership(sender=outsider)
        with ape.reverts(owned.ProtocolParamsUnauthorized, caller=deployer.address):
            owned.setFeeBps(1, sender=deployer)

U64 = 2**64 - 1


def _python_accepts(check, *args) -> bool:
    try:
        check(*args)
    except ParamsError:
        return False
    return True


@settings(max_examples=40)
@given(
    fee=st.integers(0, 2**16 - 1) | st.sampled_from([MAX_FEE_BPS, MAX_FEE_BPS + 1]),
    verified=st.integers(0, U64) | st.sampled_from([0, 1, BOLT_SUPPLY, BOLT_SUPPLY + 1]),
    sentinel=st.integers(0, U64) | st.sampled_from([0, 1, BOLT_SUPPLY, BOLT_SUPPLY + 1]),
    cooldown=st.integers(0, 2**32 - 1) | st.sampled_from([MAX_COOLDOWN_SECONDS, MAX_COOLDOWN_SECONDS + 1]),
)
def test_contract_and_python_bounds_agree(owned, deployer, chain, fee, verified, sentinel, cooldown) -> None:
    """Fuzz: ProtocolParams accepts a value exactly when dispatch_chain.governance.params does (what the CLI checks)."""
    with isolated(chain):
        for call, args, check in (
            (owned.setFeeBps, (fee,), check_fee_bps),
            (owned.setTierThresholds, (verified, sentinel), check_thresholds),
            (owned.setUnstakeCooldown, (cooldown,), check_cooldown),
        ):
            accepted = _python_accepts(check, *args)
            if accepted:
                call(*args, sender=deployer)
            else:
                with ape.reverts():
                    call(*args, sender=deployer)
        current = owned.params()
        if _python_accepts(check_fee_bps, fee):
            assert current.feeBps == fee
        if _python_accepts(check_thresholds, verified, sentinel):
            assert (current.verifiedThreshold, current.sentinelThreshold) == (verified, sentinel)
