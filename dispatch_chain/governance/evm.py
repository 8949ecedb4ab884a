"""Client of the governance contracts on Monad: DispatchGovernor, its timelock, ProtocolParams and wBOLT votes.

Reads: the whole parameter set in one call, a proposal (state, votes, quorum,
ETA, its calls from the governor's on-chain storage) by id alone. Writes
(delegate, propose, vote, queue, execute, cancel) are simulated first, so a call
the contracts would refuse raises its typed exception
(:mod:`dispatch_chain.governance.errors`) before anything is signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD
from web3.types import TxReceipt

from dispatch_chain.errors import ChainError, TransactionFailed
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.governance.errors import ProposalNotFound, decode_revert
from dispatch_chain.governance.params import ProtocolParamSet, job_type_name
from dispatch_chain.governance.proposals import Call, describe_call
from dispatch_chain.hashing import keccak256

GOVERNOR = "DispatchGovernor"
PARAMS = "ProtocolParams"
TOKEN = "WrappedBolt"
#: Gas added to every estimate: votes checkpoint by timestamp, so a later second can write more slots.
HEADROOM = 50_000


class ProposalState(IntEnum):
    """OpenZeppelin IGovernor.ProposalState."""

    PENDING = 0
    ACTIVE = 1
    CANCELED = 2
    DEFEATED = 3
    SUCCEEDED = 4
    QUEUED = 5
    EXPIRED = 6
    EXECUTED = 7


class Support(IntEnum):
    AGAINST = 0
    FOR = 1
    ABSTAIN = 2


@dataclass(frozen=True)
class Proposal:
    """A proposal as the chain holds it."""

    id: int
    state: ProposalState
    proposer: str
    calls: tuple[Call, ...]
    description_hash: bytes
    snapshot: int  # timestamp of the vote's snapshot (= voting start)
    deadline: int  # timestamp the vote ends
    eta: int  # timestamp the timelock lets it execute (0 until queued)
    execute_before: int  # last executable timestamp (0 until queued)
    votes_against: int
    votes_for: int
    votes_abstain: int
    quorum: int  # wBOLT base units needed (For + Abstain) at the snapshot

    def lines(self) -> list[str]:
        return [describe_call(call.data, call.target) for call in self.calls]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "state": self.state.name.lower(),
            "proposer": self.proposer,
            "changes": self.lines(),
            "calls": [{"target": c.target, "value": c.value, "data": "0x" + c.data.hex()} for c in self.calls],
            "description_hash": "0x" + self.description_hash.hex(),
            "snapshot": self.snapshot,
            "deadline": self.deadline,
            "eta": self.eta or None,
            "execute_before": self.execute_before or None,
            "votes": {
                "for": str(self.votes_for),
                "against": str(self.votes_against),
                "abstain": str(self.votes_abstain),
            },
            "quorum": str(self.quorum),
        }


class EvmGovernance:
    """Reads and writes one DispatchGovernor and its ProtocolParams."""

    def __init__(self, client: EvmClient, governor: str, params: str) -> None:
        self.client = client
        self.governor = client.contract(GOVERNOR, governor)
        self.params_contract = client.contract(PARAMS, params)
        self._token: Any = None

    @property
    def token(self) -> Any:
        if self._token is None:
            self._token = self.client.contract(TOKEN, self._read(self.governor.functions.token()))
        return self._token

    # -- reads --------------------------------------------------------------------------

    def _read(self, call: ContractFunction, block: int | str = "latest") -> Any:
        try:
            return call.call(block_identifier=block)  # type: ignore[arg-type]
        except ContractLogicError as exc:
            raise decode_revert(exc.data if isinstance(exc.data, str) else None) or ChainError(
                f"{call.fn_name} reverted: {exc}"
            ) from exc
        except (ValueError, OSError) as exc:
            raise ChainError(f"{call.fn_name} at {call.address} failed: {exc}") from exc

    def params(self, block: int | str = "latest") -> ProtocolParamSet:
        """The whole parameter set and its version, in one call."""
        from types import MappingProxyType

        version, fee, verified, sentinel, cooldown, prices = self._read(self.params_contract.functions.params(), block)
        return ProtocolParamSet(
            version=int(version),
            fee_bps=int(fee),
            verified_threshold=int(verified),
            sentinel_threshold=int(sentinel),
            unstake_cooldown=int(cooldown),
            prices=MappingProxyType({job_type_name(bytes(word)): int(price) for word, price in prices}),
        )

    def proposal(self, proposal_id: int) -> Proposal:
        f = self.governor.functions
        try:
            targets, values, calldatas, description_hash = self._read(f.proposalDetails(proposal_id))
        except TransactionFailed as exc:
            if getattr(exc, "error", "") == "GovernorNonexistentProposal":
                raise ProposalNotFound(f"no proposal {proposal_id} on {self.governor.address}") from None
            raise
        snapshot = int(self._read(f.proposalSnapshot(proposal_id)))
        against, for_, abstain = self._read(f.proposalVotes(proposal_id))
        state = ProposalState(self._read(f.state(proposal_id)))
        now = int(self.client.w3.eth.get_block("latest")["timestamp"])
        quorum = int(self._read(f.quorum(snapshot))) if snapshot < now else 0
        return Proposal(
            id=proposal_id,
            state=state,
            proposer=self._read(f.proposalProposer(proposal_id)),
            calls=tuple(Call(t, bytes(d), int(v)) for t, v, d in zip(targets, values, calldatas, strict=True)),
            description_hash=bytes(description_hash),
            snapshot=snapshot,
            deadline=int(self._read(f.proposalDeadline(proposal_id))),
            eta=int(self._read(f.proposalEta(proposal_id))),
            execute_before=int(self._read(f.proposalDeadlineToExecute(proposal_id))),
            votes_against=int(against),
            votes_for=int(for_),
            votes_abstain=int(abstain),
            quorum=quorum,
        )

    def proposal_ids(self) -> list[int]:
        """Every proposal id, oldest first (from the governor's storage, no event scan)."""
        f = self.governor.functions
        count = int(self._read(f.proposalCount()))
        return [int(self._read(f.proposalDetailsAt(i))[0]) for i in range(count)]

    def votes(self, account: str) -> int:
        return int(self._read(self.token.functions.getVotes(Web3.to_checksum_address(account))))

    def proposal_id(self, calls: list[Call], description: str) -> int:
        return int(
            self._read(
                self.governor.functions.hashProposal(
                    [c.target for c in calls],
                    [c.value for c in calls],
                    [c.data for c in calls],
                    keccak256(description.encode()),
                )
            )
        )

    # -- writes -------------------------------------------------------------------------

    def transact(self, sender: TxSender, call: ContractFunction, *, timeout: float = 120.0) -> TxReceipt:
        """Simulate, sign, send and wait; a refusal raises its typed exception."""
        try:
            estimate = call.estimate_gas({"from": sender.address})
        except ContractLogicError as exc:
            raise decode_revert(exc.data if isinstance(exc.data, str) else None) or TransactionFailed(
                f"{call.fn_name} would revert: {exc}", reason=str(exc)
            ) from exc
        prepared = sender.prepare(call, contract=GOVERNOR, gas=int(estimate * sender.gas_margin) + HEADROOM)
        sender.broadcast(prepared)
        receipt = sender.wait(prepared.tx_hash, timeout=timeout)
        if receipt["status"] != 1:
            try:
                call.call({"from": sender.address}, block_identifier=receipt["blockNumber"] - 1)
            except ContractLogicError as exc:
                typed = decode_revert(exc.data if isinstance(exc.data, str) else None, tx=prepared.tx_hash)
                if typed is not None:
                    raise typed from exc
            raise TransactionFailed(f"{call.fn_name} {prepared.tx_hash} reverted", tx=prepared.tx_hash)
        return receipt

    def delegate(self, sender: TxSender, to: str | None = None) -> TxReceipt:
        """Delegate the sender's wBOLT votes (to itself by default): balances vote only once delegated."""
        return self.transact(sender, self.token.functions.delegate(Web3.to_checksum_address(to or sender.address)))

    def propose(self, sender: TxSender, calls: list[Call], description: str) -> tuple[int, TxReceipt]:
        f = self.governor.functions
        receipt = self.transact(
            sender, f.propose([c.target for c in calls], [c.value for c in calls], [c.data for c in calls], description)
        )
        created = self.governor.events.ProposalCreated().process_receipt(receipt, errors=DISCARD)
        if not created:
            raise ChainError(f"propose {receipt['transactionHash'].hex()} emitted no ProposalCreated")
        return int(created[0]["args"]["proposalId"]), receipt

    def cast_vote(self, sender: TxSender, proposal_id: int, support: Support, reason: str = "") -> TxReceipt:
        f = self.governor.functions
        call = (
            f.castVoteWithReason(proposal_id, int(support), reason) if reason else f.castVote(proposal_id, int(support))
        )
        return self.transact(sender, call)

    def queue(self, sender: TxSender, proposal_id: int) -> TxReceipt:
        return self.transact(sender, self.governor.get_function_by_signature("queue(uint256)")(proposal_id))

    def execute(self, sender: TxSender, proposal_id: int) -> TxReceipt:
        return self.transact(sender, self.governor.get_function_by_signature("execute(uint256)")(proposal_id))

    def cancel(self, sender: TxSender, proposal_id: int) -> TxReceipt:
        return self.transact(sender, self.governor.get_function_by_signature("cancel(uint256)")(proposal_id))
