"""ReputationRegistry (ERC-8004 v1) on a real node: feedback rules, revocation, responses, summaries, gas."""

from __future__ import annotations

from collections import Counter

import ape
import pytest
from eth_utils import keccak

pytest_plugins = ["evm.conftest_erc8004"]

ZERO = "0x0000000000000000000000000000000000000000"
NO_HASH = bytes(32)
# Dispatch's feedback (DESIGN.md, "Constants"): 80/100 or 20/100 as int128 with 2 decimals.
SUCCESS, FAILURE, DECIMALS = 8000, 2000, 2
TAG1, TAG2 = "dispatch-compute", "COMPUTE"
ENDPOINT = "https://coordinator.dispatch.example"
MAX_ABS_VALUE = 10**38
INT128_MAX = 2**127 - 1


def word(value: int | str) -> bytes:
    """A 32-byte topic: an unsigned integer or an address, left-padded."""
    if isinstance(value, int):
        return value.to_bytes(32, "big")
    return bytes(12) + bytes.fromhex(str(value)[2:])


@pytest.fixture
def give(reputation, agent_id):
    """``give(client, value=SUCCESS, ...)``: give feedback to ``agent_id`` (by default) and return the receipt."""

    def _give(client, value=SUCCESS, decimals=DECIMALS, tag1=TAG1, tag2=TAG2, *, agent=None, endpoint=ENDPOINT,
              feedback_uri="", feedback_hash=NO_HASH):
        agent = agent_id if agent is None else agent
        return reputation.giveFeedback(agent, value, decimals, tag1, tag2, endpoint, feedback_uri, feedback_hash,
                                       sender=client)

    return _give


def trunc_div(a: int, b: int) -> int:
    """Solidity's signed division: the quotient rounded toward zero."""
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b > 0) else -quotient


def v1_summary(entries: list[tuple[int, int]]) -> tuple[int, int, int]:
    """getSummary as the ERC-8004 v1 reference computes it, for (value, valueDecimals) entries."""
    if not entries:
        return 0, 0, 0
    total = sum(value * 10 ** (18 - decimals) for value, decimals in entries)
    counts = Counter(decimals for _, decimals in entries)
    mode = min(d for d, n in counts.items() if n == max(counts.values()))
    return len(entries), trunc_div(trunc_div(total, len(entries)), 10 ** (18 - mode)), mode


# --- deployment -----------------------------------------------------------------------------------


def test_bound_to_its_identity_registry(reputation, identity) -> None:
    assert reputation.getIdentityRegistry() == identity.address
    assert reputation.getVersion() == "2.0.0"


def test_identity_registry_is_required(project, deployer, reputation) -> None:
    with ape.reverts(reputation.ReputationRegistryInvalidIdentityRegistry):
        deployer.deploy(project.ReputationRegistry, ZERO)


# --- giving feedback ------------------------------------------------------------------------------


def test_feedback_event_fields_and_storage(reputation, agent_id, clients, give, event_logs) -> None:
    client = clients[0]
    file_hash = keccak(b"feedback file")
    tx = give(client, feedback_uri="ipfs://feedback", feedback_hash=file_hash)
    (event,) = tx.events
    assert event.event_name == "NewFeedback"
    assert (event.agentId, event.clientAddress, event.feedbackIndex) == (agent_id, client, 1)
    assert (event.value, event.valueDecimals) == (SUCCESS, DECIMALS)
    assert (event.tag1, event.tag2, event.endpoint) == (TAG1, TAG2, ENDPOINT)
    assert (event.feedbackURI, event.feedbackHash) == ("ipfs://feedback", file_hash)
    (raw,) = event_logs(tx, reputation, "NewFeedback")
    assert raw["topics"][1:] == [word(agent_id), word(client.address), keccak(TAG1.encode())]

    assert reputation.getLastIndex(agent_id, client) == 1
    stored = reputation.readFeedback(agent_id, client, 1)
    assert tuple(stored) == (SUCCESS, DECIMALS, TAG1, TAG2, False)
    assert (stored.value, stored.valueDecimals, stored.isRevoked) == (SUCCESS, DECIMALS, False)


def test_indexes_count_per_agent_and_client(reputation, identity, agent_id, agent_owner, clients, give) -> None:
    other_agent = identity.register("ipfs://other", sender=agent_owner).return_value
    a, b, _ = clients
    assert [give(a).events[0].feedbackIndex for _ in range(3)] == [1, 2, 3]
    assert give(b).events[0].feedbackIndex == 1
    assert give(a, agent=other_agent).events[0].feedbackIndex == 1
    assert reputation.getLastIndex(agent_id, a) == 3
    assert reputation.getLastIndex(agent_id, b) == 1
    assert reputation.getLastIndex(other_agent, a) == 1
    assert reputation.getLastIndex(agent_id, clients[2]) == 0


def test_clients_are_listed_once_in_first_feedback_order(reputation, agent_id, clients, give) -> None:
    a, b, c = clients
    for client in (b, a, b, c, a):
        give(client)
    assert reputation.getClients(agent_id) == [b.address, a.address, c.address]
    assert reputation.getClients(agent_id + 1) == []


def test_optional_fields_may_be_empty(reputation, agent_id, clients, give) -> None:
    tx = give(clients[0], value=-5, decimals=0, tag1="", tag2="", endpoint="")
    assert tx.events[0].value == -5
    assert tuple(reputation.readFeedback(agent_id, clients[0], 1)) == (-5, 0, "", "", False)


def test_value_decimals_at_most_18(reputation, clients, give) -> None:
    give(clients[0], value=1, decimals=18)
    with ape.reverts(reputation.ReputationRegistryInvalidValueDecimals, valueDecimals=19):
        give(clients[0], value=1, decimals=19)


@pytest.mark.parametrize("value", [MAX_ABS_VALUE, -MAX_ABS_VALUE])
def test_value_bound_is_inclusive(reputation, agent_id, clients, give, value) -> None:
    give(clients[0], value=value, decimals=0)
    assert reputation.readFeedback(agent_id, clients[0], 1).value == value


@pytest.mark.parametrize("value", [MAX_ABS_VALUE + 1, -MAX_ABS_VALUE - 1, INT128_MAX, -INT128_MAX - 1])
def test_value_beyond_1e38_is_rejected(reputation, clients, give, value) -> None:
    with ape.reverts(reputation.ReputationRegistryValueOutOfRange, value=value):
        give(clients[0], value=value, decimals=0)


def test_agent_owner_cannot_rate_itself(reputation, agent_id, agent_owner, give) -> None:
    with ape.reverts(reputation.ReputationRegistrySelfFeedback, agentId=agent_id, clientAddress=agent_owner.address):
        give(agent_owner)


def test_operators_and_approved_address_cannot_rate_the_agent(reputation, identity, agent_id, agent_owner, operator,
                                                               clients, give) -> None:
    identity.setApprovalForAll(operator, True, sender=agent_owner)
    identity.approve(clients[0], agent_id, sender=agent_owner)
    for manager in (operator, clients[0]):
        with ape.reverts(reputation.ReputationRegistrySelfFeedback, clientAddress=manager.address):
            give(manager)
    identity.setApprovalForAll(operator, False, sender=agent_owner)
    give(operator)


def test_feedback_for_a_missing_agent(reputation, identity, clients, give) -> None:
    # the identity registry's ERC721NonexistentToken comes through unchanged, as in v1
    with ape.reverts(identity.ERC721NonexistentToken, tokenId=42):
        give(clients[0], agent=42)


def test_transfer_moves_the_self_feedback_ban(reputation, identity, agent_id, agent_owner, new_owner, give) -> None:
    identity.transferFrom(agent_owner, new_owner, agent_id, sender=agent_owner)
    give(agent_owner)  # no longer the owner
    with ape.reverts(reputation.ReputationRegistrySelfFeedback):
        give(new_owner)


# --- revocation -----------------------------------------------------------------------------------


def test_giver_revokes_its_feedback(reputation, agent_id, clients, give, event_logs) -> None:
    client = clients[0]
    give(client)
    give(client, value=FAILURE)
    tx = reputation.revokeFeedback(agent_id, 2, sender=client)
    (event,) = tx.events
    assert (event.agentId, event.clientAddress, event.feedbackIndex) == (agent_id, client, 2)
    (raw,) = event_logs(tx, reputation, "FeedbackRevoked")
    assert raw["topics"][1:] == [word(agent_id), word(client.address), word(2)]
    assert raw["data"] == b""
    assert reputation.readFeedback(agent_id, client, 2).isRevoked
    assert not reputation.readFeedback(agent_id, client, 1).isRevoked
    assert reputation.getLastIndex(agent_id, client) == 2  # revoking keeps the index


def test_revoking_twice(reputation, agent_id, clients, give) -> None:
    give(clients[0])
    reputation.revokeFeedback(agent_id, 1, sender=clients[0])
    with ape.reverts(reputation.ReputationRegistryFeedbackAlreadyRevoked, agentId=agent_id,
                     clientAddress=clients[0].address, feedbackIndex=1):
        reputation.revokeFeedback(agent_id, 1, sender=clients[0])


def test_revoke_index_bounds(reputation, agent_id, clients, give) -> None:
    give(clients[0])
    with ape.reverts(reputation.ReputationRegistryZeroFeedbackIndex):
        reputation.revokeFeedback(agent_id, 0, sender=clients[0])
    with ape.reverts(reputation.ReputationRegistryFeedbackIndexOutOfBounds, feedbackIndex=2, lastIndex=1):
        reputation.revokeFeedback(agent_id, 2, sender=clients[0])


def test_only_the_giver_revokes(reputation, agent_id, agent_owner, clients, give, outsider) -> None:
    a, b, _ = clients
    give(a)
    for other in (outsider, agent_owner):
        with ape.reverts(reputation.ReputationRegistryFeedbackIndexOutOfBounds, clientAddress=other.address,
                         lastIndex=0):
            reputation.revokeFeedback(agent_id, 1, sender=other)
    # another client revoking "index 1" revokes its own entry, never a's
    give(b)
    reputation.revokeFeedback(agent_id, 1, sender=b)
    assert not reputation.readFeedback(agent_id, a, 1).isRevoked
    assert reputation.readFeedback(agent_id, b, 1).isRevoked


# --- responses ------------------------------------------------------------------------------------


def test_anyone_appends_responses(reputation, agent_id, agent_owner, clients, outsider, give, event_logs) -> None:
    client = clients[0]
    give(client)
    response_hash = keccak(b"refund")
    tx = reputation.appendResponse(agent_id, client, 1, "ipfs://refund", response_hash, sender=agent_owner)
    (event,) = tx.events
    assert (event.agentId, event.clientAddress, event.feedbackIndex, event.responder) == (
        agent_id, client, 1, agent_owner)
    assert (event.responseURI, event.responseHash) == ("ipfs://refund", response_hash)
    (raw,) = event_logs(tx, reputation, "ResponseAppended")
    assert raw["topics"][1:] == [word(agent_id), word(client.address), word(agent_owner.address)]
    reputation.appendResponse(agent_id, client, 1, "ipfs://spam-tag", NO_HASH, sender=outsider)
    reputation.revokeFeedback(agent_id, 1, sender=client)
    reputation.appendResponse(agent_id, client, 1, "ipfs://again", NO_HASH, sender=agent_owner)  # revoked is fine


def test_response_rules(reputation, agent_id, clients, outsider, give) -> None:
    client = clients[0]
    give(client)
    with ape.reverts(reputation.ReputationRegistryEmptyResponseURI):
        reputation.appendResponse(agent_id, client, 1, "", NO_HASH, sender=outsider)
    with ape.reverts(reputation.ReputationRegistryZeroFeedbackIndex):
        reputation.appendResponse(agent_id, client, 0, "ipfs://r", NO_HASH, sender=outsider)
    with ape.reverts(reputation.ReputationRegistryFeedbackIndexOutOfBounds, feedbackIndex=2, lastIndex=1):
        reputation.appendResponse(agent_id, client, 2, "ipfs://r", NO_HASH, sender=outsider)
    with ape.reverts(reputation.ReputationRegistryFeedbackIndexOutOfBounds, clientAddress=clients[1].address):
        reputation.appendResponse(agent_id, clients[1], 1, "ipfs://r", NO_HASH, sender=outsider)


def test_response_counts(reputation, agent_id, agent_owner, clients, outsider, give) -> None:
    a, b, _ = clients
    give(a)
    give(a)
    give(b)
    for client, index, responder in [(a, 1, agent_owner), (a, 1, agent_owner), (a, 1, outsider),
                                     (a, 2, outsider), (b, 1, agent_owner)]:
        reputation.appendResponse(agent_id, client, index, "ipfs://r", NO_HASH, sender=responder)
    assert reputation.getResponseCount(agent_id, a, 1, []) == 3
    assert reputation.getResponseCount(agent_id, a, 1, [agent_owner]) == 2
    assert reputation.getResponseCount(agent_id, a, 0, []) == 4  # every entry of a
    assert reputation.getResponseCount(agent_id, a, 0, [outsider]) == 2
    assert reputation.getResponseCount(agent_id, ZERO, 0, []) == 5  # every client
    assert reputation.getResponseCount(agent_id, ZERO, 0, [agent_owner]) == 3
    assert reputation.getResponseCount(agent_id, b, 2, []) == 0


# --- reads ----------------------------------------------------------------------------------------


def test_read_feedback_index_bounds(reputation, agent_id, clients, give) -> None:
    give(clients[0])
    with ape.reverts(reputation.ReputationRegistryZeroFeedbackIndex):
        reputation.readFeedback(agent_id, clients[0], 0)
    with ape.reverts(reputation.ReputationRegistryFeedbackIndexOutOfBounds, feedbackIndex=2, lastIndex=1):
        reputation.readFeedback(agent_id, clients[0], 2)


def test_summary_needs_clients(reputation, agent_id, clients, give) -> None:
    give(clients[0])
    with ape.reverts(reputation.ReputationRegistryEmptyClientList):
        reputation.getSummary(agent_id, [], "", "")


def test_summary_of_dispatch_feedback_over_several_clients(reputation, agent_id, clients, give) -> None:
    a, b, c = clients
    give(a, SUCCESS)
    give(a, FAILURE)
    give(b, SUCCESS)
    give(c, SUCCESS)
    summary = reputation.getSummary(agent_id, [a, b, c], TAG1, TAG2)
    assert tuple(summary) == (4, 6500, 2)  # (80 + 20 + 80 + 80) / 4 = 65.00
    assert (summary.count, summary.summaryValue, summary.summaryValueDecimals) == (4, 6500, 2)
    assert tuple(reputation.getSummary(agent_id, [a], "", "")) == (2, 5000, 2)
    assert tuple(reputation.getSummary(agent_id, [b, c], "", "")) == (2, 8000, 2)
    # a client listed twice counts twice, as in v1
    assert tuple(reputation.getSummary(agent_id, [b, b], "", "")) == (2, 8000, 2)


def test_summary_excludes_revoked_feedback(reputation, agent_id, clients, give) -> None:
    a, b, _ = clients
    give(a, FAILURE)
    give(b, SUCCESS)
    reputation.revokeFeedback(agent_id, 1, sender=a)
    assert tuple(reputation.getSummary(agent_id, [a, b], "", "")) == (1, SUCCESS, 2)
    assert tuple(reputation.getSummary(agent_id, [a], "", "")) == (0, 0, 0)


def test_summary_filters_by_tags(reputation, agent_id, clients, give) -> None:
    a, b, _ = clients
    give(a, 9000, tag1=TAG1, tag2="LLM")
    give(a, 3000, tag1="other", tag2=TAG2)
    give(b, 6000, tag1=TAG1, tag2=TAG2)
    assert tuple(reputation.getSummary(agent_id, [a, b], TAG1, "")) == (2, 7500, 2)
    assert tuple(reputation.getSummary(agent_id, [a, b], "", TAG2)) == (2, 4500, 2)
    assert tuple(reputation.getSummary(agent_id, [a, b], TAG1, TAG2)) == (1, 6000, 2)
    assert tuple(reputation.getSummary(agent_id, [a, b], "absent", "")) == (0, 0, 0)


SUMMARY_CASES = {
    # (value, decimals) per entry, and what v1 returns, worked out by hand
    "same scale, 0 decimals": ([(80, 0), (90, 0), (100, 0)], (3, 90, 0)),
    "mixed scales, mode 2": ([(80, 0), (8000, 2), (8000, 2)], (3, 8000, 2)),
    "tie picks fewer decimals": ([(1, 0), (150, 2)], (2, 1, 0)),
    "rounds toward zero": ([(-1, 0), (-2, 0)], (2, -1, 0)),
    "negative mixed": ([(-32, 1), (5, 0), (-100, 1)], (3, -27, 1)),
    "18 decimals": ([(10**18, 18), (3 * 10**17, 18), (2, 0)], (3, 1100000000000000000, 18)),
    "extremes cancel": ([(MAX_ABS_VALUE, 0), (-MAX_ABS_VALUE, 0), (7, 0)], (3, 2, 0)),
}


@pytest.mark.parametrize("entries, expected", SUMMARY_CASES.values(), ids=SUMMARY_CASES.keys())
def test_summary_normalises_decimals_as_v1(reputation, agent_id, clients, give, entries, expected) -> None:
    assert v1_summary(entries) == expected  # the reference agrees with the hand-worked figures
    for i, (value, decimals) in enumerate(entries):
        give(clients[i % len(clients)], value, decimals)
    assert tuple(reputation.getSummary(agent_id, list(clients), "", "")) == expected


def test_summary_overflow_reverts_where_v1_truncates(reputation, agent_id, clients, give) -> None:
    """Local difference: an average beyond int128 reverts instead of wrapping (see docs/erc8004.md)."""
    a, b, c = clients
    give(a, MAX_ABS_VALUE, 0)
    give(b, 1, 18)
    give(c, 1, 18)  # mode 18: the 1e38 average would need 1e56 units
    with ape.reverts(reputation.SafeCastOverflowedIntDowncast):
        reputation.getSummary(agent_id, [a, b, c], "", "")
    assert tuple(reputation.getSummary(agent_id, [b, c], "", "")) == (2, 1, 18)


def test_read_all_feedback_filters(reputation, agent_id, clients, give) -> None:
    a, b, c = clients
    give(b, 1, 0, "x", "y")
    give(a, 2, 1, "x", "z")
    give(b, 3, 2, "w", "y")
    give(a, 4, 3, "x", "y")
    reputation.revokeFeedback(agent_id, 1, sender=b)

    every = reputation.readAllFeedback(agent_id, [], "", "", True)
    assert every.clients == [b.address, b.address, a.address, a.address]  # first-feedback client order
    assert every.feedbackIndexes == [1, 2, 1, 2]
    assert every.values == [1, 3, 2, 4]
    assert every.valueDecimals == [0, 2, 1, 3]
    assert every.tag1s == ["x", "w", "x", "x"]
    assert every.tag2s == ["y", "y", "z", "y"]
    assert every.revokedStatuses == [True, False, False, False]

    live = reputation.readAllFeedback(agent_id, [], "", "", False)
    assert (live.clients, live.feedbackIndexes) == ([b.address, a.address, a.address], [2, 1, 2])
    tagged = reputation.readAllFeedback(agent_id, [a, b], "x", "y", True)
    assert (tagged.clients, tagged.feedbackIndexes, tagged.values) == ([a.address, b.address], [2, 1], [4, 1])
    assert reputation.readAllFeedback(agent_id, [c], "", "", True).clients == []


# --- gas ------------------------------------------------------------------------------------------


def test_gas_per_register_and_feedback(identity, accounts, clients, give) -> None:
    """Gas of the coordinator's calls on anvil (printed with ``-s``); bounds catch regressions.

    Each registrant is a fresh account (no agent yet) and agent 0 already exists, as for any
    worker joining a running registry; feedback uses Dispatch's tags and endpoint.
    """
    uri = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
    pubkey = bytes(range(32))
    gas = {
        "register()": identity.register(sender=accounts[8]).gas_used,
        "register(agentURI)": identity.register(uri, sender=accounts[9]).gas_used,
        "register(agentURI, [ed25519 pubkey])": identity.register(uri, [("ed25519", pubkey)],
                                                                  sender=accounts[0]).gas_used,
        "giveFeedback (client's first)": give(clients[0]).gas_used,
        "giveFeedback (client's next)": give(clients[0], FAILURE).gas_used,
    }
    print()
    for name, used in gas.items():
        print(f"gas {name}: {used}")
    assert 80_000 < gas["register()"] < 150_000
    assert gas["register()"] < gas["register(agentURI)"] < gas["register(agentURI, [ed25519 pubkey])"] < 300_000
    assert 80_000 < gas["giveFeedback (client's next)"] < gas["giveFeedback (client's first)"] < 200_000
