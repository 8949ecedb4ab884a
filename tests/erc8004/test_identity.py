"""Identity binding: ed25519 key <-> ERC-8004 agent, checked by every reader."""

from __future__ import annotations

import pytest
from web3.logs import DISCARD

from dispatch_chain.erc8004.binding import (
    METADATA_BINDING,
    METADATA_PUBKEY,
    BindingError,
    derived_owner,
    sign_binding,
    worker_key,
)
from dispatch_chain.erc8004.identity import ClaimRejected, IdentityResolver, UnknownWorker, agent_id_from_agent_file
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.hashing import keccak256
from dispatch_chain.keys import dev_account

from support import make_worker


def test_register_and_resolve(identity, resolver) -> None:
    worker = make_worker(11)
    registration = identity.register_worker(worker, dev_account(2), "https://example.org/worker-11.json")
    assert identity.owner_of(registration.agent_id) == dev_account(2).address
    binding = identity.binding_of(registration.agent_id)
    assert binding.pubkey == bytes(worker.verify_key)
    with pytest.raises(UnknownWorker, match="claimed no ERC-8004 agent"):
        resolver.resolve(bytes(worker.verify_key))  # nothing is looked up in the registry's history
    assert resolver.claim(bytes(worker.verify_key), registration.agent_id) == registration.agent_id
    assert resolver.resolve(bytes(worker.verify_key)) == registration.agent_id


def test_cache_survives_a_restart(identity, tmp_path) -> None:
    worker = make_worker(12)
    agent_id = identity.register_worker(worker, dev_account(3)).agent_id
    path = tmp_path / "cache.sqlite"
    first = IdentityResolver(identity, path)
    first.claim(bytes(worker.verify_key), agent_id)
    assert first.resolve(bytes(worker.verify_key)) == agent_id
    first.close()
    again = IdentityResolver(identity, path)
    assert again.cached(bytes(worker.verify_key)) == agent_id  # no chain read needed
    again.close()


def test_a_copied_binding_is_rejected(identity, resolver, evm_client) -> None:
    victim = make_worker(13)
    victim_agent = identity.register_worker(victim, dev_account(4)).agent_id
    # The attacker copies the victim's key and signature onto an agent it owns.
    attacker = dev_account(5)
    copied = sign_binding(victim, evm_client.network.chain_id, identity.address, dev_account(4).address)
    sender = TxSender(evm_client, attacker)
    call = identity.contract.functions.register("", [(METADATA_PUBKEY, bytes(victim.verify_key)),
                                                     (METADATA_BINDING, copied)])
    prepared = sender.prepare(call, contract="IdentityRegistry")
    sender.broadcast(prepared)
    receipt = sender.wait(prepared.tx_hash)
    fake_agent = identity.contract.events.Registered().process_receipt(receipt, errors=DISCARD)[0]["args"]["agentId"]
    with pytest.raises(BindingError, match="does not verify"):
        identity.binding_of(fake_agent)
    with pytest.raises(ClaimRejected, match="does not verify"):
        resolver.claim(bytes(victim.verify_key), fake_agent)  # someone claims the copy for the victim
    assert fake_agent in resolver.rejected()
    assert resolver.claim(bytes(victim.verify_key), victim_agent) == victim_agent
    with pytest.raises(ClaimRejected):
        resolver.claim(bytes(victim.verify_key), fake_agent)  # a bad claim never replaces a verified one
    assert resolver.resolve(bytes(victim.verify_key)) == victim_agent


def test_a_claim_of_another_workers_agent_is_rejected(identity, resolver) -> None:
    owner_worker, claimant = make_worker(19), make_worker(20)
    agent_id = identity.register_worker(owner_worker, dev_account(4)).agent_id
    with pytest.raises(ClaimRejected, match="which binds"):
        resolver.claim(bytes(claimant.verify_key), agent_id)
    with pytest.raises(ClaimRejected, match="does not exist"):
        resolver.claim(bytes(claimant.verify_key), 10**9)
    with pytest.raises(UnknownWorker):
        resolver.resolve(bytes(claimant.verify_key))


def test_agent_id_from_an_erc8004_agent_file(identity) -> None:
    registry = f"eip155:31337:{identity.address}"
    document = {"type": "https://eips.ethereum.org/EIPS/eip-8004#registration-v1", "name": "w",
                "registrations": [{"agentId": 5, "agentRegistry": "eip155:10143:0x" + "11" * 20},
                                  {"agentId": 7, "agentRegistry": registry.lower()}]}
    assert agent_id_from_agent_file(document, 31337, identity.address) == 7
    with pytest.raises(ClaimRejected, match="no registration on"):
        agent_id_from_agent_file({"registrations": []}, 31337, identity.address)
    with pytest.raises(ClaimRejected, match="not an unsigned integer"):
        agent_id_from_agent_file({"registrations": [{"agentId": -1, "agentRegistry": registry}]}, 31337,
                                 identity.address)
    with pytest.raises(ClaimRejected, match="registrations"):
        agent_id_from_agent_file([], 31337, identity.address)


def test_a_garbage_binding_alone_resolves_nobody(identity, resolver, evm_client) -> None:
    worker = make_worker(14)
    sender = TxSender(evm_client, dev_account(6))
    call = identity.contract.functions.register("", [(METADATA_PUBKEY, bytes(worker.verify_key)),
                                                     (METADATA_BINDING, b"\x01" * 64)])
    prepared = sender.prepare(call, contract="IdentityRegistry")
    sender.broadcast(prepared)
    receipt = sender.wait(prepared.tx_hash)
    agent_id = identity.contract.events.Registered().process_receipt(receipt, errors=DISCARD)[0]["args"]["agentId"]
    with pytest.raises(ClaimRejected, match="does not verify"):
        resolver.claim(bytes(worker.verify_key), agent_id)
    with pytest.raises(UnknownWorker):
        resolver.resolve(bytes(worker.verify_key))


def test_transfer_invalidates_until_rebound(identity, evm_client, tmp_path) -> None:
    worker = make_worker(15)
    old_owner, new_owner = dev_account(7), dev_account(8)
    agent_id = identity.register_worker(worker, old_owner).agent_id
    now = [0.0]
    resolver = IdentityResolver(identity, tmp_path / "transfer.sqlite", recheck_after=60, clock=lambda: now[0])
    resolver.claim(bytes(worker.verify_key), agent_id)
    assert resolver.resolve(bytes(worker.verify_key)) == agent_id
    sender = TxSender(evm_client, old_owner)
    prepared = sender.prepare(identity.contract.functions.transferFrom(old_owner.address, new_owner.address, agent_id),
                              contract="IdentityRegistry")
    sender.broadcast(prepared)
    sender.wait(prepared.tx_hash)
    assert resolver.resolve(bytes(worker.verify_key)) == agent_id  # trusted until the claim is rechecked
    now[0] = 61
    with pytest.raises(UnknownWorker, match="does not verify for owner"):
        resolver.resolve(bytes(worker.verify_key))
    identity.rebind(agent_id, worker, new_owner)
    now[0] = 122
    assert resolver.resolve(bytes(worker.verify_key)) == agent_id
    resolver.close()


def test_whitepaper_worker_key_and_derived_owner() -> None:
    worker = make_worker(16)
    pubkey = bytes(worker.verify_key)
    assert worker_key(pubkey) == int.from_bytes(keccak256(pubkey), "big") & (2**128 - 1)
    assert worker_key(pubkey) < 2**128
    assert derived_owner(worker).address == derived_owner(make_worker(16)).address
    assert derived_owner(worker).address != derived_owner(make_worker(17)).address
    with pytest.raises(BindingError):
        worker_key(b"short")


def test_cache_of_another_chain_is_not_trusted(identity, tmp_path) -> None:
    worker = make_worker(18)
    agent_id = identity.register_worker(worker, dev_account(3)).agent_id
    path = tmp_path / "cache.sqlite"
    resolver = IdentityResolver(identity, path)
    assert resolver.claim(bytes(worker.verify_key), agent_id) == agent_id
    # Pretend the cache was written on another chain with the same id and addresses.
    resolver._set_meta("scope", "31337:" + identity.address + ":" + "00" * 32)
    resolver.close()
    fresh = IdentityResolver(identity, path)
    assert fresh.cached(bytes(worker.verify_key)) is None  # nothing carried over
    assert fresh.claim(bytes(worker.verify_key), agent_id) == agent_id
    fresh.close()
