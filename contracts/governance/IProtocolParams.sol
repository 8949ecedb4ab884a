// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IProtocolParams
/// @notice The protocol parameters BOLT holders govern (whitepaper §5.4: "pricing, fee rate,
/// staking thresholds"), held on Monad and owned by the governance timelock: the burned
/// protocol fee, the stake tier thresholds, the unstaking cooldown and the job price table.
/// Every change bumps `version` and emits exactly one event. The fee, thresholds and
/// cooldown also apply on Solana: the governance watcher carries each `ParamsChanged` to the
/// Solana governance receiver as an attested governance message (docs/governance.md). The
/// contract also records treasury spends governance approved (the treasury vault is on
/// Solana, where each spend waits out its own 6-month delay).
interface IProtocolParams {
    /// @notice One row of the job price table.
    /// @param jobType The job type, as a left-aligned ASCII name (e.g. "FAST_LLM").
    /// @param price Its price in USDC base units (6 decimals: 10000 = $0.010).
    struct JobPrice {
        bytes32 jobType;
        uint64 price;
    }

    /// @notice The whole parameter set, as one call returns it.
    /// @param version Bumped by every change (0 = as deployed).
    /// @param feeBps Share of every BOLT settlement burned, in basis points (at most MAX_FEE_BPS).
    /// @param verifiedThreshold Active stake (BOLT base units) of the VERIFIED tier.
    /// @param sentinelThreshold Active stake (BOLT base units) of the SENTINEL tier (>= VERIFIED).
    /// @param unstakeCooldown Seconds between an unstake request and its withdrawal.
    /// @param prices The job price table, in insertion order (removals swap the last row in).
    struct Params {
        uint64 version;
        uint16 feeBps;
        uint64 verifiedThreshold;
        uint64 sentinelThreshold;
        uint32 unstakeCooldown;
        JobPrice[] prices;
    }

    /// @notice Only the owner (the governance timelock) changes parameters; `caller` is not it.
    error ProtocolParamsUnauthorized(address caller);
    /// @notice `feeBps` is above the hard cap `cap` (the same cap as dispatch_settlement's).
    error ProtocolParamsFeeAboveCap(uint16 feeBps, uint16 cap);
    /// @notice The tier thresholds need 0 < VERIFIED <= SENTINEL.
    error ProtocolParamsInvalidThresholds(uint64 verifiedThreshold, uint64 sentinelThreshold);
    /// @notice The SENTINEL threshold exceeds BOLT's fixed supply, so no worker could reach it.
    error ProtocolParamsThresholdAboveSupply(uint64 sentinelThreshold, uint64 supply);
    /// @notice The cooldown exceeds the longest one (the same bound as dispatch_staking's).
    error ProtocolParamsCooldownTooLong(uint32 cooldown, uint32 maxCooldown);
    /// @notice A job type must be a non-empty name.
    error ProtocolParamsZeroJobType();
    /// @notice A job price must be above zero (remove the job type instead).
    error ProtocolParamsZeroPrice(bytes32 jobType);
    /// @notice The job type is not in the price table.
    error ProtocolParamsUnknownJobType(bytes32 jobType);
    /// @notice The price table is full (MAX_JOB_TYPES rows).
    error ProtocolParamsTooManyJobTypes(uint256 maxJobTypes);
    /// @notice A treasury spend needs an amount above zero.
    error ProtocolParamsZeroSpend();
    /// @notice A treasury spend needs a recipient (a Solana pubkey, not all zero).
    error ProtocolParamsZeroRecipient();

    /// @notice The fee, the thresholds or the cooldown changed; carries the Solana-relevant set
    /// as of `version`, which the governance watcher attests on Solana.
    /// @param version The new version.
    /// @param feeBps The protocol fee now.
    /// @param verifiedThreshold The VERIFIED threshold now.
    /// @param sentinelThreshold The SENTINEL threshold now.
    /// @param unstakeCooldown The cooldown now.
    event ParamsChanged(
        uint64 indexed version, uint16 feeBps, uint64 verifiedThreshold, uint64 sentinelThreshold, uint32 unstakeCooldown
    );
    /// @notice A job price was set (`price` > 0) or the job type removed (`price` = 0).
    /// @param version The new version.
    /// @param jobType The job type.
    /// @param price Its price in USDC base units, 0 when removed.
    event JobPriceChanged(uint64 indexed version, bytes32 indexed jobType, uint64 price);
    /// @notice Governance approved a treasury spend; on Solana it becomes payable 6 months
    /// after the governance receiver records it.
    /// @param spendId The spend's sequence number (from 1).
    /// @param amount BOLT base units.
    /// @param recipient The Solana owner pubkey that receives them (its associated token account).
    event TreasurySpendApproved(uint64 indexed spendId, uint64 amount, bytes32 recipient);

    /// @notice Sets the burned protocol fee. Owner only.
    /// @param feeBps Basis points, at most MAX_FEE_BPS.
    function setFeeBps(uint16 feeBps) external;

    /// @notice Sets both tier thresholds (0 < VERIFIED <= SENTINEL <= BOLT supply). Owner only.
    /// @param verifiedThreshold VERIFIED, in BOLT base units.
    /// @param sentinelThreshold SENTINEL, in BOLT base units.
    function setTierThresholds(uint64 verifiedThreshold, uint64 sentinelThreshold) external;

    /// @notice Sets the unstaking cooldown (at most MAX_COOLDOWN). Owner only.
    /// @param cooldown Seconds.
    function setUnstakeCooldown(uint32 cooldown) external;

    /// @notice Adds a job type or changes its price. Owner only.
    /// @param jobType The job type name (left-aligned ASCII).
    /// @param price USDC base units, above zero.
    function setJobPrice(bytes32 jobType, uint64 price) external;

    /// @notice Removes a job type from the price table. Owner only.
    /// @param jobType The job type name.
    function removeJobPrice(bytes32 jobType) external;

    /// @notice Records a treasury spend governance approved (executed on Solana after its delay). Owner only.
    /// @param amount BOLT base units.
    /// @param recipient Solana owner pubkey of the recipient.
    /// @return spendId The spend's sequence number.
    function approveTreasurySpend(uint64 amount, bytes32 recipient) external returns (uint64 spendId);

    /// @notice The whole parameter set in one call.
    /// @return The parameters and their version.
    function params() external view returns (Params memory);

    /// @notice The current version (bumped by every change).
    /// @return The version.
    function version() external view returns (uint64);

    /// @notice The price of one job type.
    /// @param jobType The job type name.
    /// @return USDC base units (reverts ProtocolParamsUnknownJobType when absent).
    function jobPrice(bytes32 jobType) external view returns (uint64);

    /// @notice The number of treasury spends approved so far (the last spendId).
    /// @return The count.
    function treasurySpends() external view returns (uint64);
}
