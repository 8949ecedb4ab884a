"""USDC on local Solana clusters: a 6-decimal SPL mint that x402 payments move.

On devnet and mainnet the real USDC mint is configured instead; this mint is
created only by the local deploy (``dispatch-chain solana create-usdc``, the
demo). Unlike BOLT its supply is open: the payer keeps the mint authority and
funds agents whenever asked, so funding is repeatable (each call tops an
owner up to at least the amount asked).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import spl.token.instructions as token_ix
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.errors import DispatchChainError
from dispatch_chain.solana.bolt import (
    MintInfo,
    associated_token_account,
    create_mint_instructions,
    read_mint,
    token_balance,
)
from dispatch_chain.solana.client import TOKEN_PROGRAM, SolanaClient

USDC_DECIMALS = 6
USDC = 10**USDC_DECIMALS  # one USDC in base units


class UsdcError(DispatchChainError):
    """The USDC mint at the given address is not one this project can fund (decimals, authority)."""


def create_usdc(
    client: SolanaClient, payer: Keypair, mint: Keypair, *, progress: Callable[[str], None] = lambda message: None
) -> MintInfo:
    """Create the 6-decimal USDC mint (payer = mint authority, no freeze authority); idempotent."""
    info = read_mint(client, mint.pubkey())
    if info is None:
        client.send(create_mint_instructions(client, payer.pubkey(), mint.pubkey(), USDC_DECIMALS), [payer, mint])
        progress(f"USDC mint {mint.pubkey()} created (6 decimals)")
        info = read_mint(client, mint.pubkey())
    assert info is not None
    _check(info, mint.pubkey(), payer.pubkey())
    return info


def fund_usdc(
    client: SolanaClient,
    payer: Keypair,
    mint: Pubkey,
    amounts: Mapping[Pubkey, int],
    *,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[Pubkey, int]:
    """Top each owner's USDC token account up to at least its amount; returns the balances after."""
    info = read_mint(client, mint)
    if info is None:
        raise UsdcError(f"no USDC mint at {mint}")
    _check(info, mint, payer.pubkey())
    balances: dict[Pubkey, int] = {}
    for owner, amount in amounts.items():
        if amount <= 0:
            raise UsdcError(f"funding amounts are positive, got {amount} for {owner}")
        account = associated_token_account(owner, mint)
        balance = token_balance(client, account)
        if balance is None or balance < amount:
            client.send(
                [
                    token_ix.create_idempotent_associated_token_account(payer.pubkey(), owner, mint),
                    token_ix.mint_to_checked(
                        token_ix.MintToCheckedParams(
                            program_id=TOKEN_PROGRAM,
                            mint=mint,
                            dest=account,
                            mint_authority=payer.pubkey(),
                            amount=amount - (balance or 0),
                            decimals=USDC_DECIMALS,
                        )
                    ),
                ],
                [payer],
            )
            progress(f"{owner}: topped up to {amount / USDC:,.6f} USDC")
        balances[owner] = max(amount, balance or 0)
    return balances


def open_usdc_accounts(client: SolanaClient, payer: Keypair, mint: Pubkey, owners: Iterable[Pubkey]) -> None:
    """Create these owners' USDC token accounts (idempotent), empty: an x402 payment on Solana transfers into
    the pay-to's existing account, so the coordinator opens its own before it takes payments."""
    client.send([token_ix.create_idempotent_associated_token_account(payer.pubkey(), o, mint) for o in owners], [payer])


def _check(info: MintInfo, mint: Pubkey, payer: Pubkey) -> None:
    if info.decimals != USDC_DECIMALS:
        raise UsdcError(f"mint {mint} has {info.decimals} decimals, not {USDC_DECIMALS}: not the local USDC")
    if info.mint_authority != payer:
        raise UsdcError(f"mint {mint}'s authority is {info.mint_authority}, not the payer {payer}")
