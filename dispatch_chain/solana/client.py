"""A synchronous solana-py connection: sending instructions, reading accounts in batches.

Every transaction with a Dispatch instruction carries a compute-unit limit
from the measured budgets (:mod:`dispatch_chain.solana.budgets`) instead of
running under the 200,000 CU default.

Sending is split like on EVM: :meth:`SolanaClient.prepare` signs (the
signature is the transaction id, known before broadcast, and the blockhash's
last valid block height bounds when it can still land), :meth:`broadcast`
sends the bytes, :meth:`confirm` waits. Failures become the typed exceptions
of :mod:`dispatch_chain.solana.errors`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from solana.rpc.api import Client
from solana.rpc.commitment import Commitment
from solana.rpc.core import RPCException
from solana.rpc.types import TxOpts
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import Transaction

from dispatch_chain.config import SolanaNetwork
from dispatch_chain.errors import ChainError
from dispatch_chain.solana.budgets import TOKEN_PROGRAM as TOKEN_PROGRAM  # re-exported: the clients import it here
from dispatch_chain.solana.budgets import compute_unit_limit, set_compute_unit_limit
from dispatch_chain.solana.errors import SolanaTransactionError, decode_failure

SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
TOKEN_2022_PROGRAM = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
MAX_ACCOUNTS_PER_CALL = 100  # getMultipleAccounts' limit on the real RPC


@dataclass(frozen=True, slots=True)
class PreparedTx:
    signature: str
    raw: bytes
    last_valid_block_height: int
    programs: tuple[str, ...]  # program id of each instruction, for error decoding


@dataclass(frozen=True, slots=True)
class AccountData:
    pubkey: Pubkey
    owner: Pubkey
    lamports: int
    data: bytes

    @property
    def holds_only_lamports(self) -> bool:
        """A System account without data: what anyone makes of any address, a PDA included, by sending it lamports.

        A program has not created an account there yet, so readers treat it as absent.
        """
        return self.owner == SYSTEM_PROGRAM and not self.data


class SolanaClient:
    """One Solana cluster, with the IDL error tables of the programs it may call."""

    def __init__(
        self, network: SolanaNetwork, *, timeout: float = 30.0, idl_errors: dict[str, dict[int, str]] | None = None
    ) -> None:
        self.network = network
        self.commitment = Commitment(network.commitment)
        self.rpc = Client(network.rpc_url, commitment=self.commitment, timeout=timeout)
        self.idl_errors = dict(idl_errors or {})
        self.rpc_requests = 0  # for benchmarks: account reads made
        self._genesis: str | None = None

    # -- identity ---------------------------------------------------------------------

    def genesis_hash(self) -> str:
        if self._genesis is None:
            try:
                self._genesis = str(self.rpc.get_genesis_hash().value)
            except Exception as exc:
                raise ChainError(f"cannot reach the Solana node at {self.network.rpc_url}: {exc}") from exc
        return self._genesis

    @property
    def caip2(self) -> str:
        """``solana:<first 32 characters of the genesis hash>`` (CAIP-2)."""
        return f"solana:{self.genesis_hash()[:32]}"

    # -- sending ------------------------------------------------------------------------

    def prepare(
        self, instructions: Sequence[Instruction], signers: Sequence[Keypair], payer: Keypair | None = None
    ) -> PreparedTx:
        payer = payer or signers[0]
        instructions = with_compute_unit_limit(instructions)
        latest = self.rpc.get_latest_blockhash(self.commitment).value
        message = Message.new_with_blockhash(instructions, payer.pubkey(), latest.blockhash)
        unique = list({bytes(k.pubkey()): k for k in [payer, *signers]}.values())
        tx = Transaction(unique, message, latest.blockhash)
        return PreparedTx(
            str(tx.signatures[0]),
            bytes(tx),
            latest.last_valid_block_height,
            tuple(str(ix.program_id) for ix in instructions),
        )

    def broadcast(self, prepared: PreparedTx, *, preflight: bool = True) -> None:
        """Send the signed bytes; preflight failures raise the typed program error."""
        try:
            self.rpc.send_raw_transaction(
                prepared.raw, opts=TxOpts(skip_preflight=not preflight, preflight_commitment=self.commitment)
            )
        except RPCException as exc:
            raise self._decode_rpc_exception(exc, prepared) from None

    def _decode_rpc_exception(self, exc: RPCException, prepared: PreparedTx) -> Exception:
        message = exc.args[0] if exc.args else exc
        data = getattr(message, "data", None)
        err = getattr(data, "err", None)
        if err is not None and "AlreadyProcessed" in str(err):
            return _AlreadyProcessed(f"transaction {prepared.signature} was already processed")
        if err is not None:
            return decode_failure(
                err,
                getattr(data, "logs", None) or [],
                prepared.programs,
                self.idl_errors,
                token_programs=[str(TOKEN_PROGRAM), str(TOKEN_2022_PROGRAM)],
                tx=prepared.signature,
            )
        text = getattr(message, "message", str(message))
        if "AlreadyProcessed" in text or "already been processed" in text:
            return _AlreadyProcessed(text)
        return SolanaTransactionError(f"send failed: {text}", tx=prepared.signature)

    def status(self, signature: str) -> tuple[str | None, object | None]:
        """``(confirmation status or None if unknown, error or None)``."""
        value = self.rpc.get_signature_statuses(
            [Signature.from_string(signature)], search_transaction_history=True
        ).value[0]
        if value is None:
            return None, None
        return str(value.confirmation_status).split(".")[-1].lower(), value.err

    def confirm(self, prepared: PreparedTx, *, timeout: float = 60.0) -> int:
        """Wait until the transaction is confirmed; returns its slot. Raises on failure or expiry."""
        deadline = time.monotonic() + timeout
        wanted = ("confirmed", "finalized") if self.network.commitment != "finalized" else ("finalized",)
        while True:
            value = self.rpc.get_signature_statuses(
                [Signature.from_string(prepared.signature)], search_transaction_history=True
            ).value[0]
            if value is not None:
                if value.err is not None:
                    raise self.failure_of(prepared, value.err)
                if str(value.confirmation_status).split(".")[-1].lower() in wanted:
                    return int(value.slot)
            elif self.rpc.get_block_height(self.commitment).value > prepared.last_valid_block_height:
                raise TransactionExpired(f"transaction {prepared.signature} expired before landing")
            if time.monotonic() > deadline:
                raise ChainError(f"transaction {prepared.signature} not confirmed within {timeout:.0f} s")
            time.sleep(0.1)

    def failure_of(self, prepared: PreparedTx, err: object) -> SolanaTransactionError:
        logs = self.logs_of(prepared.signature)
        return decode_failure(
            err,
            logs,
            prepared.programs,
            self.idl_errors,
            token_programs=[str(TOKEN_PROGRAM), str(TOKEN_2022_PROGRAM)],
            tx=prepared.signature,
        )

    def logs_of(self, signature: str) -> list[str]:
        try:
            tx = self.rpc.get_transaction(Signature.from_string(signature), max_supported_transaction_version=0).value
        except Exception:
            return []
        meta = tx.transaction.meta if tx is not None else None
        return list(meta.log_messages or []) if meta is not None else []

    def send(
        self,
        instructions: Sequence[Instruction],
        signers: Sequence[Keypair],
        *,
        payer: Keypair | None = None,
        timeout: float = 60.0,
    ) -> tuple[str, int]:
        """Sign, send (with preflight) and confirm; returns ``(signature, slot)``."""
        prepared = self.prepare(instructions, signers, payer)
        self.broadcast(prepared)
        return prepared.signature, self.confirm(prepared, timeout=timeout)

    def simulate(self, instructions: Sequence[Instruction], fee_payer: Pubkey) -> tuple[bytes | None, list[str]]:
        """Run instructions unsigned, without landing them; returns ``(return data, logs)``.

        ``fee_payer`` only has to exist with lamports (signatures are not verified).
        Failures raise the typed program errors.
        """
        instructions = with_compute_unit_limit(instructions)
        latest = self.rpc.get_latest_blockhash(self.commitment).value
        message = Message.new_with_blockhash(instructions, fee_payer, latest.blockhash)
        result = self.rpc.simulate_transaction(Transaction.new_unsigned(message), sig_verify=False).value
        if result.err is not None:
            raise decode_failure(
                result.err,
                result.logs or [],
                [str(ix.program_id) for ix in instructions],
                self.idl_errors,
                token_programs=[str(TOKEN_PROGRAM), str(TOKEN_2022_PROGRAM)],
            )
        data = bytes(result.return_data.data) if result.return_data is not None else None
        return data, list(result.logs or [])

    # -- reading ------------------------------------------------------------------------

    def account(self, pubkey: Pubkey, *, commitment: str | None = None) -> AccountData | None:
        return self.accounts([pubkey], commitment=commitment)[0]

    def accounts(self, pubkeys: Iterable[Pubkey], *, commitment: str | None = None) -> list[AccountData | None]:
        """Accounts in order (None where absent), in getMultipleAccounts calls of 100, at ``commitment``
        (default: the network's)."""
        keys = list(pubkeys)
        level = Commitment(commitment) if commitment else self.commitment
        found: list[AccountData | None] = []
        for start in range(0, len(keys), MAX_ACCOUNTS_PER_CALL):
            chunk = keys[start : start + MAX_ACCOUNTS_PER_CALL]
            values = self.rpc.get_multiple_accounts(chunk, commitment=level).value
            self.rpc_requests += 1
            found.extend(
                None if v is None else AccountData(key, v.owner, v.lamports, bytes(v.data))
                for key, v in zip(chunk, values, strict=True)
            )
        return found

    def program_accounts(
        self, program: Pubkey, discriminator: bytes, *, commitment: str | None = None
    ) -> list[AccountData]:
        """The accounts ``program`` owns whose data starts with ``discriminator`` (getProgramAccounts, memcmp)."""
        from solana.rpc.types import MemcmpOpts

        level = Commitment(commitment) if commitment else self.commitment
        values = self.rpc.get_program_accounts(
            program,
            commitment=level,
            encoding="base64",
            filters=[MemcmpOpts(offset=0, bytes=b58encode(discriminator))],
        ).value
        self.rpc_requests += 1
        return [AccountData(v.pubkey, v.account.owner, v.account.lamports, bytes(v.account.data)) for v in values]

    def slot(self, commitment: str | None = None) -> int:
        """The newest slot at ``commitment`` (default: the network's)."""
        return int(self.rpc.get_slot(Commitment(commitment) if commitment else self.commitment).value)

    def balance(self, pubkey: Pubkey) -> int:
        return int(self.rpc.get_balance(pubkey, self.commitment).value)

    def airdrop(self, pubkey: Pubkey, lamports: int) -> None:
        """Request an airdrop and wait for it (local node and devnet faucets)."""
        signature = self.rpc.request_airdrop(pubkey, lamports).value
        self.rpc.confirm_transaction(signature, self.commitment)

    def block_time(self, slot: int) -> int | None:
        try:
            return self.rpc.get_block_time(slot).value
        except Exception:
            return None


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet) of ``data``, as memcmp filters take their bytes."""
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, digit = divmod(number, 58)
        text = _B58[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def with_compute_unit_limit(instructions: Sequence[Instruction]) -> list[Instruction]:
    """``instructions`` plus ``SetComputeUnitLimit`` from the documented budgets, when they call a Dispatch program.

    It goes last: the runtime reads compute-budget instructions wherever they
    are, and the others keep their indices, which error decoding relies on.
    """
    limit = compute_unit_limit(instructions)
    return [*instructions] if limit is None else [*instructions, set_compute_unit_limit(limit)]


class TransactionExpired(ChainError):
    """The transaction's blockhash expired before it landed: it can never land now."""


class _AlreadyProcessed(ChainError):
    """The very same transaction was processed already (a re-broadcast)."""
