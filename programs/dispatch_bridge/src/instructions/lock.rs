use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use anchor_spl::token_interface::{self, TransferChecked};

use crate::constants::{CONFIG_SEED, KIND_TOKEN_TRANSFER, MESSAGE_VERSION, OUTBOUND_SEED};
use crate::errors::BridgeError;
use crate::events::Locked;
use crate::message::{pad_evm_address, BridgeMessage};
use crate::state::{BridgeConfig, OutboundMessage};

/// Accounts of `lock`.
#[derive(Accounts)]
pub struct Lock<'info> {
    /// The owner of the BOLT being bridged; pays for the outbound record.
    #[account(mut)]
    pub sender: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, BridgeConfig>>,
    /// The record of this message, at the config's next sequence.
    #[account(
        init,
        payer = sender,
        space = 8 + OutboundMessage::INIT_SPACE,
        seeds = [OUTBOUND_SEED, config.next_sequence.to_le_bytes().as_ref()],
        bump,
    )]
    pub outbound: Box<Account<'info, OutboundMessage>>,
    #[account(
        mut,
        constraint = sender_token.mint == config.mint @ BridgeError::WrongMint,
        constraint = sender_token.owner == sender.key() @ BridgeError::WrongTokenOwner,
    )]
    pub sender_token: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = config.custody)]
    pub custody: Box<Account<'info, TokenAccount>>,
    #[account(address = config.mint @ BridgeError::WrongMint)]
    pub mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// Moves `amount` of the sender's BOLT into custody and records the
/// outbound message with the next sequence, for `evm_recipient` on the
/// peer chain. Over the outbound limit it fails (`RateLimited`): the BOLT
/// never leaves the sender, who may retry a smaller amount or later.
pub fn handler(ctx: Context<Lock>, amount: u64, evm_recipient: [u8; 20]) -> Result<()> {
    let config = &mut ctx.accounts.config;
    require!(!config.paused, BridgeError::Paused);
    require!(amount > 0, BridgeError::ZeroAmount);
    require!(evm_recipient != [0u8; 20], BridgeError::MalformedRecipient);
    require!(ctx.accounts.sender_token.amount >= amount, BridgeError::InsufficientBalance);
    let clock = Clock::get()?;
    require!(config.outbound_limit.consume(amount, clock.unix_timestamp), BridgeError::RateLimited);

    let sequence = config.next_sequence;
    config.next_sequence = sequence.checked_add(1).ok_or(BridgeError::MathOverflow)?;
    let message = BridgeMessage {
        version: MESSAGE_VERSION,
        kind: KIND_TOKEN_TRANSFER,
        source_chain: config.chain_id,
        source_bridge: crate::ID.to_bytes(),
        sequence,
        amount,
        sender: ctx.accounts.sender.key().to_bytes(),
        recipient: pad_evm_address(&evm_recipient),
        destination_chain: config.peer_chain_id,
    };
    let digest = message.digest();
    ctx.accounts.outbound.set_inner(OutboundMessage {
        message: message.clone(),
        digest,
        slot: clock.slot,
        locked_at: clock.unix_timestamp,
        bump: ctx.bumps.outbound,
    });

    let accounts = TransferChecked {
        from: ctx.accounts.sender_token.to_account_info(),
        mint: ctx.accounts.mint.to_account_info(),
        to: ctx.accounts.custody.to_account_info(),
        authority: ctx.accounts.sender.to_account_info(),
    };
    token_interface::transfer_checked(CpiContext::new(ctx.accounts.token_program.key(), accounts), amount, ctx.accounts.mint.decimals)?;

    emit!(Locked { message, digest, slot: clock.slot });
    Ok(())
}
