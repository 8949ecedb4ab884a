// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {IProtocolParams} from "./IProtocolParams.sol";

/// @title ProtocolParams
/// @notice The governed protocol parameters (docs/governance.md), owned by the governance
/// timelock: only a proposal that passed, waited out the timelock delay and was executed
/// changes them. Each change bumps the version and emits one event.
/// @dev The bounds mirror the Solana programs that apply the same values
/// (dispatch_settlement's MAX_FEE_BPS, dispatch_staking's MAX_COOLDOWN_SECONDS and supply
/// bound), so a value Monad accepts is a value Solana accepts. Ownership moves only by
/// OpenZeppelin's two-step transfer, itself an owner (governance) action.
contract ProtocolParams is IProtocolParams, Ownable2Step {
    using EnumerableSet for EnumerableSet.Bytes32Set;

    /// @notice The hard cap of the burned fee: 1 000 bps (10 %), as dispatch_settlement's MAX_FEE_BPS.
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice The longest unstaking cooldown: 90 days, as dispatch_staking's MAX_COOLDOWN_SECONDS.
    uint32 public constant MAX_COOLDOWN = 90 days;
    /// @notice BOLT's fixed supply in base units (1e9 tokens, 9 decimals): the SENTINEL bound.
    uint64 public constant BOLT_SUPPLY = 1_000_000_000 * 1e9;
    /// @notice The most rows the job price table holds (keeps `params()` cheap to read).
    uint256 public constant MAX_JOB_TYPES = 32;

    /// @dev One slot: version, fee, thresholds, cooldown (8 + 2 + 8 + 8 + 4 bytes).
    struct Core {
        uint64 version;
        uint16 feeBps;
        uint64 verifiedThreshold;
        uint64 sentinelThreshold;
        uint32 unstakeCooldown;
    }

    Core private _core;
    uint64 private _treasurySpends;
    EnumerableSet.Bytes32Set private _jobTypes;
    mapping(bytes32 jobType => uint64 price) private _prices;

    /// @param owner_ The governance timelock (or, in the local --keep-admin mode, the deployer).
    /// @param feeBps_ Initial protocol fee (whitepaper: 500).
    /// @param verifiedThreshold_ Initial VERIFIED threshold (whitepaper: 100 BOLT).
    /// @param sentinelThreshold_ Initial SENTINEL threshold (whitepaper: 1 000 BOLT).
    /// @param unstakeCooldown_ Initial cooldown in seconds (dispatch_staking's default: 7 days).
    /// @param prices_ Initial job price table (whitepaper §4.1 prices in USDC base units).
    constructor(
        address owner_,
        uint16 feeBps_,
        uint64 verifiedThreshold_,
        uint64 sentinelThreshold_,
        uint32 unstakeCooldown_,
        JobPrice[] memory prices_
    ) Ownable(owner_) {
        _checkFee(feeBps_);
        _checkThresholds(verifiedThreshold_, sentinelThreshold_);
        _checkCooldown(unstakeCooldown_);
        _core = Core({
            version: 0,
            feeBps: feeBps_,
            verifiedThreshold: verifiedThreshold_,
            sentinelThreshold: sentinelThreshold_,
            unstakeCooldown: unstakeCooldown_
        });
        for (uint256 i = 0; i < prices_.length; ++i) {
            _putPrice(prices_[i].jobType, prices_[i].price);
        }
    }

    // -- governed changes ---------------------------------------------------------------

    /// @inheritdoc IProtocolParams
    function setFeeBps(uint16 feeBps) external onlyOwner {
        _checkFee(feeBps);
        _core.feeBps = feeBps;
        _emitParamsChanged();
    }

    /// @inheritdoc IProtocolParams
    function setTierThresholds(uint64 verifiedThreshold, uint64 sentinelThreshold) external onlyOwner {
        _checkThresholds(verifiedThreshold, sentinelThreshold);
        _core.verifiedThreshold = verifiedThreshold;
        _core.sentinelThreshold = sentinelThreshold;
        _emitParamsChanged();
    }

    /// @inheritdoc IProtocolParams
    function setUnstakeCooldown(uint32 cooldown) external onlyOwner {
        _checkCooldown(cooldown);
        _core.unstakeCooldown = cooldown;
        _emitParamsChanged();
    }

    /// @inheritdoc IProtocolParams
    function setJobPrice(bytes32 jobType, uint64 price) external onlyOwner {
        _putPrice(jobType, price);
        emit JobPriceChanged(++_core.version, jobType, price);
    }

    /// @inheritdoc IProtocolParams
    function removeJobPrice(bytes32 jobType) external onlyOwner {
        if (!_jobTypes.remove(jobType)) revert ProtocolParamsUnknownJobType(jobType);
        delete _prices[jobType];
        emit JobPriceChanged(++_core.version, jobType, 0);
    }

    /// @inheritdoc IProtocolParams
    function approveTreasurySpend(uint64 amount, bytes32 recipient) external onlyOwner returns (uint64 spendId) {
        if (amount == 0) revert ProtocolParamsZeroSpend();
        if (recipient == bytes32(0)) revert ProtocolParamsZeroRecipient();
        spendId = ++_treasurySpends;
        emit TreasurySpendApproved(spendId, amount, recipient);
    }

    // -- views ---------------------------------------------------------------------------

    /// @inheritdoc IProtocolParams
    function params() external view returns (Params memory current) {
        Core memory core = _core;
        uint256 count = _jobTypes.length();
        JobPrice[] memory prices = new JobPrice[](count);
        for (uint256 i = 0; i < count; ++i) {
            bytes32 jobType = _jobTypes.at(i);
            prices[i] = JobPrice({jobType: jobType, price: _prices[jobType]});
        }
        current = Params({
            version: core.version,
            feeBps: core.feeBps,
            verifiedThreshold: core.verifiedThreshold,
            sentinelThreshold: core.sentinelThreshold,
            unstakeCooldown: core.unstakeCooldown,
            prices: prices
        });
    }

    /// @inheritdoc IProtocolParams
    function version() external view returns (uint64) {
        return _core.version;
    }

    /// @inheritdoc IProtocolParams
    function jobPrice(bytes32 jobType) external view returns (uint64) {
        if (!_jobTypes.contains(jobType)) revert ProtocolParamsUnknownJobType(jobType);
        return _prices[jobType];
    }

    /// @inheritdoc IProtocolParams
    function treasurySpends() external view returns (uint64) {
        return _treasurySpends;
    }

    // -- internals -----------------------------------------------------------------------

    /// @dev Ownable's check with this contract's own error.
    function _checkOwner() internal view override {
        if (owner() != _msgSender()) revert ProtocolParamsUnauthorized(_msgSender());
    }

    function _emitParamsChanged() private {
        Core memory core = _core;
        core.version += 1;
        _core.version = core.version;
        emit ParamsChanged(
            core.version, core.feeBps, core.verifiedThreshold, core.sentinelThreshold, core.unstakeCooldown
        );
    }

    function _putPrice(bytes32 jobType, uint64 price) private {
        if (jobType == bytes32(0)) revert ProtocolParamsZeroJobType();
        if (price == 0) revert ProtocolParamsZeroPrice(jobType);
        if (_jobTypes.add(jobType) && _jobTypes.length() > MAX_JOB_TYPES) {
            revert ProtocolParamsTooManyJobTypes(MAX_JOB_TYPES);
        }
        _prices[jobType] = price;
    }

    function _checkFee(uint16 feeBps) private pure {
        if (feeBps > MAX_FEE_BPS) revert ProtocolParamsFeeAboveCap(feeBps, MAX_FEE_BPS);
    }

    function _checkThresholds(uint64 verifiedThreshold, uint64 sentinelThreshold) private pure {
        if (verifiedThreshold == 0 || verifiedThreshold > sentinelThreshold) {
            revert ProtocolParamsInvalidThresholds(verifiedThreshold, sentinelThreshold);
        }
        if (sentinelThreshold > BOLT_SUPPLY) revert ProtocolParamsThresholdAboveSupply(sentinelThreshold, BOLT_SUPPLY);
    }

    function _checkCooldown(uint32 cooldown) private pure {
        if (cooldown > MAX_COOLDOWN) revert ProtocolParamsCooldownTooLong(cooldown, MAX_COOLDOWN);
    }
}
