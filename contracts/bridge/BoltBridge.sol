// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IBoltBridge} from "./IBoltBridge.sol";
import {IWrappedBolt} from "./IWrappedBolt.sol";

/// @title BoltBridge
/// @notice The Monad side of the BOLT lock-and-mint bridge; see IBoltBridge and docs/bridge.md.
/// @dev Each attester owns one bit (its slot) of a 128-bit attestation bitmap kept per message
/// digest, next to the digest's status and queue time: one storage slot per message. Slots are
/// never reassigned, so a removed attester's bit simply stops counting (the count is taken
/// against the active-attester mask) and re-adding the same account restores it.
///
/// Roles: the default admin (two-step, delayed handover; meant to become the governance
/// timelock) unpauses and changes attesters, threshold, limits, delay and peer; PAUSER_ROLE
/// can only pause.
contract BoltBridge is IBoltBridge, AccessControlDefaultAdminRules, Pausable {
    /// @notice Role allowed to pause (and nothing else).
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Message format version this bridge speaks.
    uint8 public constant MESSAGE_VERSION = 1;
    /// @notice Message kind of a token transfer.
    uint8 public constant KIND_TRANSFER = 1;
    /// @notice Length of a v1 message in bytes.
    uint256 public constant MESSAGE_LENGTH = 178;
    /// @notice Attester slots available over the contract's lifetime.
    uint256 public constant MAX_ATTESTER_SLOTS = 128;
    /// @notice Rate limits refill from empty to full over this many seconds.
    uint256 public constant RATE_LIMIT_PERIOD = 24 hours;

    struct Record {
        uint128 attested; // bit i: the attester in slot i attested this digest
        Status status;
        uint64 readyAt; // queued: earliest completion time
    }

    struct Bucket {
        uint64 limit;
        uint64 available;
        uint64 updatedAt;
    }

    struct Outbound {
        uint64 nextSequence;
        uint128 burned; // total base units burned by sendToSolana
    }

    IWrappedBolt private immutable _token;
    bytes32 private immutable _localChain;

    bytes32 private _peerChain;
    bytes32 private _peerBridge;
    address[] private _slotAttester;
    mapping(address account => uint256 slotPlusOne) private _slotOf;
    uint128 private _activeMask;
    uint256 private _threshold;
    uint32 private _queueDelay;
    uint128 private _minted; // total base units minted
    Outbound private _outbound;
    mapping(Direction => Bucket) private _buckets;
    mapping(bytes32 digest => Record) private _records;

    /// @param initialDelay Delay, in seconds, of any future default-admin transfer.
    /// @param admin The default admin.
    /// @param pauser Granted PAUSER_ROLE unless zero.
    /// @param token_ The WrappedBolt, deployed first with this contract's address as its bridge.
    /// @param peerChain keccak256 of the Solana cluster's CAIP-2 id.
    /// @param peerBridge The dispatch_bridge program id.
    /// @param attesters_ The initial attesters.
    /// @param threshold_ Attestations a message needs (1 to the number of attesters).
    /// @param inboundLimit Inbound capacity in base units (refilled over 24 h).
    /// @param outboundLimit Outbound capacity in base units (refilled over 24 h).
    /// @param queueDelay_ Seconds a transfer over the limit waits.
    constructor(
        uint48 initialDelay,
        address admin,
        address pauser,
        IWrappedBolt token_,
        bytes32 peerChain,
        bytes32 peerBridge,
        address[] memory attesters_,
        uint256 threshold_,
        uint64 inboundLimit,
        uint64 outboundLimit,
        uint32 queueDelay_
    ) AccessControlDefaultAdminRules(initialDelay, admin) {
        if (address(token_) == address(0) || token_.bridge() != address(this)) {
            revert BoltBridgeTokenNotBound(address(token_));
        }
        _token = token_;
        _localChain = keccak256(bytes(string.concat("eip155:", Strings.toString(block.chainid))));
        if (pauser != address(0)) _grantRole(PAUSER_ROLE, pauser);
        _setPeer(peerChain, peerBridge);
        for (uint256 i = 0; i < attesters_.length; ++i) {
            _addAttester(attesters_[i]);
        }
        _setThreshold(threshold_);
        _setRateLimit(Direction.Inbound, inboundLimit);
        _setRateLimit(Direction.Outbound, outboundLimit);
        _setQueueDelay(queueDelay_);
    }

    // -- inbound ------------------------------------------------------------------------

    /// @inheritdoc IBoltBridge
    function attest(bytes calldata message) external whenNotPaused returns (bytes32 digest) {
        uint256 slot = _slotOf[msg.sender];
        if (slot == 0 || _activeMask & (uint128(1) << (slot - 1)) == 0) revert BoltBridgeUnknownAttester(msg.sender);
        Message memory m = _checkInbound(message);
        digest = keccak256(message);
        Record storage record = _records[digest];
        _checkPending(digest, record.status);
        uint128 bit = uint128(1) << (slot - 1);
        if (record.attested & bit != 0) revert BoltBridgeDuplicateAttestation(digest, msg.sender);
        uint128 attested = record.attested | bit;
        record.attested = attested;
        uint256 count = _popcount(attested & _activeMask);
        emit MessageAttested(digest, msg.sender, count);
        if (count >= _threshold) _executeInbound(digest, record, m);
    }

    /// @inheritdoc IBoltBridge
    function execute(bytes calldata message) external whenNotPaused {
        Message memory m = _checkInbound(message);
        bytes32 digest = keccak256(message);
        Record storage record = _records[digest];
        _checkPending(digest, record.status);
        uint256 count = _popcount(record.attested & _activeMask);
        if (count < _threshold) revert BoltBridgeThresholdNotReached(digest, count, _threshold);
        _executeInbound(digest, record, m);
    }

    /// @inheritdoc IBoltBridge
    function completeQueued(bytes calldata message) external whenNotPaused {
        Message memory m = _decode(message);
        bytes32 digest = keccak256(message);
        Record storage record = _records[digest];
        if (record.status != Status.Queued) revert BoltBridgeNotQueued(digest);
        if (block.timestamp < record.readyAt) revert BoltBridgeQueueDelayNotElapsed(digest, record.readyAt);
        record.status = Status.Executed;
        if (m.sourceChain == _localChain) {
            emit MessageSent(m.sequence, digest, address(uint160(uint256(m.sender))), message);
        } else {
            _mint(digest, m);
        }
    }

    // -- outbound -----------------------------------------------------------------------

    /// @inheritdoc IBoltBridge
    function sendToSolana(uint256 amount, bytes32 recipient)
        external
        whenNotPaused
        returns (uint64 sequence, bytes32 digest)
    {
        if (amount == 0) revert BoltBridgeZeroAmount();
        if (amount > type(uint64).max) revert BoltBridgeAmountTooLarge(amount);
        if (recipient == bytes32(0)) revert BoltBridgeMalformedRecipient(recipient);
        _token.crosschainBurn(msg.sender, amount);
        Outbound memory out = _outbound;
        sequence = out.nextSequence;
        _outbound = Outbound({nextSequence: sequence + 1, burned: out.burned + uint128(amount)});
        bytes memory message = abi.encodePacked(
            MESSAGE_VERSION,
            KIND_TRANSFER,
            _localChain,
            bytes32(uint256(uint160(address(this)))),
            sequence,
            uint64(amount),
            bytes32(uint256(uint160(msg.sender))),
            recipient,
            _peerChain
        );
        digest = keccak256(message);
        if (_consume(Direction.Outbound, uint64(amount))) {
            emit MessageSent(sequence, digest, msg.sender, message);
        } else {
            uint64 readyAt = uint64(block.timestamp) + _queueDelay;
            _records[digest] = Record({attested: 0, status: Status.Queued, readyAt: readyAt});
            emit OutboundTransferQueued(sequence, digest, msg.sender, readyAt, message);
        }
    }

    // -- pause and administration ---------------------------------------------------------

    /// @inheritdoc IBoltBridge
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IBoltBridge
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IBoltBridge
    function addAttester(address attester) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _addAttester(attester);
    }

    /// @inheritdoc IBoltBridge
    function removeAttester(address attester) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 slot = _slotOf[attester];
        uint128 bit = slot == 0 ? 0 : uint128(1) << (slot - 1);
        if (bit == 0 || _activeMask & bit == 0) revert BoltBridgeUnknownAttester(attester);
        uint256 remaining = _popcount(_activeMask) - 1;
        if (remaining < _threshold) revert BoltBridgeInvalidThreshold(_threshold, remaining);
        _activeMask &= ~bit;
        emit AttesterRemoved(attester);
    }

    /// @inheritdoc IBoltBridge
    function setThreshold(uint256 threshold_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setThreshold(threshold_);
    }

    /// @inheritdoc IBoltBridge
    function setRateLimit(Direction direction, uint64 limit) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRateLimit(direction, limit);
    }

    /// @inheritdoc IBoltBridge
    function setQueueDelay(uint32 delay) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setQueueDelay(delay);
    }

    /// @inheritdoc IBoltBridge
    function setPeer(bytes32 chain, bytes32 bridge) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPeer(chain, bridge);
    }

    // -- views --------------------------------------------------------------------------

    /// @inheritdoc IBoltBridge
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IBoltBridge
    function localChain() external view returns (bytes32) {
        return _localChain;
    }

    /// @inheritdoc IBoltBridge
    function peer() external view returns (bytes32 chain, bytes32 bridge) {
        return (_peerChain, _peerBridge);
    }

    /// @inheritdoc IBoltBridge
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @inheritdoc IBoltBridge
    function attesters() external view returns (address[] memory active) {
        uint128 mask = _activeMask;
        active = new address[](_popcount(mask));
        uint256 n = 0;
        uint256 slots = _slotAttester.length;
        for (uint256 i = 0; i < slots; ++i) {
            if (mask & (uint128(1) << i) != 0) active[n++] = _slotAttester[i];
        }
    }

    /// @inheritdoc IBoltBridge
    function isAttester(address account) external view returns (bool) {
        uint256 slot = _slotOf[account];
        return slot != 0 && _activeMask & (uint128(1) << (slot - 1)) != 0;
    }

    /// @inheritdoc IBoltBridge
    function nextSequence() external view returns (uint64) {
        return _outbound.nextSequence;
    }

    /// @notice Totals since deployment: wrapped BOLT minted for inbound messages, and burned by
    /// `sendToSolana`. (Wrapped supply = minted - burned.)
    /// @return minted Base units minted.
    /// @return burned Base units burned.
    function totals() external view returns (uint256 minted, uint256 burned) {
        return (_minted, _outbound.burned);
    }

    /// @inheritdoc IBoltBridge
    function queueDelay() external view returns (uint32) {
        return _queueDelay;
    }

    /// @inheritdoc IBoltBridge
    function rateLimit(Direction direction) external view returns (uint64 limit, uint64 available) {
        Bucket memory bucket = _buckets[direction];
        return (bucket.limit, _availableNow(bucket));
    }

    /// @inheritdoc IBoltBridge
    function messageStatus(bytes32 digest) external view returns (Status status, uint256 attestations, uint256 readyAt) {
        Record memory record = _records[digest];
        return (record.status, _popcount(record.attested & _activeMask), record.readyAt);
    }

    /// @inheritdoc IBoltBridge
    function hasAttested(bytes32 digest, address attester) external view returns (bool) {
        uint256 slot = _slotOf[attester];
        return slot != 0 && _records[digest].attested & (uint128(1) << (slot - 1)) != 0;
    }

    /// @inheritdoc IBoltBridge
    function encodeMessage(Message calldata m) external pure returns (bytes memory) {
        return abi.encodePacked(
            m.version, m.kind, m.sourceChain, m.sourceBridge, m.sequence, m.amount, m.sender, m.recipient,
            m.destinationChain
        );
    }

    /// @inheritdoc IBoltBridge
    function decodeMessage(bytes calldata message) external pure returns (Message memory) {
        return _decode(message);
    }

    // -- internals ----------------------------------------------------------------------

    function _decode(bytes calldata message) private pure returns (Message memory m) {
        if (message.length != MESSAGE_LENGTH) revert BoltBridgeInvalidMessageLength(message.length);
        m.version = uint8(message[0]);
        m.kind = uint8(message[1]);
        m.sourceChain = bytes32(message[2:34]);
        m.sourceBridge = bytes32(message[34:66]);
        m.sequence = uint64(bytes8(message[66:74]));
        m.amount = uint64(bytes8(message[74:82]));
        m.sender = bytes32(message[82:114]);
        m.recipient = bytes32(message[114:146]);
        m.destinationChain = bytes32(message[146:178]);
    }

    /// @dev Decodes and checks everything a message's bytes can be checked for, in a fixed order.
    function _checkInbound(bytes calldata message) private view returns (Message memory m) {
        m = _decode(message);
        if (m.version != MESSAGE_VERSION || m.kind != KIND_TRANSFER) {
            revert BoltBridgeUnsupportedMessage(m.version, m.kind);
        }
        if (m.destinationChain != _localChain) revert BoltBridgeWrongDestinationChain(m.destinationChain);
        if (m.sourceChain != _peerChain) revert BoltBridgeWrongSourceChain(m.sourceChain);
        if (m.sourceBridge != _peerBridge) revert BoltBridgeWrongSourceBridge(m.sourceBridge);
        if (m.amount == 0) revert BoltBridgeZeroAmount();
        if (m.recipient == bytes32(0) || uint256(m.recipient) >> 160 != 0) {
            revert BoltBridgeMalformedRecipient(m.recipient);
        }
    }

    function _checkPending(bytes32 digest, Status status) private pure {
        if (status == Status.Executed) revert BoltBridgeAlreadyExecuted(digest);
        if (status == Status.Queued) revert BoltBridgeAlreadyQueued(digest);
    }

    function _executeInbound(bytes32 digest, Record storage record, Message memory m) private {
        if (_consume(Direction.Inbound, m.amount)) {
            record.status = Status.Executed;
            _mint(digest, m);
        } else {
            uint64 readyAt = uint64(block.timestamp) + _queueDelay;
            record.status = Status.Queued;
            record.readyAt = readyAt;
            emit InboundTransferQueued(digest, address(uint160(uint256(m.recipient))), m.amount, readyAt);
        }
    }

    function _mint(bytes32 digest, Message memory m) private {
        address recipient = address(uint160(uint256(m.recipient)));
        _minted += m.amount;
        _token.crosschainMint(recipient, m.amount);
        emit TransferMinted(digest, recipient, m.amount, m.sequence);
    }

    function _availableNow(Bucket memory bucket) private view returns (uint64) {
        uint256 refill = (block.timestamp - bucket.updatedAt) * uint256(bucket.limit) / RATE_LIMIT_PERIOD;
        uint256 available = uint256(bucket.available) + refill;
        return available > bucket.limit ? bucket.limit : uint64(available);
    }

    /// @dev Takes `amount` from the direction's capacity; false (and nothing taken) when it exceeds it.
    function _consume(Direction direction, uint64 amount) private returns (bool) {
        Bucket storage bucket = _buckets[direction];
        uint64 available = _availableNow(bucket);
        if (amount > available) return false;
        bucket.available = available - amount;
        bucket.updatedAt = uint64(block.timestamp);
        return true;
    }

    function _addAttester(address attester) private {
        if (attester == address(0)) revert BoltBridgeZeroAddress();
        uint256 slot = _slotOf[attester];
        if (slot == 0) {
            if (_slotAttester.length >= MAX_ATTESTER_SLOTS) revert BoltBridgeTooManyAttesters();
            _slotAttester.push(attester);
            slot = _slotAttester.length;
            _slotOf[attester] = slot;
        }
        uint128 bit = uint128(1) << (slot - 1);
        if (_activeMask & bit != 0) revert BoltBridgeAttesterAlreadyActive(attester);
        _activeMask |= bit;
        emit AttesterAdded(attester, slot - 1);
    }

    function _setThreshold(uint256 threshold_) private {
        uint256 active = _popcount(_activeMask);
        if (threshold_ == 0 || threshold_ > active) revert BoltBridgeInvalidThreshold(threshold_, active);
        emit ThresholdSet(_threshold, threshold_);
        _threshold = threshold_;
    }

    function _setRateLimit(Direction direction, uint64 limit) private {
        Bucket storage bucket = _buckets[direction];
        uint64 available = _availableNow(bucket);
        if (limit > bucket.limit) {
            uint256 raised = uint256(available) + (limit - bucket.limit);
            available = raised > limit ? limit : uint64(raised);
        } else if (available > limit) {
            available = limit;
        }
        bucket.limit = limit;
        bucket.available = available;
        bucket.updatedAt = uint64(block.timestamp);
        emit RateLimitSet(direction, limit, available);
    }

    function _setQueueDelay(uint32 delay) private {
        emit QueueDelaySet(_queueDelay, delay);
        _queueDelay = delay;
    }

    function _setPeer(bytes32 chain, bytes32 bridge) private {
        if (chain == bytes32(0) || bridge == bytes32(0) || chain == _localChain) {
            revert BoltBridgeInvalidPeer(chain, bridge);
        }
        _peerChain = chain;
        _peerBridge = bridge;
        emit PeerSet(chain, bridge);
    }

    function _popcount(uint128 x) private pure returns (uint256 count) {
        while (x != 0) {
            x &= x - 1;
            ++count;
        }
    }
}
