"""Typed exceptions for failed Solana transactions.

A failed instruction is reported by the node as ``InstructionError(index,
Custom(code))`` plus logs. The failing program is the one the instruction at
``index`` calls; its code is named from that program's IDL (the Dispatch
programs), from Anchor's own error table as logged (``AnchorError ... Error
Code: ConstraintTokenMint``), or from SPL Token's error enum. The name picks
the exception class, so callers can ``except AlreadySettled``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from dispatch_chain.errors import ChainError, TransactionFailed

SPL_TOKEN_ERRORS = (
    "NotRentExempt",
    "InsufficientFunds",
    "InvalidMint",
    "MintMismatch",
    "OwnerMismatch",
    "FixedSupply",
    "AlreadyInUse",
    "InvalidNumberOfProvidedSigners",
    "InvalidNumberOfRequiredSigners",
    "UninitializedState",
    "NativeNotSupported",
    "NonNativeHasBalance",
    "InvalidInstruction",
    "InvalidState",
    "Overflow",
    "AuthorityTypeNotSupported",
    "MintCannotFreeze",
    "AccountFrozen",
    "MintDecimalsMismatch",
    "NonNativeNotSupported",
)
_ANCHOR_LOG = re.compile(r"Error Code: (\w+)\. Error Number: (\d+)\. Error Message: (.*?)\.?$")


class ForeignAccount(ChainError):
    """An account at a program's address that is not what the program writes there.

    Another owner, another account type (discriminator), or data that does not
    decode. An address that only holds lamports is not foreign: readers treat it
    as absent, since anyone can send lamports to an address the program has not
    used yet.
    """

    def __init__(self, message: str, *, address: str, expected: str) -> None:
        super().__init__(message)
        self.address = address
        self.expected = expected


class SolanaTransactionError(TransactionFailed):
    """A Solana transaction failed; ``program``/``code``/``name`` say where and why when known."""

    def __init__(
        self,
        message: str,
        *,
        program: str | None = None,
        code: int | None = None,
        name: str | None = None,
        logs: Sequence[str] = (),
        tx: str | None = None,
    ) -> None:
        super().__init__(message, reason=name, tx=tx)
        self.program = program
        self.code = code
        self.name = name
        self.logs = list(logs)


class ProgramError(SolanaTransactionError):
    """A custom error of a program (a Dispatch program, Anchor's framework, or SPL Token)."""


# One class per error name of the Dispatch programs (docs/solana-programs.md), so
# callers catch what they mean. Names shared by several programs share a class.
class Unauthorized(ProgramError): ...


class InvalidThresholds(ProgramError): ...


class InvalidCooldown(ProgramError): ...


class ZeroAmount(ProgramError): ...


class InsufficientStake(ProgramError): ...


class NothingPending(ProgramError): ...


class CooldownNotElapsed(ProgramError): ...


class WrongMint(ProgramError): ...


class WrongTokenOwner(ProgramError): ...


class NoPendingAdmin(ProgramError): ...


class MathOverflow(ProgramError): ...


class FeeTooHigh(ProgramError): ...


class EmptyJobId(ProgramError): ...


class JobIdTooLong(ProgramError): ...


class JobIdHashMismatch(ProgramError): ...


class AlreadySettled(ProgramError): ...


class InsufficientBalance(ProgramError): ...


class ZeroRoot(ProgramError): ...


class EmptyBatch(ProgramError): ...


class UriTooLong(ProgramError): ...


class RootAlreadyAnchored(ProgramError): ...


class NotAnAnchorer(ProgramError): ...


class InvalidProof(ProgramError): ...


class WrongBatch(ProgramError): ...


class ProofTooLong(ProgramError): ...


# dispatch_bridge (docs/solana-programs.md, docs/bridge-solana.md)
class Paused(ProgramError): ...


class MalformedRecipient(ProgramError): ...


class RateLimited(ProgramError): ...


class UnsupportedVersion(ProgramError): ...


class UnsupportedKind(ProgramError): ...


class WrongChain(ProgramError): ...


class WrongSourceChain(ProgramError): ...


class WrongSourceBridge(ProgramError): ...


class UnknownAttester(ProgramError): ...


class DuplicateAttestation(ProgramError): ...


class AlreadyExecuted(ProgramError): ...


class InsufficientAttestations(ProgramError): ...


class NotQueued(ProgramError): ...


class NotDue(ProgramError): ...


class InsufficientCustody(ProgramError): ...


class InvalidAttesters(ProgramError): ...


class InvalidThreshold(ProgramError): ...


class InvalidLimits(ProgramError): ...


class InvalidPeer(ProgramError): ...


class CooldownTooLong(ProgramError): ...


class ThresholdAboveSupply(ProgramError): ...


# dispatch_rewards
class NotDistributor(ProgramError): ...


class InvalidEpochLength(ProgramError): ...


class EpochNotEnded(ProgramError): ...


class EpochAlreadyPosted(ProgramError): ...


class ExceedsReleased(ProgramError):
    """A root whose total exceeds what the emission curve has released minus what was already distributed."""


class VaultUnderfunded(ProgramError): ...


class AlreadyClaimed(ProgramError): ...


class ExceedsEpochTotal(ProgramError): ...


class WrongEpochAccount(ProgramError): ...


# dispatch_vesting
class InvalidSchedule(ProgramError): ...


class NotBeneficiary(ProgramError): ...


class NothingToClaim(ProgramError): ...


class NotRevocable(ProgramError): ...


class NotRevokeAuthority(ProgramError): ...


class AlreadyRevoked(ProgramError): ...


class AnchorConstraintError(ProgramError):
    """An Anchor framework error (account constraints, 2000-4999), e.g. ConstraintSeeds."""


class TokenProgramError(ProgramError):
    """An SPL Token error, e.g. InsufficientFunds."""


ERROR_CLASSES: dict[str, type[ProgramError]] = {
    cls.__name__: cls for cls in ProgramError.__subclasses__() if cls not in (AnchorConstraintError, TokenProgramError)
}


def _parse_err(err: Any) -> Any:
    if err is None:
        return None
    if hasattr(err, "to_json"):
        value = json.loads(err.to_json())
        # solders drops the variant's tag for InstructionError: [index, inner]; 0.27 drops the
        # tag of Custom too ([index, code]), the only instruction error that is a bare number.
        if type(err).__name__ == "TransactionErrorInstructionError":
            index, inner = value
            return {"InstructionError": [index, {"Custom": inner} if isinstance(inner, int) else inner]}
        return value
    if isinstance(err, str):
        try:
            return json.loads(err)
        except json.JSONDecodeError:
            return err
    return err


def decode_failure(
    err: Any,
    logs: Sequence[str],
    instruction_programs: Sequence[str],
    idl_errors: dict[str, dict[int, str]],
    *,
    token_programs: Sequence[str] = (),
    tx: str | None = None,
) -> SolanaTransactionError:
    """Build the typed exception for a transaction error as the RPC reports it.

    ``instruction_programs`` are the program ids of the transaction's
    instructions in order; ``idl_errors`` maps a program id to {code: name}.
    """
    parsed = _parse_err(err)
    logs = list(logs or [])
    if isinstance(parsed, dict) and "InstructionError" in parsed:
        index, inner = parsed["InstructionError"]
        program = instruction_programs[index] if index < len(instruction_programs) else None
        if isinstance(inner, dict) and "Custom" in inner:
            code = int(inner["Custom"])
            anchor = next((m for m in map(_ANCHOR_LOG.search, reversed(logs)) if m), None)
            failing = _failing_program(logs) or program
            if failing in idl_errors and code in idl_errors[failing]:
                name = idl_errors[failing][code]
                cls = ERROR_CLASSES.get(name, ProgramError)
                detail = anchor.group(3) if anchor and anchor.group(1) == name else name
                return cls(
                    f"{name} ({code}) from {failing}: {detail}", program=failing, code=code, name=name, logs=logs, tx=tx
                )
            if anchor is not None and int(anchor.group(2)) == code:
                return AnchorConstraintError(
                    f"{anchor.group(1)} ({code}) from {failing}: {anchor.group(3)}",
                    program=failing,
                    code=code,
                    name=anchor.group(1),
                    logs=logs,
                    tx=tx,
                )
            if failing in token_programs and code < len(SPL_TOKEN_ERRORS):
                name = SPL_TOKEN_ERRORS[code]
                return TokenProgramError(
                    f"SPL Token error {name} ({code})", program=failing, code=code, name=name, logs=logs, tx=tx
                )
            return ProgramError(
                f"custom program error {code} from {failing}", program=failing, code=code, logs=logs, tx=tx
            )
        name = inner if isinstance(inner, str) else next(iter(inner), "InstructionError")
        return SolanaTransactionError(
            f"instruction {index} ({program}) failed: {inner}", program=program, name=name, logs=logs, tx=tx
        )
    error_name = parsed if isinstance(parsed, str) else (next(iter(parsed), None) if isinstance(parsed, dict) else None)
    return SolanaTransactionError(f"transaction failed: {parsed}", name=error_name, logs=logs, tx=tx)


def _failing_program(logs: Sequence[str]) -> str | None:
    """The program whose ``failed:`` line comes first (the innermost failure, e.g. a CPI callee)."""
    for line in logs:
        match = re.match(r"Program (\w+) failed: ", line)
        if match:
            return match.group(1)
    return None
