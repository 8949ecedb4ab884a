//! Slots, blockhashes, fees and epochs.

use serde_json::{json, Value};
use solana_hash::Hash;
use solana_message::VersionedMessage;

use super::with_context;
use crate::chain::Chain;
use crate::commitment::Level;
use crate::encoding::{decode_wire, BinaryEncoding};
use crate::errors::{RpcError, BLOCK_NOT_AVAILABLE};
use crate::params::{CommitmentConfig, Params};

pub fn get_latest_blockhash(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let _: CommitmentConfig = params.config(0)?;
    let (blockhash, last_valid) = chain.latest_blockhash();
    Ok(with_context(chain, json!({ "blockhash": blockhash.to_string(), "lastValidBlockHeight": last_valid })))
}

pub fn is_blockhash_valid(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let hash: Hash = params.string(0, "blockhash")?.parse().map_err(|_| RpcError::invalid_param("Invalid"))?;
    let _: CommitmentConfig = params.config(1)?;
    Ok(with_context(chain, json!(chain.is_blockhash_valid(&hash))))
}

pub fn get_fee_for_message(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let message: VersionedMessage = decode_wire(params.string(0, "message")?, BinaryEncoding::Base64, "message")?;
    let _: CommitmentConfig = params.config(1)?;
    let fee = chain
        .is_blockhash_valid(message.recent_blockhash())
        .then(|| chain.fee_for_signatures(u64::from(message.header().num_required_signatures)));
    Ok(with_context(chain, json!(fee)))
}

pub fn get_slot(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let config: CommitmentConfig = params.config(0)?;
    Ok(json!(chain.slot_at(Level::of(config.commitment))))
}

pub fn get_epoch_info(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let _: CommitmentConfig = params.config(0)?;
    let schedule = chain.svm.get_sysvar::<solana_epoch_schedule::EpochSchedule>();
    let slot = chain.slot();
    let (epoch, slot_index) = schedule.get_epoch_and_slot_index(slot);
    Ok(json!({
        "absoluteSlot": slot,
        "blockHeight": slot,
        "epoch": epoch,
        "slotIndex": slot_index,
        "slotsInEpoch": schedule.get_slots_in_epoch(epoch),
        "transactionCount": chain.history.len(),
    }))
}

pub fn get_block_time(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let slot = params.u64(0, "slot")?;
    if slot > chain.slot() {
        return Err(RpcError::new(BLOCK_NOT_AVAILABLE, format!("Block not available for slot {slot}")));
    }
    Ok(json!(chain.block_time(slot)))
}

/// `dispatchWarpClock [seconds]`: local-only, not a Solana method. Moves the
/// Clock sysvar's Unix time `seconds` (1 to 100 years' worth) ahead from the
/// current slot on, so vesting cliffs and emission years can be reached in a
/// test; answers `{"unixTimestamp": <the new time>}`. Time only moves forward.
pub fn warp_clock(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    const MAX_SECONDS: u64 = 100 * 365 * 24 * 3600;
    let seconds = params.u64(0, "seconds")?;
    if seconds == 0 || seconds > MAX_SECONDS {
        return Err(RpcError::invalid_params(format!("seconds must be between 1 and {MAX_SECONDS}, not {seconds}")));
    }
    Ok(json!({ "unixTimestamp": chain.warp_clock(seconds as i64) }))
}
