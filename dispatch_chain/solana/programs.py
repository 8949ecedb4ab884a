"""The Dispatch Anchor programs as seen from Python: IDLs, ids, PDAs, instruction building.

Instructions, accounts and events are encoded and decoded by the project's own
IDL coder (:mod:`.idl`) from the committed IDLs (``idl/``, exposed as
``dispatch_chain/idl``); nothing here sends, so all sending stays synchronous
(:mod:`.client`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from dispatch_chain.errors import ConfigError
from dispatch_chain.solana.client import SYSTEM_PROGRAM, AccountData
from dispatch_chain.solana.errors import ForeignAccount
from dispatch_chain.solana.idl import Idl, IdlDecodeError, IdlError, Record, program_data

STAKING = "dispatch_staking"
SETTLEMENT = "dispatch_settlement"
ANCHOR = "dispatch_anchor"
PROGRAMS = (STAKING, SETTLEMENT, ANCHOR)
__all__ = [
    "ANCHOR",
    "BPF_LOADER_UPGRADEABLE",
    "BRIDGE",
    "PROGRAMS",
    "SETTLEMENT",
    "STAKING",
    "SYSTEM_PROGRAM",
    "IdlProgram",
    "error_tables",
    "load_idl",
    "pda",
]
BPF_LOADER_UPGRADEABLE = Pubkey.from_string("BPFLoaderUpgradeab1e11111111111111111111111")
# The bridge (issue 12) is not among the PROGRAMS init-programs initialises: it has its own
# init step (init-bridge).
BRIDGE = "dispatch_bridge"


@cache
def _idl_text(name: str) -> str:
    try:
        return resources.files("dispatch_chain").joinpath(f"idl/{name}.json").read_text()
    except FileNotFoundError:
        raise ConfigError(f"no IDL for {name} in idl/ (regenerate: scripts/gen_idl.sh)") from None


@cache
def load_idl(name: str) -> Idl:
    """The committed IDL of program ``name``."""
    try:
        return Idl.from_json(_idl_text(name))
    except (IdlError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"the IDL of {name} does not load: {exc}") from None


@cache
def _idl_accounts(name: str) -> dict[str, list[dict[str, Any]]]:
    """Each instruction's accounts as the IDL JSON has them (with their ``pda`` seeds)."""
    return {ix["name"]: ix["accounts"] for ix in json.loads(_idl_text(name))["instructions"]}


#: Every program an :class:`IdlProgram` was made for, by id: how
#: :func:`dispatch_chain.solana.budgets.compute_unit_limit` recognises their instructions.
_REGISTERED: dict[Pubkey, IdlProgram] = {}


def registered_program(program_id: Pubkey) -> IdlProgram | None:
    return _REGISTERED.get(program_id)


def pda(program_id: Pubkey, *seeds: bytes) -> Pubkey:
    return Pubkey.find_program_address(list(seeds), program_id)[0]


def programdata_address(program_id: Pubkey) -> Pubkey:
    """The ProgramData account of an upgradeable program (PDA ``[program_id]`` of the BPF upgradeable loader)."""
    return pda(BPF_LOADER_UPGRADEABLE, bytes(program_id))


def upgrade_authority(data: bytes) -> Pubkey | None:
    """The upgrade authority in a ProgramData account's data (``None``: immutable).

    Layout (``UpgradeableLoaderState::ProgramData``): tag u32 = 3, slot u64,
    then ``Option<Pubkey>`` as one byte and 32; the ELF follows at 45.
    """
    if len(data) < 45 or data[:4] != (3).to_bytes(4, "little"):
        raise ConfigError("not a ProgramData account of the BPF upgradeable loader")
    return Pubkey.from_bytes(data[13:45]) if data[12] == 1 else None


@dataclass(frozen=True)
class IdlProgram:
    """Any Anchor program described by an IDL: its id (from the manifest, else the IDL) and its coder."""

    name: str
    program_id: Pubkey

    def __post_init__(self) -> None:
        _REGISTERED[self.program_id] = self

    @classmethod
    def load(cls, name: str, program_id: str | Pubkey | None = None) -> IdlProgram:
        if program_id is None:
            program_id = load_idl(name).address
            if program_id is None:
                raise ConfigError(f"the IDL of {name} names no program address")
        return cls(name, program_id if isinstance(program_id, Pubkey) else Pubkey.from_string(program_id))

    @property
    def idl(self) -> Idl:
        return load_idl(self.name)

    def instruction(self, name: str, *args: Any, accounts: dict[str, Pubkey]) -> Instruction:
        """Encode instruction ``name`` with positional ``args`` and named ``accounts`` (IDL names).

        The accounts of the upgrade-authority check of ``initialize``
        (``program``, ``program_data``) are filled in when the instruction has
        them and the caller did not, and so is an account the IDL fixes to one
        address. A missing account is a :class:`ConfigError`; accounts the
        instruction does not take are ignored.
        """
        idl_ix = self._instruction_idl(name)
        wanted = {account.name for account in idl_ix.accounts}
        accounts = dict(accounts)
        if "program" in wanted:
            accounts.setdefault("program", self.program_id)
        if "program_data" in wanted:
            accounts.setdefault("program_data", programdata_address(self.program_id))
        metas = []
        for item in idl_ix.accounts:
            key = accounts.get(item.name)
            if key is None and item.address is not None:
                key = Pubkey.from_string(item.address)
            if key is None and item.optional:  # Anchor's "None": the program id in that slot
                key = self.program_id
            if key is None:
                raise ConfigError(f"{self.name}.{name}: account {item.name!r} is missing")
            metas.append(AccountMeta(key, is_signer=item.signer, is_writable=item.writable))
        return Instruction(self.program_id, self.idl.encode_instruction(name, args), metas)

    def _instruction_idl(self, name: str) -> Any:
        return self.idl.instruction(name)

    def decode_instruction(self, data: bytes) -> tuple[str, Record] | None:
        """``(name, args)`` of an instruction of this program, None when its discriminator is not in the IDL."""
        try:
            return self.idl.decode_instruction(data)
        except IdlDecodeError:
            return None

    def events(self, logs: list[str]) -> list[tuple[str, Record]]:
        """The events this program emitted in a transaction's ``logs`` (``Program data:`` lines), in order.

        Lines of other programs (CPI callees or callers) and data that is no
        event of this IDL are left out.
        """
        found = []
        for data in program_data(logs, str(self.program_id)):
            try:
                event = self.idl.decode_event(data)
            except IdlDecodeError:
                continue
            if event is not None:
                found.append(event)
        return found

    def compute_units(self, ix: Instruction) -> int | None:
        """The CU budget of ``ix`` (docs/solana-programs.md), bump searches included; None if unknown."""
        from dispatch_chain.solana.budgets import BUDGETS, HANDLER_SEEDS, PER_BUMP

        parsed = self.decode_instruction(bytes(ix.data))
        if parsed is None:  # not an instruction of this IDL
            return None
        ix_name, ix_args = parsed
        entry = BUDGETS.get((self.name, ix_name))
        if entry is None:
            return None
        budget, searched = entry
        idl_accounts = _idl_accounts(self.name)[ix_name]
        keys = {account["name"]: meta.pubkey for account, meta in zip(idl_accounts, ix.accounts, strict=False)}
        extra = 0
        for account in idl_accounts:
            if account["name"] in searched:
                handler_seeds = HANDLER_SEEDS.get((self.name, ix_name, account["name"]))
                found = (
                    Pubkey.find_program_address(handler_seeds(ix_args), self.program_id)
                    if handler_seeds is not None
                    else self._pda(account.get("pda"), keys, ix_args)
                )
                # A wrong address fails the instruction anyway; it costs no search.
                if found is not None and found[0] == keys.get(account["name"]):
                    extra += 255 - found[1]
        return budget + PER_BUMP * extra

    def _pda(self, spec: dict[str, Any] | None, keys: dict[str, Pubkey], args: Record) -> tuple[Pubkey, int] | None:
        """The address and bump ``find_program_address`` finds for an IDL ``pda`` spec.

        Under this program, or the spec's ``program`` (an associated token account's: the ATA program).
        """
        if not spec:
            return None
        program = self.program_id
        if "program" in spec:
            owner = spec["program"]
            if owner["kind"] == "const":
                program = Pubkey.from_bytes(bytes(owner["value"]))
            elif owner["kind"] == "account" and owner["path"] in keys:
                program = keys[owner["path"]]
            else:
                return None
        seeds = []
        for seed in spec["seeds"]:
            if seed["kind"] == "const":
                seeds.append(bytes(seed["value"]))
            elif seed["kind"] == "account" and seed["path"] in keys:
                seeds.append(bytes(keys[seed["path"]]))
            elif seed["kind"] == "arg" and seed["path"] in args:
                value = args[seed["path"]]
                seeds.append(bytes(value) if isinstance(value, (Pubkey, list, bytes)) else str(value).encode())
            else:
                return None
        return Pubkey.find_program_address(seeds, program)

    def decode(self, account: str, data: bytes, *, address: Pubkey | None = None) -> Any:
        """Decode ``data`` as this program's ``account`` type (discriminator checked) into a :class:`Record`.

        Raises :class:`ForeignAccount` when the data is another type or does not decode.
        """
        where = f" at {address}" if address is not None else ""
        if bytes(data[:8]) != self.discriminator(account):
            raise ForeignAccount(
                f"the account{where} is not a {self.name} {account} (its discriminator differs)",
                address=str(address),
                expected=account,
            )
        try:
            return self.idl.decode_account(account, bytes(data))
        except IdlDecodeError as exc:
            raise ForeignAccount(
                f"the {self.name} {account}{where} does not decode: {exc}", address=str(address), expected=account
            ) from None

    def read(self, account: str, found: AccountData | None) -> Any | None:
        """The ``account`` this program keeps at ``found``'s address, or None when there is none yet.

        An address holding only lamports counts as absent: anyone can send lamports to a
        PDA before the program creates its account there. Any other account that is not a
        ``account`` owned by this program (another owner, another type, undecodable data)
        raises :class:`ForeignAccount`, a :class:`~dispatch_chain.errors.ChainError`.
        """
        if found is None or found.holds_only_lamports:
            return None
        if found.owner != self.program_id:
            raise ForeignAccount(
                f"the account at {found.pubkey} is owned by {found.owner}, not by {self.name}"
                f" ({self.program_id}): it is not a {account}",
                address=str(found.pubkey),
                expected=account,
            )
        return self.decode(account, found.data, address=found.pubkey)

    def discriminator(self, account: str) -> bytes:
        try:
            return self.idl.account_discriminator(account)
        except IdlError:
            raise ConfigError(f"{self.name} has no account {account!r} in its IDL") from None

    def pda(self, *seeds: bytes) -> Pubkey:
        return pda(self.program_id, *seeds)

    @property
    def errors(self) -> dict[int, str]:
        return {error.code: error.name for error in self.idl.errors}


def error_tables(programs: list[IdlProgram]) -> dict[str, dict[int, str]]:
    return {str(p.program_id): p.errors for p in programs}
