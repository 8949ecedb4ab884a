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
from dispatch_chain.erc8004.identity import IdentityResolver, UnknownWorker
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
    assert resolver.resolve(bytes(worker.verify_key)) == registration.agent_id


def test_cache_survives_a_restart(identity, tmp_path) -> None:
    worker = make_worker(12)
    agent_id = identity.register_worker(worker, dev_account(3)).agent_id
    path = tmp_path / "cache.sqlite"
    first = IdentityResolver(identity, path)
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
    assert resolver.resolve(bytes(victim.verify_key)) == victim_agent
    assert fake_agent in resolver.rejected()


def test_a_garbage_binding_alone_resolves_nobody(identity, resolver, evm_client) -> None:
    worker = make_worker(14)
    sender = TxSender(evm_client, dev_account(6))
    call = identity.contract.functions.register("", [(METADATA_PUBKEY, bytes(worker.verify_key)),
                                                     (METADATA_BINDING, b"\x01" * 64)])
    prepared = sender.prepare(call, contract="IdentityRegistry")
    sender.broadcast(prepared)
    sender.wait(prepared.tx_hash)
    with pytest.raises(UnknownWorker, match="no ERC-8004 agent with a valid binding"):
        resolver.resolve(bytes(worker.verify_key))


def test_transfer_invalidates_until_rebound(identity, resolver, evm_client) -> None:
    worker = make_worker(15)
    old_owner, new_owner = dev_account(7), dev_account(8)
    agent_id = identity.register_worker(worker, old_owner).agent_id
    assert resolver.resolve(bytes(worker.verify_key)) == agent_id
    sender = TxSender(evm_client, old_owner)
    prepared = sender.prepare(identity.contract.functions.transferFrom(old_owner.address, new_owner.address, agent_id),
                              contract="IdentityRegistry")
    sender.broadcast(prepared)
    sender.wait(prepared.tx_hash)
    resolver.refresh()
    with pytest.raises(UnknownWorker):
        resolver.resolve(bytes(worker.verify_key))
    identity.rebind(agent_id, worker, new_owner)
    assert resolver.resolve(bytes(worker.verify_key)) == agent_id


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
    assert resolver.resolve(bytes(worker.verify_key)) == agent_id
    # Pretend the cache was written on another chain with the same id and addresses.
    resolver._set_meta("scope", "31337:" + identity.address + ":" + "00" * 32)
    resolver._set_meta("scanned_to", str(10**9))
    resolver.close()
    fresh = IdentityResolver(identity, path)
    assert fresh.cached(bytes(worker.verify_key)) is None  # nothing carried over
    assert fresh.resolve(bytes(worker.verify_key)) == agent_id
    fresh.close()
