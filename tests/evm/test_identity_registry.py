"""IdentityRegistry (ERC-8004 v1) on a real node: registration, URI, metadata, agent wallet, ERC-721 effects."""

from __future__ import annotations

import ape
import pytest
from eth_utils import keccak

pytest_plugins = ["evm.conftest_erc8004"]

AGENT_WALLET_KEY = "agentWallet"
MAX_DEADLINE_DELAY = 300  # seconds (v1: 5 minutes)

ZERO = "0x0000000000000000000000000000000000000000"
ERC4906_INTERFACE_ID = bytes.fromhex("49064906")
ERC721_INTERFACE_ID = bytes.fromhex("80ac58cd")


def packed(address) -> bytes:
    """abi.encodePacked(address): the 20 bytes v1 stores under `agentWallet`."""
    return bytes.fromhex(str(address)[2:])


def topic_of(text: str) -> bytes:
    """The log topic of an indexed ``string`` event field: keccak256 of its UTF-8 bytes."""
    return keccak(text.encode())


def names(tx) -> list[str]:
    return [log.event_name for log in tx.events]


# --- deployment -----------------------------------------------------------------------------------


def test_token_and_domain_are_v1s(identity, chain) -> None:
    assert identity.name() == "AgentIdentity"
    assert identity.symbol() == "AGENT"
    assert identity.getVersion() == "2.0.0"
    domain = identity.eip712Domain()
    assert domain.name == "ERC8004IdentityRegistry"
    assert domain.version == "1"
    assert domain.chainId == chain.chain_id
    assert domain.verifyingContract == identity.address
    assert identity.supportsInterface(ERC721_INTERFACE_ID)
    assert identity.supportsInterface(ERC4906_INTERFACE_ID)


# --- registration ---------------------------------------------------------------------------------


def test_ids_are_sequential_from_zero_across_the_three_overloads(identity, agent_owner, outsider) -> None:
    first = identity.register(sender=agent_owner)
    second = identity.register("ipfs://b", sender=outsider)
    third = identity.register("ipfs://c", [("k", b"v")], sender=agent_owner)
    assert [first.return_value, second.return_value, third.return_value] == [0, 1, 2]
    assert identity.ownerOf(0) == agent_owner
    assert identity.ownerOf(1) == outsider
    assert identity.balanceOf(agent_owner) == 2
    assert identity.tokenURI(0) == ""
    assert identity.tokenURI(1) == "ipfs://b"
    assert identity.tokenURI(2) == "ipfs://c"


def test_register_without_uri_events(identity, agent_owner) -> None:
    tx = identity.register(sender=agent_owner)
    # no ERC-4906 MetadataUpdate: v1 sets no token URI in this overload
    assert names(tx) == ["Transfer", "Registered", "MetadataSet"]
    transfer, registered, wallet_set = tx.events
    assert (transfer["from"], transfer.to, transfer.tokenId) == (ZERO, agent_owner, 0)
    assert (registered.agentId, registered.agentURI, registered.owner) == (0, "", agent_owner)
    assert wallet_set.agentId == 0
    assert wallet_set.metadataKey == AGENT_WALLET_KEY
    assert wallet_set.metadataValue == packed(agent_owner)


def test_register_with_uri_events_and_indexed_topics(identity, agent_owner, event_logs) -> None:
    tx = identity.register("https://worker.example/agent.json", sender=agent_owner)
    assert names(tx) == ["Transfer", "MetadataUpdate", "Registered", "MetadataSet"]
    (registered,) = event_logs(tx, identity, "Registered")
    assert registered["topics"][1:] == [(0).to_bytes(32, "big"), bytes(12) + packed(agent_owner)]
    (wallet_set,) = event_logs(tx, identity, "MetadataSet")
    assert wallet_set["topics"][1:] == [(0).to_bytes(32, "big"), topic_of(AGENT_WALLET_KEY)]
    assert tx.events[2].agentURI == "https://worker.example/agent.json"


def test_register_with_metadata_stores_entries_and_emits_one_event_each(identity, agent_owner, event_logs) -> None:
    entries = [("ed25519", bytes(range(32))), ("role", b"dispatch-worker"), ("role", b"overwritten")]
    tx = identity.register("ipfs://a", entries, sender=agent_owner)
    agent = tx.return_value
    sets = [log for log in tx.events if log.event_name == "MetadataSet"]
    assert [(s.metadataKey, s.metadataValue) for s in sets] == [(AGENT_WALLET_KEY, packed(agent_owner)), *entries]
    assert [log["topics"][2] for log in event_logs(tx, identity, "MetadataSet")] == [
        topic_of(AGENT_WALLET_KEY), topic_of("ed25519"), topic_of("role"), topic_of("role")]
    assert identity.getMetadata(agent, "ed25519") == bytes(range(32))
    assert identity.getMetadata(agent, "role") == b"overwritten"  # later entries win
    assert identity.getMetadata(agent, "absent") == b""


def test_register_rejects_the_reserved_wallet_key_and_mints_nothing(identity, agent_owner) -> None:
    with ape.reverts(identity.IdentityRegistryReservedMetadataKey, metadataKey=AGENT_WALLET_KEY):
        identity.register("ipfs://a", [("ok", b"1"), (AGENT_WALLET_KEY, packed(agent_owner))], sender=agent_owner)
    assert identity.balanceOf(agent_owner) == 0
    assert identity.register(sender=agent_owner).return_value == 0  # the id was not consumed


def test_a_contract_that_cannot_receive_erc721_cannot_register(identity, contract_wallet, wallet) -> None:
    data = identity.register.as_transaction(sender=wallet).data  # register() calldata
    with ape.reverts(identity.ERC721InvalidReceiver, receiver=contract_wallet.address):
        contract_wallet.execute(identity.address, data, sender=wallet)


def test_the_initial_wallet_is_the_registrant(identity, agent_id, agent_owner) -> None:
    assert identity.getAgentWallet(agent_id) == agent_owner
    assert identity.getMetadata(agent_id, AGENT_WALLET_KEY) == packed(agent_owner)
    assert identity.getAgentWallet(12345) == ZERO  # no agent: zero, no revert
    assert identity.getMetadata(12345, "anything") == b""


# --- agent URI ------------------------------------------------------------------------------------


def test_owner_updates_uri(identity, agent_id, agent_owner) -> None:
    tx = identity.setAgentURI(agent_id, "ipfs://v2", sender=agent_owner)
    assert names(tx) == ["MetadataUpdate", "URIUpdated"]
    updated = tx.events[1]
    assert (updated.agentId, updated.newURI, updated.updatedBy) == (agent_id, "ipfs://v2", agent_owner)
    assert identity.tokenURI(agent_id) == "ipfs://v2"


def test_operator_and_approved_address_update_uri(identity, agent_id, agent_owner, operator, outsider) -> None:
    identity.setApprovalForAll(operator, True, sender=agent_owner)
    assert identity.setAgentURI(agent_id, "ipfs://op", sender=operator).events[1].updatedBy == operator
    identity.approve(outsider, agent_id, sender=agent_owner)
    identity.setAgentURI(agent_id, "ipfs://approved", sender=outsider)
    assert identity.tokenURI(agent_id) == "ipfs://approved"


def test_outsider_cannot_update_uri(identity, agent_id, outsider) -> None:
    with ape.reverts(identity.ERC721InsufficientApproval, operator=outsider, tokenId=agent_id):
        identity.setAgentURI(agent_id, "ipfs://evil", sender=outsider)


def test_uri_of_a_missing_agent(identity, outsider) -> None:
    with ape.reverts(identity.ERC721NonexistentToken, tokenId=7):
        identity.setAgentURI(7, "ipfs://x", sender=outsider)


# --- metadata -------------------------------------------------------------------------------------


def test_owner_sets_metadata(identity, agent_id, agent_owner) -> None:
    tx = identity.setMetadata(agent_id, "ed25519", b"\x01" * 32, sender=agent_owner)
    (event,) = tx.events
    assert (event.agentId, event.metadataKey, event.metadataValue) == (agent_id, "ed25519", b"\x01" * 32)
    assert event.indexedMetadataKey == topic_of("ed25519")
    assert identity.getMetadata(agent_id, "ed25519") == b"\x01" * 32
    identity.setMetadata(agent_id, "ed25519", b"", sender=agent_owner)
    assert identity.getMetadata(agent_id, "ed25519") == b""


def test_operator_and_approved_address_set_metadata(identity, agent_id, agent_owner, operator, outsider) -> None:
    identity.setApprovalForAll(operator, True, sender=agent_owner)
    identity.setMetadata(agent_id, "by", b"operator", sender=operator)
    identity.approve(outsider, agent_id, sender=agent_owner)
    identity.setMetadata(agent_id, "by", b"approved", sender=outsider)
    assert identity.getMetadata(agent_id, "by") == b"approved"


def test_outsider_cannot_set_metadata(identity, agent_id, outsider) -> None:
    with ape.reverts(identity.ERC721InsufficientApproval, operator=outsider, tokenId=agent_id):
        identity.setMetadata(agent_id, "k", b"v", sender=outsider)


def test_metadata_of_a_missing_agent(identity, outsider) -> None:
    with ape.reverts(identity.ERC721NonexistentToken, tokenId=99):
        identity.setMetadata(99, "k", b"v", sender=outsider)


def test_set_metadata_rejects_the_reserved_key(identity, agent_id, agent_owner, wallet) -> None:
    with ape.reverts(identity.IdentityRegistryReservedMetadataKey, metadataKey=AGENT_WALLET_KEY):
        identity.setMetadata(agent_id, AGENT_WALLET_KEY, packed(wallet), sender=agent_owner)
    # only the exact key is reserved
    identity.setMetadata(agent_id, "AgentWallet", packed(wallet), sender=agent_owner)
    assert identity.getAgentWallet(agent_id) == agent_owner


# --- agent wallet ---------------------------------------------------------------------------------


@pytest.fixture
def deadline(chain) -> int:
    """A deadline one minute ahead of the next block."""
    return chain.pending_timestamp + 60


def test_set_agent_wallet_with_the_wallets_eip712_signature(identity, agent_id, agent_owner, wallet, deadline,
                                                            wallet_signature) -> None:
    signature = wallet_signature(wallet, agent_id, wallet.address, agent_owner.address, deadline)
    tx = identity.setAgentWallet(agent_id, wallet, deadline, signature, sender=agent_owner)
    (event,) = tx.events
    assert (event.agentId, event.metadataKey, event.metadataValue) == (agent_id, AGENT_WALLET_KEY, packed(wallet))
    assert identity.getAgentWallet(agent_id) == wallet
    assert identity.getMetadata(agent_id, AGENT_WALLET_KEY) == packed(wallet)


def test_an_operator_may_submit_the_wallet_signature(identity, agent_id, agent_owner, operator, wallet, deadline,
                                                     wallet_signature) -> None:
    identity.setApprovalForAll(operator, True, sender=agent_owner)
    # the signed `owner` is the agent's owner, whoever submits
    signature = wallet_signature(wallet, agent_id, wallet.address, agent_owner.address, deadline)
    identity.setAgentWallet(agent_id, wallet, deadline, signature, sender=operator)
    assert identity.getAgentWallet(agent_id) == wallet


def test_wallet_signature_by_another_key_is_rejected(identity, agent_id, agent_owner, wallet, outsider, deadline,
                                                     wallet_signature) -> None:
    signature = wallet_signature(outsider, agent_id, wallet.address, agent_owner.address, deadline)
    with ape.reverts(identity.IdentityRegistryInvalidWalletSignature, newWallet=wallet.address):
        identity.setAgentWallet(agent_id, wallet, deadline, signature, sender=agent_owner)


@pytest.mark.parametrize("field", ["agentId", "owner", "deadline"])
def test_wallet_signature_binds_every_field(identity, agent_id, agent_owner, wallet, outsider, deadline, field,
                                            wallet_signature) -> None:
    signed = {"agent": agent_id, "owner": agent_owner.address, "deadline": deadline}
    signed[{"agentId": "agent", "owner": "owner", "deadline": "deadline"}[field]] = {
        "agentId": agent_id + 1, "owner": outsider.address, "deadline": deadline - 1}[field]
    signature = wallet_signature(wallet, signed["agent"], wallet.address, signed["owner"], signed["deadline"])
    with ape.reverts(identity.IdentityRegistryInvalidWalletSignature):
        identity.setAgentWallet(agent_id, wallet, deadline, signature, sender=agent_owner)


def test_malformed_wallet_signature_is_rejected(identity, agent_id, agent_owner, wallet, deadline,
                                                wallet_signature) -> None:
    signature = wallet_signature(wallet, agent_id, wallet.address, agent_owner.address, deadline)
    for bad in (signature[:64], b"", signature + b"\x00"):
        with ape.reverts(identity.IdentityRegistryInvalidWalletSignature):
            identity.setAgentWallet(agent_id, wallet, deadline, bad, sender=agent_owner)


def test_zero_wallet_is_rejected(identity, agent_id, agent_owner, deadline) -> None:
    with ape.reverts(identity.IdentityRegistryInvalidAgentWallet, newWallet=ZERO):
        identity.setAgentWallet(agent_id, ZERO, deadline, b"", sender=agent_owner)


def test_expired_deadline_is_rejected(identity, chain, agent_id, agent_owner, wallet, wallet_signature) -> None:
    now = chain.pending_timestamp
    signature = wallet_signature(wallet, agent_id, wallet.address, agent_owner.address, now - 1)
    with ape.reverts(identity.IdentityRegistryExpiredDeadline, deadline=now - 1):
        identity.setAgentWallet(agent_id, wallet, now - 1, signature, sender=agent_owner)


def test_deadline_at_most_five_minutes_ahead(identity, chain, agent_id, agent_owner, wallet, wallet_signature) -> None:
    now = chain.pending_timestamp + 10
    chain.pending_timestamp = now
    too_far = now + MAX_DEADLINE_DELAY + 1
    signature = wallet_signature(wallet, agent_id, wallet.address, agent_owner.address, too_far)
    with ape.reverts(identity.IdentityRegistryDeadlineTooFar, deadline=too_far, maxDeadline=now + MAX_DEADLINE_DELAY):
        identity.setAgentWallet(agent_id, wallet, too_far, signature, sender=agent_owner)
    limit = now + MAX_DEADLINE_DELAY
    signature = wallet_signature(wallet, agent_id, wallet.address, agent_owner.address, limit)
    identity.setAgentWallet(agent_id, wallet, limit, signature, sender=agent_owner)
    assert identity.getAgentWallet(agent_id) == wallet


def test_the_signature_can_be_replayed_until_its_deadline(identity, agent_id, agent_owner, wallet, deadline,
                                                          wallet_signature) -> None:
    """v1 has no nonce: the same signature sets the wallet again (after an unset) until the deadline."""
    signature = wallet_signature(wallet, agent_id, wallet.address, agent_owner.address, deadline)
    identity.setAgentWallet(agent_id, wallet, deadline, signature, sender=agent_owner)
    identity.unsetAgentWallet(agent_id, sender=agent_owner)
    identity.setAgentWallet(agent_id, wallet, deadline, signature, sender=agent_owner)
    assert identity.getAgentWallet(agent_id) == wallet


def test_outsider_cannot_set_the_wallet(identity, agent_id, agent_owner, outsider, deadline, wallet_signature) -> None:
    signature = wallet_signature(outsider, agent_id, outsider.address, agent_owner.address, deadline)
    with ape.reverts(identity.ERC721InsufficientApproval, operator=outsider, tokenId=agent_id):
        identity.setAgentWallet(agent_id, outsider, deadline, signature, sender=outsider)


def test_wallet_of_a_missing_agent(identity, agent_owner, deadline) -> None:
    with ape.reverts(identity.ERC721NonexistentToken, tokenId=5):
        identity.setAgentWallet(5, agent_owner, deadline, b"", sender=agent_owner)
    with ape.reverts(identity.ERC721NonexistentToken, tokenId=5):
        identity.unsetAgentWallet(5, sender=agent_owner)


def test_erc1271_contract_wallet(identity, agent_id, agent_owner, contract_wallet, wallet, outsider, deadline,
                                 wallet_signature) -> None:
    by_outsider = wallet_signature(outsider, agent_id, contract_wallet.address, agent_owner.address, deadline)
    with ape.reverts(identity.IdentityRegistryInvalidWalletSignature, newWallet=contract_wallet.address):
        identity.setAgentWallet(agent_id, contract_wallet, deadline, by_outsider, sender=agent_owner)
    # the contract accepts its signer's signature of the registry's digest
    by_signer = wallet_signature(wallet, agent_id, contract_wallet.address, agent_owner.address, deadline)
    identity.setAgentWallet(agent_id, contract_wallet, deadline, by_signer, sender=agent_owner)
    assert identity.getAgentWallet(agent_id) == contract_wallet.address


def test_unset_agent_wallet(identity, agent_id, agent_owner, outsider) -> None:
    with ape.reverts(identity.ERC721InsufficientApproval, operator=outsider, tokenId=agent_id):
        identity.unsetAgentWallet(agent_id, sender=outsider)
    tx = identity.unsetAgentWallet(agent_id, sender=agent_owner)
    (event,) = tx.events
    assert (event.agentId, event.metadataKey, event.metadataValue) == (agent_id, AGENT_WALLET_KEY, b"")
    assert identity.getAgentWallet(agent_id) == ZERO
    assert identity.getMetadata(agent_id, AGENT_WALLET_KEY) == b""


# --- ERC-721 effects ------------------------------------------------------------------------------


def test_transfer_clears_the_wallet_and_moves_every_right(identity, agent_id, agent_owner, operator, outsider,
                                                          new_owner) -> None:
    identity.setApprovalForAll(operator, True, sender=agent_owner)
    identity.approve(outsider, agent_id, sender=agent_owner)
    tx = identity.transferFrom(agent_owner, new_owner, agent_id, sender=agent_owner)
    # the wallet is cleared before the ERC-721 bookkeeping, as in v1
    assert names(tx) == ["MetadataSet", "Transfer"]
    assert (tx.events[0].metadataKey, tx.events[0].metadataValue) == (AGENT_WALLET_KEY, b"")
    assert identity.ownerOf(agent_id) == new_owner
    assert identity.getAgentWallet(agent_id) == ZERO
    assert identity.getApproved(agent_id) == ZERO

    for former in (agent_owner, operator, outsider):
        assert not identity.isAuthorizedOrOwner(former, agent_id)
        with ape.reverts(identity.ERC721InsufficientApproval, operator=former, tokenId=agent_id):
            identity.setMetadata(agent_id, "k", b"v", sender=former)
    assert identity.isAuthorizedOrOwner(new_owner, agent_id)
    identity.setAgentURI(agent_id, "ipfs://new-owner", sender=new_owner)


def test_new_owner_verifies_a_wallet_with_itself_as_signed_owner(identity, agent_id, agent_owner, new_owner, wallet,
                                                                 deadline, wallet_signature) -> None:
    old = wallet_signature(wallet, agent_id, wallet.address, agent_owner.address, deadline)
    identity.safeTransferFrom(agent_owner, new_owner, agent_id, sender=agent_owner)
    with ape.reverts(identity.IdentityRegistryInvalidWalletSignature):
        identity.setAgentWallet(agent_id, wallet, deadline, old, sender=new_owner)
    fresh = wallet_signature(wallet, agent_id, wallet.address, new_owner.address, deadline)
    identity.setAgentWallet(agent_id, wallet, deadline, fresh, sender=new_owner)
    assert identity.getAgentWallet(agent_id) == wallet


def test_is_authorized_or_owner(identity, agent_id, agent_owner, operator, outsider, new_owner) -> None:
    assert identity.isAuthorizedOrOwner(agent_owner, agent_id)
    assert not identity.isAuthorizedOrOwner(operator, agent_id)
    assert not identity.isAuthorizedOrOwner(ZERO, agent_id)
    identity.setApprovalForAll(operator, True, sender=agent_owner)
    identity.approve(outsider, agent_id, sender=agent_owner)
    assert identity.isAuthorizedOrOwner(operator, agent_id)
    assert identity.isAuthorizedOrOwner(outsider, agent_id)
    assert not identity.isAuthorizedOrOwner(new_owner, agent_id)
    with ape.reverts(identity.ERC721NonexistentToken, tokenId=agent_id + 1):
        identity.isAuthorizedOrOwner(agent_owner, agent_id + 1)

