"""The Python BoltBridge client on anvil: typed exceptions for every refusal, events, batched tier reads."""

from __future__ import annotations

import pytest
from web3 import Web3

from dispatch_chain.bridge import errors
from dispatch_chain.bridge.evm import EvmBoltBridge, MessageState, Status
from dispatch_chain.bridge.message import BridgeMessage, evm_address_word
from dispatch_chain.bridge.supply import executed_on_monad, read_monad_supply, supply_report
from dispatch_chain.bridge.tiers import WrappedTierReader
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import rpc_call
from dispatch_chain.protocol import Tier

from support import dev_network
from support_bridge import BOLT, INBOUND_LIMIT, OUTBOUND_LIMIT, QUEUE_DELAY, isolated

SOLANA_RECIPIENT = bytes(range(1, 33))


@pytest.fixture(scope="module")
def evm_client(chain) -> EvmClient:
    return EvmClient(dev_network(chain.provider.uri, chain.chain_id))


@pytest.fixture(scope="module")
def client(evm_client, bridge) -> EvmBoltBridge:
    return EvmBoltBridge(evm_client, bridge.address)


@pytest.fixture(scope="module")
def senders(evm_client):
    """TxSenders of the same dev accounts the conftest uses: 1 pauser, 2-4 attesters, 5 user, 9 outsider."""
    return {i: TxSender(evm_client, dev_account(i)) for i in (0, 1, 2, 3, 4, 5, 9)}


def _mint(client, senders, inbound, to: str, amount: int) -> BridgeMessage:
    message = inbound.message(to, amount)
    client.attest(senders[2], message)
    receipt = client.attest(senders[3], message)
    assert client.minted_in_receipt(receipt)[0]["amount"] == amount
    return message


def test_config_reads(client, token, attesters) -> None:
    config = client.config()
    assert config.token == token.address
    assert config.threshold == 2 and config.attesters == tuple(a.address for a in attesters)
    assert config.queue_delay == QUEUE_DELAY and not config.paused
    assert config.inbound.limit == INBOUND_LIMIT and config.outbound.limit == OUTBOUND_LIMIT


def test_attestation_refusals_are_typed(client, senders, inbound, user, chain) -> None:
    with isolated(chain):
        message = inbound.message(user.address, 2 * BOLT)
        with pytest.raises(errors.UnknownAttester) as info:
            client.attest(senders[9], message)
        assert info.value.values == {"account": senders[9].address} and info.value.error == "BoltBridgeUnknownAttester"
        client.attest(senders[2], message)
        assert client.has_attested(message.digest(), senders[2].address)
        assert client.message_state(message.digest()) == MessageState(Status.NONE, 1, 0)
        with pytest.raises(errors.DuplicateAttestation):
            client.attest(senders[2], message)
        client.attest(senders[3], message)
        assert client.message_state(message.digest()).status is Status.EXECUTED
        with pytest.raises(errors.AlreadyExecuted):
            client.attest(senders[4], message)
        with pytest.raises(errors.WrongDestinationChain):
            client.attest(senders[2], inbound.message(user.address, 1, destination_chain=b"\x07" * 32))
        with pytest.raises(errors.MalformedRecipient):
            client.attest(senders[2], inbound.message(user.address, 1, recipient=b"\x01" * 32))
        with pytest.raises(errors.InvalidMessageLength):
            client.attest(senders[2], message.encode()[:-1])


def test_a_revert_on_chain_is_named_by_replay(client, senders, inbound, user, chain) -> None:
    """Two signed attestations of one message from one attester: the second lands and reverts."""
    with isolated(chain):
        message = inbound.message(user.address, BOLT)
        call = client.attest_call(message)
        first = client.prepare(senders[2], call)
        second = client.prepare(senders[2], call, nonce=first.nonce + 1, gas=200_000)
        senders[2].broadcast(first)
        client.confirm(senders[2], call, first)
        senders[2].broadcast(second)
        with pytest.raises(errors.DuplicateAttestation) as info:
            client.confirm(senders[2], call, second)
        assert info.value.tx == second.tx_hash


def test_send_to_solana_and_its_refusals(client, senders, inbound, user, pauser, deployer, bridge, chain) -> None:
    with isolated(chain):
        _mint(client, senders, inbound, user.address, 50 * BOLT)
        start = chain.blocks.head.number
        sent = client.send_to_solana(senders[5], 20 * BOLT, SOLANA_RECIPIENT)
        assert (sent.message.amount, sent.message.recipient, sent.queued) == (20 * BOLT, SOLANA_RECIPIENT, False)
        assert sent.message.sender == evm_address_word(user.address)
        assert client.balance_of(user.address) == 30 * BOLT
        assert [m.digest for m in client.outbound_messages(start, chain.blocks.head.number)] == [sent.digest]
        with pytest.raises(errors.ZeroAmount):
            client.send_to_solana(senders[5], 0, SOLANA_RECIPIENT)
        with pytest.raises(errors.AmountTooLarge):
            client.send_to_solana(senders[5], 2**64, SOLANA_RECIPIENT)
        with pytest.raises(errors.MalformedRecipient):
            client.send_to_solana(senders[5], 1, bytes(32))
        with pytest.raises(errors.InsufficientWrappedBalance):
            client.send_to_solana(senders[5], 31 * BOLT, SOLANA_RECIPIENT)
        bridge.pause(sender=pauser)
        with pytest.raises(errors.BridgePaused):
            client.send_to_solana(senders[5], 1, SOLANA_RECIPIENT)
        assert client.config().paused
        with pytest.raises(errors.Unauthorized):
            client.transact(senders[1], client.contract.functions.unpause())


def test_queues_in_both_directions(client, senders, inbound, user, chain) -> None:
    with isolated(chain):
        start = chain.blocks.head.number
        big = inbound.message(user.address, INBOUND_LIMIT + 5)
        client.attest(senders[2], big)
        client.attest(senders[3], big)
        [queued] = client.queued_inbound(start, chain.blocks.head.number)
        assert (queued.digest, queued.amount) == (big.digest(), INBOUND_LIMIT + 5)
        assert client.balance_of(user.address) == 0
        with pytest.raises(errors.QueueDelayNotElapsed):
            client.complete_queued(senders[9], big)
        with pytest.raises(errors.AlreadyQueued):
            client.attest(senders[4], big)
        chain.mine(1, timestamp=queued.ready_at)  # the client simulates on the latest block
        client.complete_queued(senders[9], big)
        assert client.balance_of(user.address) == INBOUND_LIMIT + 5
        out = client.send_to_solana(senders[5], OUTBOUND_LIMIT + 1, SOLANA_RECIPIENT)
        assert out.queued and out.ready_at > 0
        assert client.balance_of(user.address) == INBOUND_LIMIT + 5 - (OUTBOUND_LIMIT + 1)  # burned at once
        assert client.outbound_messages(start, chain.blocks.head.number, queued=True)[0].digest == out.digest
        assert client.outbound_messages(start, chain.blocks.head.number) == []
        with pytest.raises(errors.QueueDelayNotElapsed):
            client.complete_queued(senders[9], out.message)
        chain.mine(1, timestamp=out.ready_at)
        client.complete_queued(senders[9], out.message)
        with pytest.raises(errors.NotQueued):
            client.complete_queued(senders[9], out.message)
        sent = client.outbound_messages(start, chain.blocks.head.number)
        assert [m.digest for m in sent] == [out.digest]
        assert client.config().outbound.available == OUTBOUND_LIMIT  # queued completion takes no capacity


def test_tier_reader_reads_many_balances_in_few_batches(evm_client, client, senders, inbound, token, bridge,
                                                        deployer, chain) -> None:
    with isolated(chain):
        bridge.setRateLimit(0, 10**6 * BOLT, sender=deployer)
        funded = {dev_account(6).address: 1_000 * BOLT, dev_account(7).address: 100 * BOLT,
                  dev_account(8).address: 100 * BOLT - 1}
        for address, amount in funded.items():
            _mint(client, senders, inbound, address, amount)
        workers = [Web3.to_checksum_address(f"0x{i:040x}") for i in range(1, 248)] + list(funded)
        clock = [0.0]
        reader = WrappedTierReader(evm_client, token.address, batch_limit=100, ttl=10, clock=lambda: clock[0])
        stakes = reader.stakes(workers)
        assert reader.rpc_requests == 1 + 3  # the block number, then 250 balances in 3 batches
        assert len(stakes) == 250
        tiers = reader.tiers(funded)
        assert list(tiers.values()) == [Tier.SENTINEL, Tier.VERIFIED, Tier.OPEN]
        assert stakes[dev_account(7).address].balance == 100 * BOLT
        assert all(stakes[w].tier is Tier.OPEN and stakes[w].balance == 0 for w in workers[:247])
        assert reader.rpc_requests == 4  # cached
        clock[0] = 11
        reader.tiers(funded)
        assert reader.rpc_requests == 6
        strict = WrappedTierReader(evm_client, token.address, verified=200 * BOLT, sentinel=2_000 * BOLT)
        assert list(strict.tiers(funded).values()) == [Tier.VERIFIED, Tier.OPEN, Tier.OPEN]


def test_estimates_leave_room_for_new_vote_checkpoints(client, senders, inbound, user, chain) -> None:
    """A burn mined in a later second than its estimate pushes a new total-supply checkpoint that the
    estimate (which updated the previous block's checkpoint in place) did not pay for."""
    with isolated(chain):
        _mint(client, senders, inbound, user.address, 3 * BOLT)
        client.send_to_solana(senders[5], BOLT, SOLANA_RECIPIENT)  # the outbound counters' slot exists from now
        _mint(client, senders, inbound, user.address, 3 * BOLT)  # a supply checkpoint at the head's timestamp
        call = client.contract.functions.sendToSolana(BOLT, SOLANA_RECIPIENT)
        prepared = client.prepare(senders[5], call)
        rpc_call(chain.provider.uri, "evm_setNextBlockTimestamp", [chain.blocks.head.timestamp + 5])
        senders[5].broadcast(prepared)
        receipt = client.confirm(senders[5], call, prepared)
        assert receipt["status"] == 1


def test_monad_side_of_the_supply_invariant(client, senders, inbound, user, bridge, deployer, chain) -> None:
    with isolated(chain):
        bridge.setRateLimit(1, 10 * BOLT, sender=deployer)
        locks = {m.digest(): m.amount for m in (_mint(client, senders, inbound, user.address, 30 * BOLT),
                                                 _mint(client, senders, inbound, user.address, 20 * BOLT))}
        waiting = inbound.message(user.address, 4 * BOLT)  # locked on Solana, attested once: not minted
        client.attest(senders[2], waiting)
        locks[waiting.digest()] = waiting.amount
        first = client.send_to_solana(senders[5], 5 * BOLT, SOLANA_RECIPIENT)
        queued = client.send_to_solana(senders[5], 8 * BOLT, SOLANA_RECIPIENT)  # over the 10 BOLT outbound limit
        assert queued.queued
        monad = read_monad_supply(client)
        assert (monad.wrapped_supply, monad.minted, monad.burned) == (37 * BOLT, 50 * BOLT, 13 * BOLT)
        assert {(r.sequence, r.amount, r.queued) for r in monad.outbound} == {
            (first.message.sequence, 5 * BOLT, False), (queued.message.sequence, 8 * BOLT, True)}
        minted = executed_on_monad(client, locks)
        assert minted == set(locks) - {waiting.digest()}
        # custody holds everything locked (54) minus what was released (the first burn, 5)
        report = supply_report(monad, custody=49 * BOLT, released_on_solana=[first.digest],
                               locked_on_solana=locks, minted_on_monad=minted)
        assert report.ok and report.burned_not_released == 8 * BOLT and report.surplus == 4 * BOLT
        assert report.locked_not_minted == 4 * BOLT and report.in_flight_to_monad == (waiting.digest(),)
        assert report.in_flight_to_solana == (queued.digest,)
        # releasing the queued burn on Solana before it is even sent would break the invariant
        broken = supply_report(monad, custody=41 * BOLT, released_on_solana=[first.digest], locked_on_solana=locks,
                               minted_on_monad=minted)
        assert not broken.ok and broken.surplus == -4 * BOLT
