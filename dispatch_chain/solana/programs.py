"""The Dispatch Anchor programs as seen from Python: IDLs, ids, PDAs, instruction building.

Instructions and accounts are encoded by anchorpy's coder from the committed
IDLs (``idl/``, exposed as ``dispatch_chain/idl``); anchorpy is used only for
encoding, so all sending stays synchronous (:mod:`.client`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from anchorpy import Context, Idl, Program, Provider, Wallet
from construct import ConstructError
from solana.rpc.async_api import AsyncClient
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.errors import ConfigError
from dispatch_chain.solana.client import SYSTEM_PROGRAM, AccountData
from dispatch_chain.solana.errors import ForeignAccount

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
    return Idl.from_json(_idl_text(name))


@cache
def _idl_accounts(name: str) -> dict[str, list[dict[str, Any]]]:
    """Each instruction's accounts as the IDL JSON has them (with ``pda`` seeds, which anchorpy drops)."""
    return {ix["name"]: ix["accounts"] for ix in json.loads(_idl_text(name))["instructions"]}


#: Every program an :class:`IdlProgram` was made for, by id: how
#: :func:`dispatch_chain.solana.budgets.compute_unit_limit` recognises their instructions.
_REGISTERED: dict[Pubkey, IdlProgram] = {}


def registered_program(program_id: Pubkey) -> IdlProgram | None:
    return _REGISTERED.get(program_id)


@cache
def _coder_program(name: str, program_id: str) -> Program:
    """anchorpy's Program for encoding only (its provider never sends); built once per program.

    Building one, and its first decode, costs tens of milliseconds; every
    IdlProgram of the same program shares it.
    """
    provider = Provider(AsyncClient("http://unused"), Wallet(Keypair()))
    return Program(load_idl(name), Pubkey.from_string(program_id), provider)


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
    def _program(self) -> Program:
        return _coder_program(self.name, str(self.program_id))

    def instruction(self, name: str, *args: Any, accounts: dict[str, Pubkey]) -> Instruction:
        """Encode instruction ``name`` with positional ``args`` and named ``accounts`` (IDL names).

        The accounts of the upgrade-authority check of ``initialize``
        (``program``, ``program_data``) are filled in when the instruction has
        them and the caller did not.
        """
        wanted = {account.name for account in self._instruction_idl(name).accounts}
        accounts = dict(accounts)
        if "program" in wanted:
            accounts.setdefault("program", self.program_id)
        if "program_data" in wanted:
            accounts.setdefault("program_data", programdata_address(self.program_id))
        return self._program.instruction[name](*args, ctx=Context(accounts=accounts))

    def _instruction_idl(self, name: str) -> Any:
        for instruction in load_idl(self.name).instructions:
            if instruction.name == name:
                return instruction
        raise ConfigError(f"{self.name} has no instruction {name!r} in its IDL")

    def compute_units(self, ix: Instruction) -> int | None:
        """The CU budget of ``ix`` (docs/solana-programs.md), bump searches included; None if unknown."""
        from dispatch_chain.solana.budgets import BUDGETS, HANDLER_SEEDS, PER_BUMP

        try:
            parsed = self._program.coder.instruction.parse(bytes(ix.data))
        except (ConstructError, KeyError):  # not an instruction of this IDL
            return None
        entry = BUDGETS.get((self.name, parsed.name))
        if entry is None:
            return None
        budget, searched = entry
        idl_accounts = _idl_accounts(self.name)[parsed.name]
        keys = {account["name"]: meta.pubkey for account, meta in zip(idl_accounts, ix.accounts, strict=False)}
        extra = 0
        for account in idl_accounts:
            if account["name"] in searched:
                handler_seeds = HANDLER_SEEDS.get((self.name, parsed.name, account["name"]))
                found = (
                    Pubkey.find_program_address(handler_seeds(parsed.data), self.program_id)
                    if handler_seeds is not None
                    else self._pda(account.get("pda"), keys, parsed.data)
                )
                # A wrong address fails the instruction anyway; it costs no search.
                if found is not None and found[0] == keys.get(account["name"]):
                    extra += 255 - found[1]
        return budget + PER_BUMP * extra

    def _pda(self, spec: dict[str, Any] | None, keys: dict[str, Pubkey], args: Any) -> tuple[Pubkey, int] | None:
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
            elif seed["kind"] == "arg" and hasattr(args, seed["path"]):
                value = getattr(args, seed["path"])
                seeds.append(bytes(value) if isinstance(value, (Pubkey, list, bytes)) else str(value).encode())
            else:
                return None
        return Pubkey.find_program_address(seeds, program)

    def decode(self, account: str, data: bytes, *, address: Pubkey | None = None) -> Any:
        """Decode ``data`` as this program's ``account`` type (discriminator checked) into anchorpy's container.

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
            return self._program.coder.accounts.decode(data)
        except Exception as exc:  # anchorpy/borsh raise assorted construct errors on truncated data
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
        return bytes(self._program.coder.accounts.acc_name_to_discriminator[account])

    def pda(self, *seeds: bytes) -> Pubkey:
        return pda(self.program_id, *seeds)

    @property
    def errors(self) -> dict[int, str]:
        return {error.code: error.name for error in (load_idl(self.name).errors or [])}


def error_tables(programs: list[IdlProgram]) -> dict[str, dict[int, str]]:
    return {str(p.program_id): p.errors for p in programs}
