// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IBoltBridge
/// @notice The Monad side of the BOLT lock-and-mint bridge (docs/bridge.md). Inbound: once a
/// threshold of distinct attesters has attested a Solana lock message, wrapped BOLT is
/// minted to its recipient. Outbound: `sendToSolana` burns wrapped BOLT and emits a message
/// that the attesters carry to Solana, where BOLT is released from custody. Each direction
/// has a rate limit (capacity with linear refill over 24 h); a transfer over the current
/// capacity is queued and anyone may complete it after the queue delay.
interface IBoltBridge {
    /// @notice The direction a rate limit applies to.
    enum Direction {
        Inbound, // Solana -> Monad: mints
        Outbound // Monad -> Solana: burns
    }

    /// @notice Where a message digest stands on this chain.
    enum Status {
        None, // never attested, or attested below the threshold
        Queued, // over the rate limit, waiting for its delay
        Executed // minted (inbound) or sent (outbound)
    }

    /// @notice A bridge message v1, field by field (178 packed bytes once encoded).
    struct Message {
        uint8 version;
        uint8 kind;
        bytes32 sourceChain;
        bytes32 sourceBridge;
        uint64 sequence;
        uint64 amount;
        bytes32 sender;
        bytes32 recipient;
        bytes32 destinationChain;
    }

    /// @notice An attester attested an inbound message.
    /// @param digest keccak256 of the message.
    /// @param attester The attester.
    /// @param attestations Attestations of currently active attesters, this one included.
    event MessageAttested(bytes32 indexed digest, address indexed attester, uint256 attestations);
    /// @notice Wrapped BOLT was minted for an inbound message.
    /// @param digest keccak256 of the message.
    /// @param recipient The account credited.
    /// @param amount Base units minted.
    /// @param sourceSequence The message's sequence on the source bridge.
    event TransferMinted(bytes32 indexed digest, address indexed recipient, uint64 amount, uint64 sourceSequence);
    /// @notice An inbound transfer exceeded the inbound capacity and waits in the queue.
    /// @param digest keccak256 of the message.
    /// @param recipient The account to credit.
    /// @param amount Base units.
    /// @param readyAt Timestamp from which `completeQueued` may mint it.
    event InboundTransferQueued(bytes32 indexed digest, address indexed recipient, uint64 amount, uint256 readyAt);
    /// @notice Wrapped BOLT was burned and an outbound message is ready for the attesters.
    /// @param sequence The message's sequence (per this bridge, from 0).
    /// @param digest keccak256 of the message.
    /// @param sender The account whose wrapped BOLT was burned.
    /// @param message The 178-byte message to attest on Solana.
    event MessageSent(uint64 indexed sequence, bytes32 indexed digest, address indexed sender, bytes message);
    /// @notice An outbound transfer exceeded the outbound capacity: burned now, sent after the delay.
    /// @param sequence The message's sequence.
    /// @param digest keccak256 of the message.
    /// @param sender The account whose wrapped BOLT was burned.
    /// @param readyAt Timestamp from which `completeQueued` may send it.
    /// @param message The 178-byte message (attesters wait for its MessageSent).
    event OutboundTransferQueued(
        uint64 indexed sequence, bytes32 indexed digest, address indexed sender, uint256 readyAt, bytes message
    );
    /// @notice An attester was added (or re-activated, keeping its slot).
    /// @param attester The attester.
    /// @param slot Its bit in the attestation bitmaps.
    event AttesterAdded(address indexed attester, uint256 slot);
    /// @notice An attester was removed; its attestations stop counting.
    /// @param attester The attester.
    event AttesterRemoved(address indexed attester);
    /// @notice The attestation threshold changed.
    /// @param previous The old threshold.
    /// @param threshold The new threshold.
    event ThresholdSet(uint256 previous, uint256 threshold);
    /// @notice A direction's rate limit changed.
    /// @param direction Inbound or outbound.
    /// @param limit Capacity in base units, refilled linearly over 24 h.
    /// @param available Capacity available right after the change.
    event RateLimitSet(Direction indexed direction, uint64 limit, uint64 available);
    /// @notice The queue delay changed.
    /// @param previous The old delay, in seconds.
    /// @param delay The new delay, in seconds.
    event QueueDelaySet(uint256 previous, uint256 delay);
    /// @notice The peer (the Solana bridge program) changed.
    /// @param chain keccak256 of the peer chain's CAIP-2 id.
    /// @param bridge The peer program id.
    event PeerSet(bytes32 indexed chain, bytes32 indexed bridge);

    /// @notice The caller is not an active attester (never added, or removed).
    error BoltBridgeUnknownAttester(address account);
    /// @notice This attester already attested this digest.
    error BoltBridgeDuplicateAttestation(bytes32 digest, address attester);
    /// @notice The message was already executed here: a replay.
    error BoltBridgeAlreadyExecuted(bytes32 digest);
    /// @notice The message is already queued; only `completeQueued` moves it on.
    error BoltBridgeAlreadyQueued(bytes32 digest);
    /// @notice The message is not in the queue.
    error BoltBridgeNotQueued(bytes32 digest);
    /// @notice The queued message may be completed only from `readyAt`.
    error BoltBridgeQueueDelayNotElapsed(bytes32 digest, uint256 readyAt);
    /// @notice A v1 message has 178 bytes.
    error BoltBridgeInvalidMessageLength(uint256 length);
    /// @notice Only version 1, kind 1 (token transfer) messages are accepted.
    error BoltBridgeUnsupportedMessage(uint8 version, uint8 kind);
    /// @notice The message is not addressed to this chain.
    error BoltBridgeWrongDestinationChain(bytes32 destinationChain);
    /// @notice The message does not come from the peer chain.
    error BoltBridgeWrongSourceChain(bytes32 sourceChain);
    /// @notice The message does not come from the peer bridge.
    error BoltBridgeWrongSourceBridge(bytes32 sourceBridge);
    /// @notice A transfer of 0 base units.
    error BoltBridgeZeroAmount();
    /// @notice The amount does not fit the message's uint64.
    error BoltBridgeAmountTooLarge(uint256 amount);
    /// @notice The recipient is zero, or (on this chain) its 12 high bytes are not zero.
    error BoltBridgeMalformedRecipient(bytes32 recipient);
    /// @notice Not enough active attesters attested this digest yet.
    error BoltBridgeThresholdNotReached(bytes32 digest, uint256 attestations, uint256 threshold);
    /// @notice The threshold must be between 1 and the number of active attesters.
    error BoltBridgeInvalidThreshold(uint256 threshold, uint256 activeAttesters);
    /// @notice The account is already an active attester.
    error BoltBridgeAttesterAlreadyActive(address attester);
    /// @notice All attester slots (bits of the attestation bitmap) have been used.
    error BoltBridgeTooManyAttesters();
    /// @notice The zero address where an account is needed.
    error BoltBridgeZeroAddress();
    /// @notice The token does not name this contract as its bridge.
    error BoltBridgeTokenNotBound(address token);
    /// @notice The peer chain or bridge is zero, or the peer chain is this chain.
    error BoltBridgeInvalidPeer(bytes32 chain, bytes32 bridge);

    /// @notice Attests an inbound message as the caller (an active attester). When the threshold
    /// of active attesters is reached, mints to the recipient, or queues the transfer when it
    /// exceeds the inbound capacity.
    /// @param message The 178-byte message, as emitted by the Solana bridge.
    /// @return digest keccak256 of the message.
    function attest(bytes calldata message) external returns (bytes32 digest);

    /// @notice Executes an inbound message that already has the threshold of attestations (after
    /// the threshold was lowered, or attesters re-added); anyone may call it.
    /// @param message The 178-byte message.
    function execute(bytes calldata message) external;

    /// @notice Completes a queued transfer once its delay has elapsed; anyone may call it. Inbound:
    /// mints; outbound: emits MessageSent. Completion does not consume rate-limit capacity.
    /// @param message The queued 178-byte message.
    function completeQueued(bytes calldata message) external;

    /// @notice Burns `amount` of the caller's wrapped BOLT and emits the outbound message with
    /// the next sequence (queued instead when over the outbound capacity).
    /// @param amount Base units, 1 to 2**64-1.
    /// @param recipient The Solana owner pubkey (BOLT goes to its associated token account).
    /// @return sequence The message's sequence.
    /// @return digest keccak256 of the message.
    function sendToSolana(uint256 amount, bytes32 recipient) external returns (uint64 sequence, bytes32 digest);

    /// @notice Pauses attestations, execution, queue completion and sends (PAUSER_ROLE only).
    function pause() external;

    /// @notice Lifts a pause (admin only).
    function unpause() external;

    /// @notice Adds an attester, or re-activates a removed one in its old slot (admin only).
    /// @param attester The attester's account.
    function addAttester(address attester) external;

    /// @notice Removes an attester; its attestations stop counting (admin only). The threshold
    /// must stay reachable: lower it first if needed.
    /// @param attester The attester's account.
    function removeAttester(address attester) external;

    /// @notice Sets the number of distinct active attesters a message needs (admin only).
    /// @param threshold 1 to the number of active attesters.
    function setThreshold(uint256 threshold) external;

    /// @notice Sets a direction's capacity, refilled linearly over 24 h (admin only). Raising it
    /// adds the difference to what is available now; lowering it caps what is available.
    /// @param direction Inbound or outbound.
    /// @param limit Capacity in base units.
    function setRateLimit(Direction direction, uint64 limit) external;

    /// @notice Sets how long a queued transfer waits before `completeQueued` (admin only).
    /// @param delay Seconds.
    function setQueueDelay(uint32 delay) external;

    /// @notice Sets the peer: the Solana bridge program and its chain (admin only).
    /// @param chain keccak256 of the peer chain's CAIP-2 id.
    /// @param bridge The peer program id.
    function setPeer(bytes32 chain, bytes32 bridge) external;

    /// @notice The wrapped BOLT token this bridge mints and burns.
    /// @return Its address.
    function token() external view returns (address);

    /// @notice This chain's id in messages: keccak256("eip155:" + block.chainid).
    /// @return The 32-byte chain id hash.
    function localChain() external view returns (bytes32);

    /// @notice The peer chain and bridge program.
    /// @return chain keccak256 of the peer chain's CAIP-2 id.
    /// @return bridge The peer program id.
    function peer() external view returns (bytes32 chain, bytes32 bridge);

    /// @notice The number of distinct active attesters a message needs.
    /// @return The threshold.
    function threshold() external view returns (uint256);

    /// @notice The active attesters, in slot order.
    /// @return Their accounts.
    function attesters() external view returns (address[] memory);

    /// @notice Whether `account` is an active attester.
    /// @param account The account.
    /// @return True when active.
    function isAttester(address account) external view returns (bool);

    /// @notice The sequence the next outbound message will carry.
    /// @return The next sequence.
    function nextSequence() external view returns (uint64);

    /// @notice The queue delay.
    /// @return Seconds.
    function queueDelay() external view returns (uint32);

    /// @notice A direction's capacity and what is available now.
    /// @param direction Inbound or outbound.
    /// @return limit Capacity in base units.
    /// @return available Base units that can pass now without queueing.
    function rateLimit(Direction direction) external view returns (uint64 limit, uint64 available);

    /// @notice The record of a message digest on this chain.
    /// @param digest keccak256 of the message.
    /// @return status None, Queued or Executed.
    /// @return attestations Attestations of currently active attesters.
    /// @return readyAt When queued, the timestamp from which it may be completed; else 0.
    function messageStatus(bytes32 digest)
        external
        view
        returns (Status status, uint256 attestations, uint256 readyAt);

    /// @notice Whether `attester` attested `digest`.
    /// @param digest keccak256 of the message.
    /// @param attester The attester.
    /// @return True when it did.
    function hasAttested(bytes32 digest, address attester) external view returns (bool);

    /// @notice Encodes a message v1 (178 packed big-endian bytes).
    /// @param message The fields.
    /// @return The encoding.
    function encodeMessage(Message calldata message) external pure returns (bytes memory);

    /// @notice Decodes a message v1 (checks the length only).
    /// @param message The 178 bytes.
    /// @return The fields.
    function decodeMessage(bytes calldata message) external pure returns (Message memory);
}
