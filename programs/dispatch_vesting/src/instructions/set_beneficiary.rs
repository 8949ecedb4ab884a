use anchor_lang::prelude::*;

use crate::constants::SCHEDULE_SEED;
use crate::errors::VestingError;
use crate::events::BeneficiaryChanged;
use crate::state::VestingSchedule;

/// Accounts of `set_beneficiary`.
#[derive(Accounts)]
pub struct SetBeneficiary<'info> {
    /// The current beneficiary, the only one who may hand the schedule on.
    pub beneficiary: Signer<'info>,
    #[account(
        mut,
        seeds = [SCHEDULE_SEED, schedule.creator.as_ref(), schedule.id.as_ref()],
        bump = schedule.bump,
        constraint = schedule.beneficiary == beneficiary.key() @ VestingError::NotBeneficiary,
    )]
    pub schedule: Account<'info, VestingSchedule>,
}

/// Makes `new_beneficiary` the one who claims from now on.
pub fn handler(ctx: Context<SetBeneficiary>, new_beneficiary: Pubkey) -> Result<()> {
    let schedule = &mut ctx.accounts.schedule;
    let old_beneficiary = schedule.beneficiary;
    schedule.beneficiary = new_beneficiary;
    emit!(BeneficiaryChanged { schedule: schedule.key(), old_beneficiary, new_beneficiary });
    Ok(())
}
