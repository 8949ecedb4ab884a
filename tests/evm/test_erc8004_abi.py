"""The local ERC-8004 registries expose exactly the v1 ABI the coordinator's adapter relies on.

Everything expected here is written by hand from the ERC-8004 v1 specification
(function declarations, events, MetadataEntry layout) plus the standard ERC-721 /
ERC-165 / ERC-4906 / ERC-5267 surface the official IdentityRegistry inherits from
OpenZeppelin. Selectors and topics are spelled out as well, so a typo in a
signature below and a drift in the compiled contracts both fail.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from eth_utils import keccak


class Fn(NamedTuple):
    signature: str
    selector: str
    inputs: tuple[str, ...]  # parameter names, in order (None: not checked)
    outputs: tuple[str, ...]  # "type name" of each return value
    mutability: str


class Ev(NamedTuple):
    name: str
    topic0: str
    fields: tuple[tuple[str, str, bool], ...]  # (type, name, indexed)


# --- IdentityRegistry -----------------------------------------------------------------------------

IDENTITY_V1 = [
    Fn("register()", "1aa3a008", (), ("uint256 agentId",), "nonpayable"),
    Fn("register(string)", "f2c298be", ("agentURI",), ("uint256 agentId",), "nonpayable"),
    # struct MetadataEntry { string metadataKey; bytes metadataValue; }
    Fn("register(string,(string,bytes)[])", "8ea42286", ("agentURI", "metadata"), ("uint256 agentId",),
       "nonpayable"),
    Fn("setAgentURI(uint256,string)", "0af28bd3", ("agentId", "newURI"), (), "nonpayable"),
    Fn("getMetadata(uint256,string)", "cb4799f2", ("agentId", "metadataKey"), ("bytes",), "view"),
    Fn("setMetadata(uint256,string,bytes)", "466648da", ("agentId", "metadataKey", "metadataValue"), (),
       "nonpayable"),
    Fn("getAgentWallet(uint256)", "00339509", ("agentId",), ("address",), "view"),
    Fn("setAgentWallet(uint256,address,uint256,bytes)", "2d1ef5ae", ("agentId", "newWallet", "deadline", "signature"),
       (), "nonpayable"),
    Fn("unsetAgentWallet(uint256)", "3fddcf19", ("agentId",), (), "nonpayable"),
    # not in the specification's text, but in v1's source: the reputation registry's self-feedback check
    Fn("isAuthorizedOrOwner(address,uint256)", "d95e72be", ("spender", "agentId"), ("bool",), "view"),
    Fn("getVersion()", "0d8e6e2c", (), ("string",), "pure"),
    Fn("ownerOf(uint256)", "6352211e", ("tokenId",), ("address",), "view"),
    Fn("tokenURI(uint256)", "c87b56dd", ("tokenId",), ("string",), "view"),
    Fn("eip712Domain()", "84b0196e", (), ("bytes1 fields", "string name", "string version", "uint256 chainId",
                                          "address verifyingContract", "bytes32 salt", "uint256[] extensions"),
       "view"),
]

# The rest of ERC-721 (+ metadata, ERC-165): types only.
IDENTITY_STANDARD = {
    "balanceOf(address)": ("uint256",),
    "getApproved(uint256)": ("address",),
    "isApprovedForAll(address,address)": ("bool",),
    "approve(address,uint256)": (),
    "setApprovalForAll(address,bool)": (),
    "transferFrom(address,address,uint256)": (),
    "safeTransferFrom(address,address,uint256)": (),
    "safeTransferFrom(address,address,uint256,bytes)": (),
    "name()": ("string",),
    "symbol()": ("string",),
    "supportsInterface(bytes4)": ("bool",),
}

IDENTITY_EVENTS = [
    Ev("Registered", "ca52e62c367d81bb2e328eb795f7c7ba24afb478408a26c0e201d155c449bc4a",
       (("uint256", "agentId", True), ("string", "agentURI", False), ("address", "owner", True))),
    Ev("MetadataSet", "2c149ed548c6d2993cd73efe187df6eccabe4538091b33adbd25fafdb8a1468b",
       (("uint256", "agentId", True), ("string", "indexedMetadataKey", True), ("string", "metadataKey", False),
        ("bytes", "metadataValue", False))),
    Ev("URIUpdated", "3a2c7fffc2cba7582c690e3b82c453ea02a308326a98a3ad7576c606336409fb",
       (("uint256", "agentId", True), ("string", "newURI", False), ("address", "updatedBy", True))),
    Ev("Transfer", "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
       (("address", "from", True), ("address", "to", True), ("uint256", "tokenId", True))),
    Ev("Approval", "8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925",
       (("address", "owner", True), ("address", "approved", True), ("uint256", "tokenId", True))),
    Ev("ApprovalForAll", "17307eab39ab6107e8899845ad3d59bd9653f200f220920489ca2b5937696c31",
       (("address", "owner", True), ("address", "operator", True), ("bool", "approved", False))),
    Ev("MetadataUpdate", "f8e1a15aba9398e019f0b49df1a4fde98ee17ae345cb5f6b5e2c27f5033e8ce7",
       (("uint256", "_tokenId", False),)),
    Ev("BatchMetadataUpdate", "6bd5c950a8d8df17f772f5af37cb3655737899cbf903264b9795592da439661c",
       (("uint256", "_fromTokenId", False), ("uint256", "_toTokenId", False))),
    Ev("EIP712DomainChanged", "0a6387c9ea3628b88a633bb4f3b151770f70085117a15f9bf3787cda53f13d31", ()),
]

IDENTITY_ERRORS = {
    # this project's, one per v1 revert string (docs/erc8004.md)
    "IdentityRegistryReservedMetadataKey(string)",
    "IdentityRegistryInvalidAgentWallet(address)",
    "IdentityRegistryExpiredDeadline(uint256)",
    "IdentityRegistryDeadlineTooFar(uint256,uint256)",
    "IdentityRegistryInvalidWalletSignature(address)",
    # OpenZeppelin ERC-721 (ERC-6093), shared with v1
    "ERC721InvalidOwner(address)",
    "ERC721NonexistentToken(uint256)",
    "ERC721IncorrectOwner(address,uint256,address)",
    "ERC721InvalidSender(address)",
    "ERC721InvalidReceiver(address)",
    "ERC721InsufficientApproval(address,uint256)",
    "ERC721InvalidApprover(address)",
    "ERC721InvalidOperator(address)",
    # OpenZeppelin EIP712's ShortStrings (constructor only)
    "InvalidShortString()",
    "StringTooLong(string)",
}

# --- ReputationRegistry ---------------------------------------------------------------------------

REPUTATION_V1 = [
    Fn("getIdentityRegistry()", "bc4d861b", (), ("address",), "view"),
    Fn("giveFeedback(uint256,int128,uint8,string,string,string,string,bytes32)", "3c036a7e",
       ("agentId", "value", "valueDecimals", "tag1", "tag2", "endpoint", "feedbackURI", "feedbackHash"), (),
       "nonpayable"),
    Fn("revokeFeedback(uint256,uint64)", "4ab3ca99", ("agentId", "feedbackIndex"), (), "nonpayable"),
    Fn("appendResponse(uint256,address,uint64,string,bytes32)", "c2349ab2",
       ("agentId", "clientAddress", "feedbackIndex", "responseURI", "responseHash"), (), "nonpayable"),
    Fn("getLastIndex(uint256,address)", "f2d81759", ("agentId", "clientAddress"), ("uint64",), "view"),
    Fn("readFeedback(uint256,address,uint64)", "232b0810", ("agentId", "clientAddress", "feedbackIndex"),
       ("int128 value", "uint8 valueDecimals", "string tag1", "string tag2", "bool isRevoked"), "view"),
    Fn("getSummary(uint256,address[],string,string)", "81bbba58", ("agentId", "clientAddresses", "tag1", "tag2"),
       ("uint64 count", "int128 summaryValue", "uint8 summaryValueDecimals"), "view"),
    Fn("readAllFeedback(uint256,address[],string,string,bool)", "d9d84224",
       ("agentId", "clientAddresses", "tag1", "tag2", "includeRevoked"),
       ("address[] clients", "uint64[] feedbackIndexes", "int128[] values", "uint8[] valueDecimals",
        "string[] tag1s", "string[] tag2s", "bool[] revokedStatuses"), "view"),
    Fn("getResponseCount(uint256,address,uint64,address[])", "6e04cacd",
       ("agentId", "clientAddress", "feedbackIndex", "responders"), ("uint64 count",), "view"),
    Fn("getClients(uint256)", "42dd519c", ("agentId",), ("address[]",), "view"),
    Fn("getVersion()", "0d8e6e2c", (), ("string",), "pure"),
]

REPUTATION_EVENTS = [
    Ev("NewFeedback", "6a4a61743519c9d648a14e6493f47dbe3ff1aa29e7785c96c8326a205e58febc",
       (("uint256", "agentId", True), ("address", "clientAddress", True), ("uint64", "feedbackIndex", False),
        ("int128", "value", False), ("uint8", "valueDecimals", False), ("string", "indexedTag1", True),
        ("string", "tag1", False), ("string", "tag2", False), ("string", "endpoint", False),
        ("string", "feedbackURI", False), ("bytes32", "feedbackHash", False))),
    Ev("FeedbackRevoked", "25156fd3288212246d8b008d5921fde376c71ed14ac2e072a506eb06fde6d09d",
       (("uint256", "agentId", True), ("address", "clientAddress", True), ("uint64", "feedbackIndex", True))),
    Ev("ResponseAppended", "b1c6be0b5b8aef6539e2fac0fd131a2faa7b49edf8e505b5eb0ad487d56051d4",
       (("uint256", "agentId", True), ("address", "clientAddress", True), ("uint64", "feedbackIndex", False),
        ("address", "responder", True), ("string", "responseURI", False), ("bytes32", "responseHash", False))),
]

REPUTATION_ERRORS = {
    "ReputationRegistryInvalidIdentityRegistry()",
    "ReputationRegistryInvalidValueDecimals(uint8)",
    "ReputationRegistryValueOutOfRange(int128)",
    "ReputationRegistrySelfFeedback(uint256,address)",
    "ReputationRegistryZeroFeedbackIndex()",
    "ReputationRegistryFeedbackIndexOutOfBounds(uint256,address,uint64,uint64)",
    "ReputationRegistryFeedbackAlreadyRevoked(uint256,address,uint64)",
    "ReputationRegistryEmptyResponseURI()",
    "ReputationRegistryEmptyClientList()",
    "SafeCastOverflowedIntDowncast(uint8,int256)",  # local only: getSummary overflow (v1 truncates)
}

CONTRACTS = {
    "IdentityRegistry": (IDENTITY_V1, IDENTITY_STANDARD, IDENTITY_EVENTS, IDENTITY_ERRORS),
    "ReputationRegistry": (REPUTATION_V1, {}, REPUTATION_EVENTS, REPUTATION_ERRORS),
}


# --- helpers --------------------------------------------------------------------------------------


def canonical(param: dict) -> str:
    """The ABI type of a parameter as it appears in a signature (tuples expanded)."""
    kind = param["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(canonical(c) for c in param["components"]) + ")" + kind[len("tuple"):]
    return kind


def signature(entry: dict) -> str:
    return f"{entry['name']}({','.join(canonical(p) for p in entry['inputs'])})"


def typed(params: list[dict]) -> tuple[str, ...]:
    """'type name' of each parameter, or just 'type' when unnamed."""
    return tuple(f"{canonical(p)} {p['name']}" if p.get("name") else canonical(p) for p in params)


def abi_of(project, name: str) -> list[dict]:
    """The compiled ABI of ``name``, as JSON entries."""
    return [e.model_dump(mode="json", by_alias=True, exclude_none=True) for e in getattr(project, name).contract_type.abi]


@pytest.fixture(scope="module", params=list(CONTRACTS))
def compiled(request, project):
    """(name, compiled ABI) of each registry."""
    return request.param, abi_of(project, request.param)


def entries(abi: list[dict], kind: str) -> dict[str, dict]:
    return {signature(e): e for e in abi if e["type"] == kind}


# --- tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CONTRACTS))
def test_expected_selectors_and_topics_match_their_signatures(name) -> None:
    functions, _, events, _ = CONTRACTS[name]
    for fn in functions:
        assert keccak(text=fn.signature)[:4].hex() == fn.selector, fn.signature
    for ev in events:
        text = f"{ev.name}({','.join(kind for kind, _, _ in ev.fields)})"
        assert keccak(text=text).hex() == ev.topic0, text


def test_functions_are_exactly_v1s(compiled) -> None:
    name, abi = compiled
    v1, standard, _, _ = CONTRACTS[name]
    found = entries(abi, "function")
    assert set(found) == {fn.signature for fn in v1} | set(standard)  # nothing missing, nothing extra
    for fn in v1:
        entry = found[fn.signature]
        assert tuple(p["name"] for p in entry["inputs"]) == fn.inputs, fn.signature
        assert typed(entry["outputs"]) == fn.outputs, fn.signature
        assert entry["stateMutability"] == fn.mutability, fn.signature
    for sig, outputs in standard.items():
        assert tuple(canonical(p) for p in found[sig]["outputs"]) == outputs, sig


def test_register_metadata_entry_layout(project) -> None:
    register = entries(abi_of(project, "IdentityRegistry"), "function")["register(string,(string,bytes)[])"]
    (entry,) = [p for p in register["inputs"] if p["name"] == "metadata"]
    assert [(c["name"], c["type"]) for c in entry["components"]] == [("metadataKey", "string"),
                                                                      ("metadataValue", "bytes")]


def test_events_are_exactly_v1s_with_their_indexed_fields(compiled) -> None:
    name, abi = compiled
    _, _, events, _ = CONTRACTS[name]
    found = {e["name"]: e for e in abi if e["type"] == "event"}
    assert set(found) == {ev.name for ev in events}
    for ev in events:
        fields = tuple((canonical(p), p["name"], p["indexed"]) for p in found[ev.name]["inputs"])
        assert fields == ev.fields, ev.name
        assert not found[ev.name].get("anonymous", False)
        assert sum(indexed for _, _, indexed in fields) <= 3


def test_errors_are_the_documented_ones(compiled) -> None:
    name, abi = compiled
    assert set(entries(abi, "error")) == CONTRACTS[name][3]


def test_constructors_take_what_the_deploy_script_passes(project) -> None:
    def constructor_inputs(name):
        (ctor,) = [e for e in abi_of(project, name) if e["type"] == "constructor"]
        return typed(ctor["inputs"])

    assert constructor_inputs("IdentityRegistry") == ()
    assert constructor_inputs("ReputationRegistry") == ("address identityRegistry_",)
