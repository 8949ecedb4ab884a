"""BOLT staking (dispatch_staking) and the stake-tier reader.

A worker's stake account is the PDA ``["stake", worker]`` where ``worker`` is
its ed25519 key (also its Solana address). Its tier is derived from the
active stake and the config's thresholds (OPEN < 100 BOLT <= VERIFIED <
1,000 BOLT <= SENTINEL, unless governance changed them).
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import spl.token.instructions as token_ix
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.errors import DeploymentNotFound
from dispatch_chain.protocol import Tier, tier_for_stake
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.client import TOKEN_PROGRAM, AccountData, SolanaClient
from dispatch_chain.solana.programs import SYSTEM_PROGRAM, IdlProgram, load_idl


@dataclass(frozen=True, slots=True)
class StakingConfig:
    address: Pubkey
    admin: Pubkey
    mint: Pubkey
    vault: Pubkey
    verified_threshold: int
    sentinel_threshold: int
    cooldown_seconds: int
    total_active: int
    total_pending: int

    def tier(self, active: int) -> Tier:
        return tier_for_stake(active, verified=self.verified_threshold, sentinel=self.sentinel_threshold)


@dataclass(frozen=True, slots=True)
class Stake:
    worker: Pubkey
    active: int
    pending: int
    unlock_at: int
    tier: Tier


#: The program's bound on the unstaking cooldown (``MAX_COOLDOWN_SECONDS``): 90 days.
MAX_COOLDOWN_SECONDS = 90 * 24 * 3600

#: The StakeAccount layout the fast decoder reads (after the 8-byte discriminator).
_STAKE_FIELDS = (("worker", "pubkey"), ("active", "u64"), ("pending", "u64"), ("unlock_at", "i64"), ("bump", "u8"))
_STAKE_STRUCT = struct.Struct("<32sQQqB")


def _fast_stake_layout(program: IdlProgram) -> bytes | None:
    """The StakeAccount discriminator if the IDL's layout is exactly ``_STAKE_FIELDS``, else None.

    The tier reader decodes thousands of stake accounts; the generic IDL
    decoder costs tens of microseconds each, ``struct`` a microsecond. The
    fast path is taken only when the IDL proves the layout is the one it reads.
    """
    for type_def in load_idl(program.name).types:
        if type_def.name == "StakeAccount":
            fields = tuple((f.name, str(f.type)) for f in type_def.fields)
            return program.discriminator("StakeAccount") if fields == _STAKE_FIELDS else None
    return None


class StakingClient:
    """Instructions and reads of dispatch_staking."""

    def __init__(self, client: SolanaClient, program: IdlProgram) -> None:
        self.client = client
        self.program = program
        self.config_address = program.pda(b"config")
        self.vault_address = program.pda(b"vault")
        self._stake_discriminator = _fast_stake_layout(program)

    def stake_address(self, worker: Pubkey) -> Pubkey:
        return self.program.pda(b"stake", bytes(worker))

    def config(self) -> StakingConfig:
        return self.decode_config(self.client.account(self.config_address))

    def find_config(self) -> StakingConfig | None:
        """The config, or None before ``initialize`` (an address holding only lamports has none)."""
        c = self.program.read("StakingConfig", self.client.account(self.config_address))
        return None if c is None else self._config_of(c)

    def decode_config(self, account: AccountData | None) -> StakingConfig:
        """The config read at the config PDA; raises DeploymentNotFound before ``initialize``.

        A foreign account there (not this program's ``StakingConfig``) raises ForeignAccount.
        """
        c = self.program.read("StakingConfig", account)
        if c is None:
            raise DeploymentNotFound(f"dispatch_staking at {self.program.program_id} is not initialised")
        return self._config_of(c)

    def _config_of(self, c: Any) -> StakingConfig:
        return StakingConfig(
            self.config_address,
            c.admin,
            c.mint,
            c.vault,
            c.verified_threshold,
            c.sentinel_threshold,
            c.cooldown_seconds,
            c.total_active,
            c.total_pending,
        )

    def decode_stake(self, worker: Pubkey, account: AccountData | None, config: StakingConfig) -> Stake:
        """The stake read at the worker's stake PDA: zero (OPEN) when absent or holding only lamports.

        A foreign account there raises ForeignAccount.
        """
        if (
            self._stake_discriminator is not None
            and account is not None
            and account.owner == self.program.program_id
            and account.data[:8] == self._stake_discriminator
            and len(account.data) >= 8 + _STAKE_STRUCT.size
        ):
            _, active, pending, unlock_at, _ = _STAKE_STRUCT.unpack_from(account.data, 8)
        else:
            decoded = self.program.read("StakeAccount", account)
            if decoded is None:
                return Stake(worker, 0, 0, 0, Tier.OPEN)
            active, pending, unlock_at = decoded.active, decoded.pending, decoded.unlock_at
        return Stake(worker, active, pending, unlock_at, config.tier(active))

    def stake_of(self, worker: Pubkey) -> Stake:
        return self.decode_stake(worker, self.client.account(self.stake_address(worker)), self.config())

    # -- instructions ----------------------------------------------------------------------

    def initialize(
        self, admin: Keypair, mint: Pubkey, *, verified_threshold: int, sentinel_threshold: int, cooldown_seconds: int
    ) -> str:
        ix = self.program.instruction(
            "initialize",
            verified_threshold,
            sentinel_threshold,
            cooldown_seconds,
            accounts={
                "admin": admin.pubkey(),
                "config": self.config_address,
                "mint": mint,
                "vault": self.vault_address,
                "token_program": TOKEN_PROGRAM,
                "system_program": SYSTEM_PROGRAM,
            },
        )
        return self.client.send([ix], [admin])[0]

    def update_config(
        self, admin: Keypair, *, verified_threshold: int, sentinel_threshold: int, cooldown_seconds: int
    ) -> str:
        """New thresholds and cooldown (admin only; SENTINEL at most the mint's supply, cooldown at most 90 days)."""
        ix = self.program.instruction(
            "update_config",
            verified_threshold,
            sentinel_threshold,
            cooldown_seconds,
            accounts={"admin": admin.pubkey(), "config": self.config_address, "mint": self.config().mint},
        )
        return self.client.send([ix], [admin])[0]

    def _worker_accounts(self, worker: Pubkey, mint: Pubkey) -> dict[str, Pubkey]:
        return {
            "worker": worker,
            "config": self.config_address,
            "stake_account": self.stake_address(worker),
            "worker_token": associated_token_account(worker, mint),
            "vault": self.vault_address,
            "mint": mint,
            "token_program": TOKEN_PROGRAM,
            "system_program": SYSTEM_PROGRAM,
        }

    def stake(self, worker: Keypair, amount: int, *, worker_token: Pubkey | None = None) -> str:
        config = self.config()
        accounts = self._worker_accounts(worker.pubkey(), config.mint)
        if worker_token is not None:
            accounts["worker_token"] = worker_token
        return self.client.send([self.program.instruction("stake", amount, accounts=accounts)], [worker])[0]

    def request_unstake(self, worker: Keypair, amount: int) -> str:
        accounts = {
            "worker": worker.pubkey(),
            "config": self.config_address,
            "stake_account": self.stake_address(worker.pubkey()),
        }
        return self.client.send([self.program.instruction("request_unstake", amount, accounts=accounts)], [worker])[0]

    def cancel_unstake(self, worker: Keypair) -> str:
        accounts = {
            "worker": worker.pubkey(),
            "config": self.config_address,
            "stake_account": self.stake_address(worker.pubkey()),
        }
        return self.client.send([self.program.instruction("cancel_unstake", accounts=accounts)], [worker])[0]

    def withdraw(self, worker: Keypair) -> str:
        config = self.config()
        accounts = self._worker_accounts(worker.pubkey(), config.mint)
        del accounts["system_program"]
        return self.client.send([self.program.instruction("withdraw", accounts=accounts)], [worker])[0]

    def ensure_token_account(self, payer: Keypair, owner: Pubkey) -> Pubkey:
        """The owner's BOLT associated token account, created if missing."""
        mint = self.config().mint
        account = associated_token_account(owner, mint)
        found = self.client.account(account)
        if found is None or found.holds_only_lamports:  # the ATA program creates over a pre-funded address
            self.client.send(
                [token_ix.create_idempotent_associated_token_account(payer.pubkey(), owner, mint)], [payer]
            )
        return account


class TierReader:
    """Stake tiers of many workers: getMultipleAccounts in chunks of 100, cached with a TTL."""

    def __init__(
        self, staking: StakingClient, *, ttl: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.staking = staking
        self.ttl = ttl
        self.clock = clock
        self._config: tuple[float, StakingConfig] | None = None
        self._cache: dict[Pubkey, tuple[float, Stake]] = {}
        self._addresses: dict[Pubkey, Pubkey] = {}  # worker -> stake PDA: derived once, a ~10 us hash search

    def _stake_address(self, worker: Pubkey) -> Pubkey:
        address = self._addresses.get(worker)
        if address is None:
            address = self._addresses[worker] = self.staking.stake_address(worker)
        return address

    def stakes(self, workers: Iterable[Pubkey]) -> dict[Pubkey, Stake]:
        """Each worker's stake and tier (an unstaked worker is OPEN with zero stake)."""
        now = self.clock()
        wanted = list(dict.fromkeys(workers))
        stale = [w for w in wanted if w not in self._cache or now - self._cache[w][0] > self.ttl]
        if stale:
            addresses = [self._stake_address(w) for w in stale]
            if self._config is None or now - self._config[0] > self.ttl:
                # the config rides along in the first getMultipleAccounts call
                config_account, *accounts = self.staking.client.accounts([self.staking.config_address, *addresses])
                self._config = (now, self.staking.decode_config(config_account))
            else:
                accounts = self.staking.client.accounts(addresses)
            config = self._config[1]
            for worker, account in zip(stale, accounts, strict=True):
                stake = self.staking.decode_stake(worker, account, config)
                self._cache[worker] = (now, stake)
        return {w: self._cache[w][1] for w in wanted}

    def tiers(self, workers: Iterable[Pubkey]) -> dict[Pubkey, Tier]:
        return {w: s.tier for w, s in self.stakes(workers).items()}

    def invalidate(self) -> None:
        """Forget everything, the config included."""
        self._cache.clear()
        self._config = None

    def invalidate_stakes(self) -> None:
        """Forget the stakes but keep the config (e.g. after a block of settlements)."""
        self._cache.clear()
