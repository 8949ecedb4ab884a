"""BOLT: the SPL token, created once with its whole supply and never minted again.

:func:`create_bolt` makes a 9-decimal mint with no freeze authority, places
each allocation exactly once, checks the supply is exactly 1,000,000,000
BOLT, and revokes the mint authority. An allocation is an
:class:`Allocation` (minted to an owner's associated token account, e.g. the
rewards vault, whose owner is the rewards config PDA) or anything with the
same three methods (:class:`dispatch_chain.solana.genesis.ScheduleAllocation`:
minted and moved into a vesting schedule in one transaction). Every step
first looks at the chain and each allocation is one transaction, so a run
killed between any two steps is finished by running it again with the same
mint keypair (the script keeps it until the mint exists).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import spl.token.instructions as token_ix
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account

from dispatch_chain.errors import DispatchChainError
from dispatch_chain.protocol import BOLT_DECIMALS, BOLT_SUPPLY, DISTRIBUTION
from dispatch_chain.solana.client import TOKEN_PROGRAM, SolanaClient
from dispatch_chain.solana.errors import ForeignAccount

MINT_SIZE = 82
TOKEN_ACCOUNT_SIZE = 165


class BoltError(DispatchChainError):
    """The mint exists but is not what BOLT must be (decimals, authorities, supply)."""


@dataclass(frozen=True, slots=True)
class MintInfo:
    supply: int
    decimals: int
    mint_authority: Pubkey | None
    freeze_authority: Pubkey | None


def associated_token_account(owner: Pubkey, mint: Pubkey) -> Pubkey:
    return token_ix.get_associated_token_address(owner, mint)


def whitepaper_allocations(owners: dict[str, Pubkey]) -> list[tuple[str, Pubkey, int]]:
    """``(name, owner, amount)`` per allocation of the whitepaper's table; owners by name."""
    missing = [name for name, _ in DISTRIBUTION if name not in owners]
    if missing:
        raise BoltError(f"no owner given for allocation(s): {', '.join(missing)}")
    return [(name, owners[name], BOLT_SUPPLY * share // 100) for name, share in DISTRIBUTION]


def read_mint(client: SolanaClient, mint: Pubkey) -> MintInfo | None:
    """The mint's state; None when there is no account (or only lamports) at ``mint``."""
    account = client.account(mint)
    if account is None or account.holds_only_lamports:
        return None
    if account.owner != TOKEN_PROGRAM or len(account.data) < MINT_SIZE:
        raise BoltError(f"{mint} is not an SPL Token mint")
    data = account.data
    has_mint_authority, mint_authority = struct.unpack_from("<I32s", data, 0)
    supply, decimals, _initialized, has_freeze, freeze_authority = struct.unpack_from("<QB?I32s", data, 36)
    return MintInfo(
        supply=supply,
        decimals=decimals,
        mint_authority=Pubkey(mint_authority) if has_mint_authority else None,
        freeze_authority=Pubkey(freeze_authority) if has_freeze else None,
    )


def token_balance(client: SolanaClient, token_account: Pubkey) -> int | None:
    """The balance of an SPL Token account; None when there is none yet (or only lamports at the address).

    Anything else at the address raises ForeignAccount.
    """
    account = client.account(token_account)
    if account is None or account.holds_only_lamports:
        return None
    if account.owner != TOKEN_PROGRAM or len(account.data) < TOKEN_ACCOUNT_SIZE:
        raise ForeignAccount(
            f"{token_account} is not an SPL Token account", address=str(token_account), expected="SPL Token account"
        )
    return int(struct.unpack_from("<Q", account.data, 64)[0])


class Placement(Protocol):
    """One allocation of the genesis: where its tokens go, and whether they are there already."""

    @property
    def name(self) -> str: ...

    @property
    def amount(self) -> int: ...

    def placed(self, client: SolanaClient, mint: Pubkey) -> bool:
        """True once a previous run placed it (checked: anything else there raises BoltError)."""
        ...

    def instructions(self, payer: Pubkey, mint: Pubkey) -> list[Instruction]:
        """One transaction that mints ``amount`` (the payer is the mint authority) and places it."""
        ...

    def describe(self, mint: Pubkey) -> str: ...


@dataclass(frozen=True, slots=True)
class Allocation:
    """An allocation minted to ``owner``'s associated token account (any owner, a PDA too)."""

    name: str
    owner: Pubkey
    amount: int

    def account(self, mint: Pubkey) -> Pubkey:
        return associated_token_account(self.owner, mint)

    def placed(self, client: SolanaClient, mint: Pubkey) -> bool:
        balance = token_balance(client, self.account(mint))
        if balance and balance != self.amount:
            raise BoltError(f"allocation {self.name} holds {balance}, expected {self.amount}; refusing to continue")
        return bool(balance)

    def instructions(self, payer: Pubkey, mint: Pubkey) -> list[Instruction]:
        return [
            token_ix.create_idempotent_associated_token_account(payer, self.owner, mint),
            mint_instruction(payer, mint, self.account(mint), self.amount),
        ]

    def describe(self, mint: Pubkey) -> str:
        return f"{self.name}: {self.amount / 10**BOLT_DECIMALS:,.0f} BOLT to {self.account(mint)} (owner {self.owner})"


def mint_instruction(authority: Pubkey, mint: Pubkey, account: Pubkey, amount: int) -> Instruction:
    return token_ix.mint_to_checked(
        token_ix.MintToCheckedParams(
            program_id=TOKEN_PROGRAM,
            mint=mint,
            dest=account,
            mint_authority=authority,
            amount=amount,
            decimals=BOLT_DECIMALS,
        )
    )


def create_mint_instructions(client: SolanaClient, payer: Pubkey, mint: Pubkey, decimals: int) -> list[Instruction]:
    """Create and initialise an SPL mint at ``mint`` (payer = mint authority, no freeze authority)."""
    rent = client.rpc.get_minimum_balance_for_rent_exemption(MINT_SIZE).value
    return [
        create_account(
            CreateAccountParams(from_pubkey=payer, to_pubkey=mint, lamports=rent, space=MINT_SIZE, owner=TOKEN_PROGRAM)
        ),
        token_ix.initialize_mint(
            token_ix.InitializeMintParams(
                decimals=decimals, program_id=TOKEN_PROGRAM, mint=mint, mint_authority=payer, freeze_authority=None
            )
        ),
    ]


def create_bolt(
    client: SolanaClient,
    payer: Keypair,
    mint: Keypair,
    allocations: Sequence[Placement | tuple[str, Pubkey, int]],
    *,
    progress: Callable[[str], None] = lambda message: None,
) -> MintInfo:
    """Create (or finish creating) BOLT; returns the final mint state (no mint authority).

    ``allocations`` are :class:`Placement` objects, or ``(name, owner, amount)`` for an :class:`Allocation`.
    """
    places: list[Placement] = [Allocation(*a) if isinstance(a, tuple) else a for a in allocations]
    if sum(a.amount for a in places) != BOLT_SUPPLY:
        raise BoltError(f"allocations must add up to exactly {BOLT_SUPPLY} base units")
    mint_key = mint.pubkey()
    info = read_mint(client, mint_key)
    if info is None:
        client.send(create_mint_instructions(client, payer.pubkey(), mint_key, BOLT_DECIMALS), [payer, mint])
        progress(f"mint {mint_key} created (9 decimals, no freeze authority)")
        info = read_mint(client, mint_key)
    assert info is not None
    if info.decimals != BOLT_DECIMALS or info.freeze_authority is not None:
        raise BoltError(f"mint {mint_key} has {info.decimals} decimals / freeze authority {info.freeze_authority}")
    if info.mint_authority is None:
        if info.supply != BOLT_SUPPLY:
            raise BoltError(f"mint {mint_key} is closed with supply {info.supply}, not {BOLT_SUPPLY}")
        return info
    if info.mint_authority != payer.pubkey():
        raise BoltError(f"mint {mint_key}'s authority is {info.mint_authority}, not the payer")

    for place in places:
        if not place.placed(client, mint_key):  # placed exactly once: skipped when a previous run did
            client.send(place.instructions(payer.pubkey(), mint_key), [payer])
            progress(place.describe(mint_key))

    info = read_mint(client, mint_key)
    assert info is not None
    if info.supply != BOLT_SUPPLY:
        raise BoltError(f"supply is {info.supply} after distribution, expected {BOLT_SUPPLY}; mint authority kept")
    client.send(
        [
            token_ix.set_authority(
                token_ix.SetAuthorityParams(
                    program_id=TOKEN_PROGRAM,
                    account=mint_key,
                    authority=token_ix.AuthorityType.MINT_TOKENS,
                    current_authority=payer.pubkey(),
                    new_authority=None,
                )
            )
        ],
        [payer],
    )
    progress("mint authority revoked: BOLT can never be minted again")
    final = read_mint(client, mint_key)
    assert final is not None and final.mint_authority is None
    return final


def transfer(client: SolanaClient, owner: Keypair, to: Pubkey, amount: int, mint: Pubkey) -> str:
    """Send ``amount`` BOLT base units from ``owner``'s token account to ``to``'s (created if missing)."""
    source, destination = associated_token_account(owner.pubkey(), mint), associated_token_account(to, mint)
    return client.send(
        [
            token_ix.create_idempotent_associated_token_account(owner.pubkey(), to, mint),
            token_ix.transfer_checked(
                token_ix.TransferCheckedParams(
                    program_id=TOKEN_PROGRAM,
                    source=source,
                    mint=mint,
                    dest=destination,
                    owner=owner.pubkey(),
                    amount=amount,
                    decimals=BOLT_DECIMALS,
                )
            ),
        ],
        [owner],
    )[0]
