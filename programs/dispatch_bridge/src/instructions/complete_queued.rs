use anchor_lang::prelude::*;
use anchor_spl::associated_token::{get_associated_token_address, AssociatedToken};
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::constants::{CONFIG_SEED, INBOUND_SEED};
use crate::custody::{release, Release};
use crate::errors::BridgeError;
use crate::events::Released;
use crate::state::{BridgeConfig, InboundMessage, InboundStatus};

/// Accounts of `complete_queued`.
#[derive(Accounts)]
#[instruction(digest: [u8; 32])]
pub struct CompleteQueued<'info> {
    /// Anyone; pays for the recipient's token account if it is missing.
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, BridgeConfig>>,
    #[account(mut, seeds = [INBOUND_SEED, digest.as_ref()], bump = inbound.bump)]
    pub inbound: Box<Account<'info, InboundMessage>>,
    #[account(mut, address = config.custody)]
    pub custody: Box<Account<'info, TokenAccount>>,
    #[account(address = config.mint @ BridgeError::WrongMint)]
    pub mint: Box<Account<'info, Mint>>,
    /// CHECK: the message's recipient (address checked against the record).
    #[account(address = Pubkey::new_from_array(inbound.message.recipient) @ BridgeError::MalformedRecipient)]
    pub recipient: UncheckedAccount<'info>,
    /// CHECK: the recipient's associated token account of the mint (address checked).
    #[account(mut, address = get_associated_token_address(&recipient.key(), &config.mint) @ BridgeError::MalformedRecipient)]
    pub recipient_token: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
}

/// Releases a queued inbound message once `release_after` has passed, if
/// the current attesters still reach the threshold (so removing a
/// compromised attester during the delay stops its messages).
pub fn handler(ctx: Context<CompleteQueued>, digest: [u8; 32]) -> Result<()> {
    let accounts = ctx.accounts;
    let config = &accounts.config;
    require!(!config.paused, BridgeError::Paused);
    let inbound = &mut accounts.inbound;
    require!(inbound.status != InboundStatus::Executed, BridgeError::AlreadyExecuted);
    require!(inbound.status == InboundStatus::Queued, BridgeError::NotQueued);
    require!(Clock::get()?.unix_timestamp >= inbound.release_after, BridgeError::NotDue);
    require!(inbound.valid_attestations(config) >= usize::from(config.threshold), BridgeError::InsufficientAttestations);
    inbound.status = InboundStatus::Executed;
    let amount = inbound.message.amount;
    release(
        Release {
            payer: accounts.payer.to_account_info(),
            config: config.to_account_info(),
            config_bump: config.bump,
            custody: accounts.custody.to_account_info(),
            custody_amount: accounts.custody.amount,
            mint: accounts.mint.to_account_info(),
            decimals: accounts.mint.decimals,
            recipient: accounts.recipient.to_account_info(),
            recipient_token: accounts.recipient_token.to_account_info(),
            token_program: accounts.token_program.to_account_info(),
            system_program: accounts.system_program.to_account_info(),
        },
        amount,
    )?;
    emit!(Released { digest, sequence: inbound.message.sequence, recipient: accounts.recipient.key(), amount, from_queue: true });
    Ok(())
}
