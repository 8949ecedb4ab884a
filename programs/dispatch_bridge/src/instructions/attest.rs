use anchor_lang::prelude::*;
use anchor_spl::associated_token::{get_associated_token_address, AssociatedToken};
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::constants::{CONFIG_SEED, INBOUND_SEED, KIND_TOKEN_TRANSFER, MESSAGE_VERSION};
use crate::custody::{release, Release};
use crate::errors::BridgeError;
use crate::events::{Attested, Queued, Released};
use crate::message::BridgeMessage;
use crate::state::{BridgeConfig, InboundMessage, InboundStatus};

/// Accounts of `attest`.
#[derive(Accounts)]
#[instruction(message: BridgeMessage)]
pub struct Attest<'info> {
    /// A configured attester; pays for the inbound record (the first one)
    /// and for the recipient's token account (the one that releases).
    #[account(mut)]
    pub attester: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = config.is_attester(&attester.key()) @ BridgeError::UnknownAttester,
    )]
    pub config: Box<Account<'info, BridgeConfig>>,
    /// The message's record, created by its first attestation.
    #[account(
        init_if_needed,
        payer = attester,
        space = 8 + InboundMessage::INIT_SPACE,
        seeds = [INBOUND_SEED, message.digest().as_ref()],
        bump,
    )]
    pub inbound: Box<Account<'info, InboundMessage>>,
    #[account(mut, address = config.custody)]
    pub custody: Box<Account<'info, TokenAccount>>,
    #[account(address = config.mint @ BridgeError::WrongMint)]
    pub mint: Box<Account<'info, Mint>>,
    /// CHECK: the message's recipient, the owner of `recipient_token`; only its address is used.
    #[account(address = Pubkey::new_from_array(message.recipient) @ BridgeError::MalformedRecipient)]
    pub recipient: UncheckedAccount<'info>,
    /// CHECK: the recipient's associated token account of the mint (address
    /// checked); created when the release finds it missing.
    #[account(mut, address = get_associated_token_address(&recipient.key(), &config.mint) @ BridgeError::MalformedRecipient)]
    pub recipient_token: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
}

/// Records the signer's attestation of `message` (from the peer bridge,
/// for this chain). The attestation that brings the distinct current
/// attesters to the threshold releases the amount to the recipient's
/// associated token account, or queues it for `queue_delay` when it
/// exceeds the inbound capacity. Later attestations of a queued message
/// are recorded (they can restore the threshold after an attester
/// removal); of a released one they fail (`AlreadyExecuted`).
pub fn handler(ctx: Context<Attest>, message: BridgeMessage) -> Result<()> {
    let accounts = ctx.accounts;
    let config = &mut accounts.config;
    require!(!config.paused, BridgeError::Paused);
    require!(message.version == MESSAGE_VERSION, BridgeError::UnsupportedVersion);
    require!(message.kind == KIND_TOKEN_TRANSFER, BridgeError::UnsupportedKind);
    require!(message.destination_chain == config.chain_id, BridgeError::WrongChain);
    require!(message.source_chain == config.peer_chain_id, BridgeError::WrongSourceChain);
    require!(message.source_bridge == config.peer_bridge, BridgeError::WrongSourceBridge);
    require!(message.amount > 0, BridgeError::ZeroAmount);
    require!(message.recipient != [0u8; 32], BridgeError::MalformedRecipient);

    let inbound = &mut accounts.inbound;
    if inbound.digest == [0u8; 32] {
        // Fresh from init_if_needed (all zero: status Pending, no attesters).
        inbound.message = message.clone();
        inbound.digest = message.digest();
        inbound.bump = ctx.bumps.inbound;
    }
    require!(inbound.status != InboundStatus::Executed, BridgeError::AlreadyExecuted);
    let attester = accounts.attester.key();
    // Attestations of keys no longer attesters do not count (and free their slot).
    inbound.attesters.retain(|a| config.attesters.contains(a));
    require!(!inbound.attesters.contains(&attester), BridgeError::DuplicateAttestation);
    inbound.attesters.push(attester);
    let attestations = inbound.attesters.len() as u8;
    let digest = inbound.digest;
    emit!(Attested { digest, attester, attestations, threshold: config.threshold });

    if inbound.status != InboundStatus::Pending || attestations < config.threshold {
        return Ok(());
    }
    let now = Clock::get()?.unix_timestamp;
    let amount = message.amount;
    if !config.inbound_limit.consume(amount, now) {
        let release_after = now.checked_add(config.queue_delay).ok_or(BridgeError::MathOverflow)?;
        inbound.status = InboundStatus::Queued;
        inbound.release_after = release_after;
        emit!(Queued { digest, amount, release_after });
        return Ok(());
    }
    inbound.status = InboundStatus::Executed;
    release(
        Release {
            payer: accounts.attester.to_account_info(),
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
    emit!(Released { digest, sequence: message.sequence, recipient: accounts.recipient.key(), amount, from_queue: false });
    Ok(())
}
