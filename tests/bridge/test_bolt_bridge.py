"""BoltBridge and WrappedBolt on anvil: threshold minting, replay, every revert path, limits, queue."""

from __future__ import annotations

import ape
import pytest

from dispatch_chain.bridge.message import BridgeMessage, chain_id_hash, evm_address_word
from dispatch_chain.hashing import keccak256

from support_bridge import (
    BOLT,
    INBOUND_LIMIT,
    OUTBOUND_LIMIT,
    PEER_BRIDGE,
    QUEUE_DELAY,
    SOLANA_CHAIN,
    deploy_pair,
    isolated,
)

PAUSER_ROLE = keccak256(b"PAUSER_ROLE")
INBOUND, OUTBOUND = 0, 1
NONE, QUEUED, EXECUTED = 0, 1, 2
SOLANA_RECIPIENT = bytes.fromhex("c7d1a0f2b3e4958677a8b9cadbecfd0e1f2031425364758697a8b9cadbecfd0e")


def _mint_to(bridge, attesters, inbound, recipient, amount) -> BridgeMessage:
    message = inbound.message(recipient.address, amount)
    for attester in attesters[:2]:
        bridge.attest(message.encode(), sender=attester)
    return message


# -- WrappedBolt ------------------------------------------------------------------------------

def test_wrapped_bolt_metadata_and_clock(token, bridge, chain) -> None:
    assert (token.name(), token.symbol(), token.decimals()) == ("Wrapped BOLT", "wBOLT", 9)
    assert token.bridge() == bridge.address
    assert token.CLOCK_MODE() == "mode=timestamp"
    assert token.clock() == chain.blocks.head.timestamp
    assert token.supportsInterface(bytes.fromhex("33331994"))  # IERC7802


def test_only_the_bridge_mints_and_burns(token, deployer, outsider, user) -> None:
    for sender in (deployer, outsider):
        with ape.reverts(token.WrappedBoltUnauthorizedBridge, caller=sender.address):
            token.crosschainMint(user, 1, sender=sender)
        with ape.reverts(token.WrappedBoltUnauthorizedBridge, caller=sender.address):
            token.crosschainBurn(user, 1, sender=sender)


def test_wrapped_bolt_refuses_a_zero_bridge(project, deployer) -> None:
    with ape.reverts(project.WrappedBolt.WrappedBoltZeroBridge):
        deployer.deploy(project.WrappedBolt, "0x" + "00" * 20)


def test_votes_follow_minted_balance_by_timestamp(bridge, token, attesters, inbound, user, chain) -> None:
    with isolated(chain):
        token.invoke_transaction("delegate", user, sender=user)  # token.delegate is ape's EIP-7702 property
        _mint_to(bridge, attesters, inbound, user, 7 * BOLT)
        minted_at = chain.blocks.head.timestamp
        assert token.getVotes(user) == token.balanceOf(user) == 7 * BOLT
        chain.mine(1, timestamp=minted_at + 10)
        assert token.getPastVotes(user, minted_at) == 7 * BOLT
        assert token.getPastVotes(user, minted_at - 1) == 0


# -- deployment -------------------------------------------------------------------------------

def test_bridge_refuses_a_token_bound_elsewhere(project, deployer, pauser, attesters, outsider) -> None:
    token = deployer.deploy(project.WrappedBolt, outsider)
    with ape.reverts(project.BoltBridge.BoltBridgeTokenNotBound, token=token.address):
        deployer.deploy(project.BoltBridge, 0, deployer, pauser, token, chain_id_hash(SOLANA_CHAIN), PEER_BRIDGE,
                        [a.address for a in attesters], 2, 1, 1, 0)


def test_bridge_refuses_a_threshold_above_its_attesters(project, deployer, pauser, attesters) -> None:
    with ape.reverts(project.BoltBridge.BoltBridgeInvalidThreshold, threshold=4, activeAttesters=3):
        deploy_pair(project, deployer, pauser, attesters, threshold=4)


def test_configuration_reads_back(bridge, token, deployer, pauser, attesters, chain) -> None:
    assert bridge.token() == token.address
    assert bridge.localChain() == chain_id_hash(f"eip155:{chain.chain_id}")
    assert bridge.peer() == (chain_id_hash(SOLANA_CHAIN), PEER_BRIDGE)
    assert bridge.threshold() == 2
    assert bridge.attesters() == [a.address for a in attesters]
    assert bridge.queueDelay() == QUEUE_DELAY
    assert bridge.rateLimit(INBOUND) == (INBOUND_LIMIT, INBOUND_LIMIT)
    assert bridge.rateLimit(OUTBOUND) == (OUTBOUND_LIMIT, OUTBOUND_LIMIT)
    assert bridge.hasRole(PAUSER_ROLE, pauser) and not bridge.hasRole(PAUSER_ROLE, deployer)
    assert bridge.owner() == deployer


# -- inbound: threshold, replay -------------------------------------------------------------------

def test_threshold_attestation_mints_once(bridge, token, attesters, inbound, user, chain) -> None:
    with isolated(chain):
        before = token.balanceOf(user)
        message = inbound.message(user.address, 42 * BOLT)
        digest = message.digest()
        tx = bridge.attest(message.encode(), sender=attesters[0])
        assert tx.return_value == digest
        assert [e.event_arguments for e in tx.events.filter(bridge.MessageAttested)] == [
            {"digest": digest, "attester": attesters[0].address, "attestations": 1}]
        assert token.balanceOf(user) == before
        assert bridge.messageStatus(digest) == (NONE, 1, 0)
        assert bridge.hasAttested(digest, attesters[0]) and not bridge.hasAttested(digest, attesters[1])

        tx = bridge.attest(message.encode(), sender=attesters[1])
        minted = tx.events.filter(bridge.TransferMinted)
        assert [e.event_arguments for e in minted] == [{"digest": digest, "recipient": user.address, "amount": 42 * BOLT,
                                              "sourceSequence": message.sequence}]
        assert token.balanceOf(user) == before + 42 * BOLT
        assert bridge.messageStatus(digest)[0] == EXECUTED
        assert bridge.totals()[0] >= 42 * BOLT

        # the third attester, or anyone replaying it, finds it executed
        with ape.reverts(bridge.BoltBridgeAlreadyExecuted, digest=digest):
            bridge.attest(message.encode(), sender=attesters[2])
        with ape.reverts(bridge.BoltBridgeAlreadyExecuted, digest=digest):
            bridge.execute(message.encode(), sender=attesters[2])
        assert token.balanceOf(user) == before + 42 * BOLT


def test_duplicate_attestation(bridge, attesters, inbound, user) -> None:
    message = inbound.message(user.address, BOLT)
    bridge.attest(message.encode(), sender=attesters[0])
    with ape.reverts(bridge.BoltBridgeDuplicateAttestation, digest=message.digest(), attester=attesters[0].address):
        bridge.attest(message.encode(), sender=attesters[0])


def test_unknown_attester(bridge, inbound, user, outsider, deployer) -> None:
    message = inbound.message(user.address, BOLT)
    for sender in (outsider, deployer):  # not even the admin attests
        with ape.reverts(bridge.BoltBridgeUnknownAttester, account=sender.address):
            bridge.attest(message.encode(), sender=sender)


def test_removed_attester_cannot_attest_and_stops_counting(bridge, token, deployer, attesters, inbound, user,
                                                           chain) -> None:
    with isolated(chain):
        message = inbound.message(user.address, 3 * BOLT)
        bridge.attest(message.encode(), sender=attesters[0])
        tx = bridge.removeAttester(attesters[0], sender=deployer)
        assert [e.event_arguments for e in tx.events.filter(bridge.AttesterRemoved)] == [{"attester": attesters[0].address}]
        assert not bridge.isAttester(attesters[0])
        assert bridge.messageStatus(message.digest())[1] == 0
        with ape.reverts(bridge.BoltBridgeUnknownAttester, account=attesters[0].address):
            bridge.attest(message.encode(), sender=attesters[0])
        bridge.attest(message.encode(), sender=attesters[1])
        assert bridge.messageStatus(message.digest()) == (NONE, 1, 0)  # 1 of 2: nothing minted
        before = token.balanceOf(user)
        bridge.addAttester(attesters[0], sender=deployer)  # back in its old slot: its attestation counts again
        bridge.execute(message.encode(), sender=user)
        assert token.balanceOf(user) == before + 3 * BOLT


def test_execute_after_threshold_lowered(bridge, token, deployer, attesters, inbound, user, outsider, chain) -> None:
    with isolated(chain):
        message = inbound.message(user.address, 5 * BOLT)
        bridge.attest(message.encode(), sender=attesters[0])
        with ape.reverts(bridge.BoltBridgeThresholdNotReached, digest=message.digest(), attestations=1, threshold=2):
            bridge.execute(message.encode(), sender=outsider)
        bridge.setThreshold(1, sender=deployer)
        before = token.balanceOf(user)
        bridge.execute(message.encode(), sender=outsider)
        assert token.balanceOf(user) == before + 5 * BOLT


# -- inbound: malformed or misaddressed messages ------------------------------------------------------

@pytest.mark.parametrize("case", ["destination", "source_chain", "source_bridge", "amount", "recipient_high",
                                  "recipient_zero", "version", "kind"])
def test_malformed_inbound_messages(bridge, attesters, inbound, user, case) -> None:
    other_chain = chain_id_hash("eip155:10143")
    changes, error, args = {
        "destination": ({"destination_chain": other_chain}, "BoltBridgeWrongDestinationChain",
                        {"destinationChain": other_chain}),
        "source_chain": ({"source_chain": other_chain}, "BoltBridgeWrongSourceChain", {"sourceChain": other_chain}),
        "source_bridge": ({"source_bridge": b"\x01" * 32}, "BoltBridgeWrongSourceBridge",
                          {"sourceBridge": b"\x01" * 32}),
        "amount": ({"amount": 0}, "BoltBridgeZeroAmount", {}),
        "recipient_high": ({"recipient": b"\x01" + evm_address_word(user.address)[1:]},
                           "BoltBridgeMalformedRecipient", {"recipient": b"\x01" + evm_address_word(user.address)[1:]}),
        "recipient_zero": ({"recipient": bytes(32)}, "BoltBridgeMalformedRecipient", {"recipient": bytes(32)}),
        "version": ({"version": 2}, "BoltBridgeUnsupportedMessage", {"version": 2, "kind": 1}),
        "kind": ({"kind": 2}, "BoltBridgeUnsupportedMessage", {"version": 1, "kind": 2}),
    }[case]
    message = inbound.message(user.address, changes.pop("amount", BOLT), **changes)
    with ape.reverts(getattr(bridge, error), **args):
        bridge.attest(message.encode(), sender=attesters[0])


@pytest.mark.parametrize("length", [0, 177, 179])
def test_message_of_wrong_length(bridge, attesters, inbound, user, length) -> None:
    encoded = (inbound.message(user.address, BOLT).encode() + b"\x00")[:length]
    with ape.reverts(bridge.BoltBridgeInvalidMessageLength, length=length):
        bridge.attest(encoded, sender=attesters[0])


# -- pause ----------------------------------------------------------------------------------------

def test_pauser_pauses_only_admin_unpauses(bridge, token, deployer, pauser, attesters, inbound, user, outsider,
                                           chain) -> None:
    with isolated(chain):
        message = _mint_to(bridge, attesters, inbound, user, 2 * BOLT)
        with ape.reverts(bridge.AccessControlUnauthorizedAccount, account=outsider.address, neededRole=PAUSER_ROLE):
            bridge.pause(sender=outsider)
        bridge.pause(sender=pauser)
        pending = inbound.message(user.address, BOLT)
        with ape.reverts(bridge.EnforcedPause):
            bridge.attest(pending.encode(), sender=attesters[0])
        with ape.reverts(bridge.EnforcedPause):
            bridge.execute(message.encode(), sender=user)
        with ape.reverts(bridge.EnforcedPause):
            bridge.completeQueued(message.encode(), sender=user)
        with ape.reverts(bridge.EnforcedPause):
            bridge.sendToSolana(BOLT, SOLANA_RECIPIENT, sender=user)
        with ape.reverts(bridge.AccessControlUnauthorizedAccount, account=pauser.address, neededRole=bytes(32)):
            bridge.unpause(sender=pauser)
        bridge.unpause(sender=deployer)
        bridge.attest(pending.encode(), sender=attesters[0])


# -- rate limits and the queue ----------------------------------------------------------------------

def test_inbound_over_the_limit_is_queued_then_completed_after_the_delay(bridge, token, attesters, inbound, user,
                                                                         outsider, chain) -> None:
    with isolated(chain):
        message = inbound.message(user.address, INBOUND_LIMIT + 1)
        digest = message.digest()
        before = token.balanceOf(user)
        bridge.attest(message.encode(), sender=attesters[0])
        tx = bridge.attest(message.encode(), sender=attesters[1])
        queued = [e.event_arguments for e in tx.events.filter(bridge.InboundTransferQueued)]
        ready_at = tx.timestamp + QUEUE_DELAY
        assert queued == [{"digest": digest, "recipient": user.address, "amount": INBOUND_LIMIT + 1,
                           "readyAt": ready_at}]
        assert token.balanceOf(user) == before
        assert bridge.messageStatus(digest) == (QUEUED, 2, ready_at)
        with ape.reverts(bridge.BoltBridgeAlreadyQueued, digest=digest):
            bridge.attest(message.encode(), sender=attesters[2])
        with ape.reverts(bridge.BoltBridgeQueueDelayNotElapsed, digest=digest, readyAt=ready_at):
            bridge.completeQueued(message.encode(), sender=outsider)
        chain.pending_timestamp = ready_at - 2
        with ape.reverts(bridge.BoltBridgeQueueDelayNotElapsed):
            bridge.completeQueued(message.encode(), sender=outsider)
        chain.pending_timestamp = ready_at
        tx = bridge.completeQueued(message.encode(), sender=outsider)
        assert [e.event_arguments["amount"] for e in tx.events.filter(bridge.TransferMinted)] == [INBOUND_LIMIT + 1]
        assert token.balanceOf(user) == before + INBOUND_LIMIT + 1
        with ape.reverts(bridge.BoltBridgeNotQueued, digest=digest):
            bridge.completeQueued(message.encode(), sender=outsider)
        with ape.reverts(bridge.BoltBridgeAlreadyExecuted, digest=digest):
            bridge.attest(message.encode(), sender=attesters[2])


def test_rate_limit_refills_linearly_over_a_day(bridge, attesters, inbound, user, chain) -> None:
    with isolated(chain):
        _mint_to(bridge, attesters, inbound, user, INBOUND_LIMIT)  # drains the bucket
        start = chain.blocks.head.timestamp
        assert bridge.rateLimit(INBOUND)[1] == 0
        chain.mine(1, timestamp=start + 6 * 3600)
        assert bridge.rateLimit(INBOUND)[1] == INBOUND_LIMIT // 4
        # a transfer within the refilled capacity passes, one above it is queued
        _mint_to(bridge, attesters, inbound, user, INBOUND_LIMIT // 8)
        message = _mint_to(bridge, attesters, inbound, user, INBOUND_LIMIT // 4)
        assert bridge.messageStatus(message.digest())[0] == QUEUED
        chain.mine(1, timestamp=start + 3 * 86_400)
        assert bridge.rateLimit(INBOUND)[1] == INBOUND_LIMIT  # capped at the limit


def test_set_rate_limit_adjusts_available_capacity(bridge, deployer, outsider, chain) -> None:
    with isolated(chain):
        with ape.reverts(bridge.AccessControlUnauthorizedAccount):
            bridge.setRateLimit(OUTBOUND, 1, sender=outsider)
        tx = bridge.setRateLimit(OUTBOUND, OUTBOUND_LIMIT // 2, sender=deployer)
        assert [e.event_arguments for e in tx.events.filter(bridge.RateLimitSet)] == [
            {"direction": OUTBOUND, "limit": OUTBOUND_LIMIT // 2, "available": OUTBOUND_LIMIT // 2}]
        bridge.setRateLimit(OUTBOUND, OUTBOUND_LIMIT * 2, sender=deployer)
        assert bridge.rateLimit(OUTBOUND) == (OUTBOUND_LIMIT * 2, OUTBOUND_LIMIT * 2)


# -- outbound -------------------------------------------------------------------------------------

def test_send_to_solana_burns_and_emits_the_message(bridge, token, attesters, inbound, user, chain) -> None:
    with isolated(chain):
        _mint_to(bridge, attesters, inbound, user, 100 * BOLT)
        supply, balance, sequence = token.totalSupply(), token.balanceOf(user), bridge.nextSequence()
        tx = bridge.sendToSolana(30 * BOLT, SOLANA_RECIPIENT, sender=user)
        [sent] = [e.event_arguments for e in tx.events.filter(bridge.MessageSent)]
        message = BridgeMessage.decode(bytes(sent["message"]))
        assert message == BridgeMessage(
            source_chain=chain_id_hash(f"eip155:{chain.chain_id}"), source_bridge=evm_address_word(bridge.address),
            sequence=sequence, amount=30 * BOLT, sender=evm_address_word(user.address), recipient=SOLANA_RECIPIENT,
            destination_chain=chain_id_hash(SOLANA_CHAIN))
        assert sent["digest"] == message.digest() and sent["sequence"] == sequence and sent["sender"] == user.address
        assert list(tx.return_value) == [sequence, message.digest()]
        assert token.balanceOf(user) == balance - 30 * BOLT
        assert token.totalSupply() == supply - 30 * BOLT
        assert bridge.nextSequence() == sequence + 1
        tx = bridge.sendToSolana(1, SOLANA_RECIPIENT, sender=user)
        assert tx.events.filter(bridge.MessageSent)[0]["sequence"] == sequence + 1


def test_send_to_solana_bad_input(bridge, token, user, outsider) -> None:
    with ape.reverts(bridge.BoltBridgeZeroAmount):
        bridge.sendToSolana(0, SOLANA_RECIPIENT, sender=user)
    with ape.reverts(bridge.BoltBridgeAmountTooLarge, amount=2**64):
        bridge.sendToSolana(2**64, SOLANA_RECIPIENT, sender=user)
    with ape.reverts(bridge.BoltBridgeMalformedRecipient, recipient=bytes(32)):
        bridge.sendToSolana(1, bytes(32), sender=user)
    with ape.reverts(token.ERC20InsufficientBalance, sender=outsider.address, balance=0, needed=1):
        bridge.sendToSolana(1, SOLANA_RECIPIENT, sender=outsider)


def test_outbound_over_the_limit_is_queued_then_sent(bridge, token, attesters, inbound, user, outsider,
                                                     chain) -> None:
    with isolated(chain):
        _mint_to(bridge, attesters, inbound, user, OUTBOUND_LIMIT + 1)
        supply = token.totalSupply()
        tx = bridge.sendToSolana(OUTBOUND_LIMIT + 1, SOLANA_RECIPIENT, sender=user)
        assert not tx.events.filter(bridge.MessageSent)
        [queued] = [e.event_arguments for e in tx.events.filter(bridge.OutboundTransferQueued)]
        assert token.totalSupply() == supply - OUTBOUND_LIMIT - 1  # burned at once
        assert queued["readyAt"] == tx.timestamp + QUEUE_DELAY
        with ape.reverts(bridge.BoltBridgeQueueDelayNotElapsed, digest=queued["digest"], readyAt=queued["readyAt"]):
            bridge.completeQueued(queued["message"], sender=outsider)
        chain.pending_timestamp = queued["readyAt"]
        tx = bridge.completeQueued(queued["message"], sender=outsider)
        [sent] = [e.event_arguments for e in tx.events.filter(bridge.MessageSent)]
        assert (sent["digest"], sent["sequence"], bytes(sent["message"])) == (
            queued["digest"], queued["sequence"], bytes(queued["message"]))


# -- administration -------------------------------------------------------------------------------

def test_admin_only_setters(bridge, pauser, attesters, outsider) -> None:
    for call in (lambda s: bridge.addAttester(outsider, sender=s), lambda s: bridge.removeAttester(attesters[0], sender=s),
                 lambda s: bridge.setThreshold(1, sender=s), lambda s: bridge.setQueueDelay(1, sender=s),
                 lambda s: bridge.setPeer(b"\x01" * 32, b"\x02" * 32, sender=s)):
        for sender in (outsider, pauser, attesters[0]):
            with ape.reverts(bridge.AccessControlUnauthorizedAccount):
                call(sender)


def test_attester_set_changes(bridge, deployer, attesters, outsider, chain) -> None:
    with isolated(chain):
        with ape.reverts(bridge.BoltBridgeAttesterAlreadyActive, attester=attesters[0].address):
            bridge.addAttester(attesters[0], sender=deployer)
        with ape.reverts(bridge.BoltBridgeZeroAddress):
            bridge.addAttester("0x" + "00" * 20, sender=deployer)
        with ape.reverts(bridge.BoltBridgeUnknownAttester, account=outsider.address):
            bridge.removeAttester(outsider, sender=deployer)
        tx = bridge.addAttester(outsider, sender=deployer)
        assert [e.event_arguments for e in tx.events.filter(bridge.AttesterAdded)] == [{"attester": outsider.address, "slot": 3}]
        bridge.removeAttester(attesters[0], sender=deployer)
        bridge.removeAttester(attesters[1], sender=deployer)
        with ape.reverts(bridge.BoltBridgeInvalidThreshold, threshold=2, activeAttesters=1):
            bridge.removeAttester(attesters[2], sender=deployer)
        with ape.reverts(bridge.BoltBridgeInvalidThreshold, threshold=3, activeAttesters=2):
            bridge.setThreshold(3, sender=deployer)
        with ape.reverts(bridge.BoltBridgeInvalidThreshold, threshold=0, activeAttesters=2):
            bridge.setThreshold(0, sender=deployer)
        tx = bridge.setThreshold(1, sender=deployer)
        assert [e.event_arguments for e in tx.events.filter(bridge.ThresholdSet)] == [{"previous": 2, "threshold": 1}]
        assert bridge.attesters() == [attesters[2].address, outsider.address]


def test_peer_and_delay_changes(bridge, deployer, chain) -> None:
    with isolated(chain):
        local = chain_id_hash(f"eip155:{chain.chain_id}")
        for bad_chain, bad_bridge in ((bytes(32), PEER_BRIDGE), (chain_id_hash(SOLANA_CHAIN), bytes(32)),
                                      (local, PEER_BRIDGE)):
            with ape.reverts(bridge.BoltBridgeInvalidPeer):
                bridge.setPeer(bad_chain, bad_bridge, sender=deployer)
        tx = bridge.setPeer(b"\x05" * 32, b"\x06" * 32, sender=deployer)
        assert [e.event_arguments for e in tx.events.filter(bridge.PeerSet)] == [{"chain": b"\x05" * 32, "bridge": b"\x06" * 32}]
        tx = bridge.setQueueDelay(60, sender=deployer)
        assert [e.event_arguments for e in tx.events.filter(bridge.QueueDelaySet)] == [{"previous": QUEUE_DELAY, "delay": 60}]


def test_permit_sets_an_allowance_from_a_signature(token, user, outsider, chain) -> None:
    from dispatch_chain.keys import dev_account

    from support import sign_permit

    owner = dev_account(5)
    assert owner.address == user.address
    deadline = chain.blocks.head.timestamp + 3600
    nonce = token.nonces(owner.address)
    v, r, s = sign_permit("Wrapped BOLT", chain.chain_id, token.address, owner, outsider.address, 5 * BOLT, nonce,
                          deadline)
    with isolated(chain):
        token.permit(owner.address, outsider, 5 * BOLT, deadline, v, r, s, sender=outsider)
        assert token.allowance(owner.address, outsider) == 5 * BOLT
        assert token.nonces(owner.address) == nonce + 1
        with ape.reverts(token.ERC2612InvalidSigner):  # replaying the permit: the nonce moved on
            token.permit(owner.address, outsider, 5 * BOLT, deadline, v, r, s, sender=outsider)


def test_attester_slots_run_out_after_128(bridge, deployer, chain) -> None:
    with isolated(chain):
        used = 3
        for i in range(128 - used):
            bridge.addAttester(f"0x{0x1000 + i:040x}", sender=deployer)
        with ape.reverts(bridge.BoltBridgeTooManyAttesters):
            bridge.addAttester(f"0x{0x9999:040x}", sender=deployer)
        bridge.removeAttester(f"0x{0x1000:040x}", sender=deployer)  # a freed bit is never reassigned
        with ape.reverts(bridge.BoltBridgeTooManyAttesters):
            bridge.addAttester(f"0x{0x9999:040x}", sender=deployer)
        bridge.addAttester(f"0x{0x1000:040x}", sender=deployer)  # but its owner gets it back
        assert len(bridge.attesters()) == 128
