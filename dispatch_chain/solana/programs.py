"""The Dispatch Anchor programs as seen from Python: IDLs, ids, PDAs, instruction building.

Instructions and accounts are encoded by anchorpy's coder from the committed
IDLs (``idl/``, exposed as ``dispatch_chain/idl``); anchorpy is used only for
encoding, so all sending stays synchronous (:mod:`.client`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from anchorpy import Context, Idl, Program, Provider, Wallet
from solana.rpc.async_api import AsyncClient
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.errors import ConfigError

STAKING = "dispatch_staking"
SETTLEMENT = "dispatch_settlement"
ANCHOR = "dispatch_anchor"
PROGRAMS = (STAKING, SETTLEMENT, ANCHOR)
# The bridge (issue 12) is built to SBF and not (yet) run by the local node, so
# it is not among the PROGRAMS the node registers and init-programs initialises.
BRIDGE = "dispatch_bridge"
SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
EVENT_AUTHORITY_SEED = b"__event_authority"  # Anchor's #[event_cpi] signer PDA


@lru_cache(maxsize=None)
def load_idl(name: str) -> Idl:
    """The committed IDL of program ``name``."""
    try:
        text = resources.files("dispatch_chain").joinpath(f"idl/{name}.json").read_text()
    except FileNotFoundError:
        raise ConfigError(f"no IDL for {name} in idl/ (regenerate: scripts/gen_idl.sh)") from None
    return Idl.from_json(text)


@lru_cache(maxsize=None)
def _coder_program(name: str, program_id: str) -> Program:
    """anchorpy's Program for encoding only (its provider never sends); built once per program.

    Building one, and its first decode, costs tens of milliseconds; every
    AnchorProgram of the same program shares it.
    """
    return Program(load_idl(name), Pubkey.from_string(program_id), Provider(AsyncClient("http://unused"), Wallet(Keypair())))


def pda(program_id: Pubkey, *seeds: bytes) -> Pubkey:
    return Pubkey.find_program_address(list(seeds), program_id)[0]


@dataclass(frozen=True)
class AnchorProgram:
    """One program: its id (from the manifest, else the IDL) and its coder."""

    name: str
    program_id: Pubkey

    @classmethod
    def load(cls, name: str, program_id: str | Pubkey | None = None) -> AnchorProgram:
        if program_id is None:
            program_id = load_idl(name).address
        return cls(name, program_id if isinstance(program_id, Pubkey) else Pubkey.from_string(program_id))

    @property
    def _program(self) -> Program:
        return _coder_program(self.name, str(self.program_id))

    def instruction(self, name: str, *args: Any, accounts: dict[str, Pubkey]) -> Instruction:
        """Encode instruction ``name`` with positional ``args`` and named ``accounts`` (IDL names).

        The two accounts ``#[event_cpi]`` adds (``event_authority``, ``program``)
        are filled in when the instruction has them and the caller did not.
        """
        wanted = {account.name for account in self._instruction_idl(name).accounts}
        accounts = dict(accounts)
        if "event_authority" in wanted:
            accounts.setdefault("event_authority", self.pda(EVENT_AUTHORITY_SEED))
        if "program" in wanted:
            accounts.setdefault("program", self.program_id)
        return self._program.instruction[name](*args, ctx=Context(accounts=accounts))

    def _instruction_idl(self, name: str) -> Any:
        for instruction in load_idl(self.name).instructions:
            if instruction.name == name:
                return instruction
        raise ConfigError(f"{self.name} has no instruction {name!r} in its IDL")

    def decode(self, account: str, data: bytes) -> Any:
        """Decode an account's data (discriminator checked) into anchorpy's container."""
        decoded = self._program.coder.accounts.decode(data)
        if type(decoded).__name__ != account:
            raise ConfigError(f"expected a {account} account, got {type(decoded).__name__}")
        return decoded

    def discriminator(self, account: str) -> bytes:
        return bytes(self._program.coder.accounts.acc_name_to_discriminator[account])

    def pda(self, *seeds: bytes) -> Pubkey:
        return pda(self.program_id, *seeds)

    @property
    def errors(self) -> dict[int, str]:
        return {error.code: error.name for error in (load_idl(self.name).errors or [])}


def error_tables(programs: list[AnchorProgram]) -> dict[str, dict[int, str]]:
    return {str(p.program_id): p.errors for p in programs}
