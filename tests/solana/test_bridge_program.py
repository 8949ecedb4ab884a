"""dispatch_chain.solana.bridge against the real dispatch_bridge SBF program.

These tests run the program's SBF build (``dispatch_bridge.so`` in
``DISPATCH_SBF_V0_DIR``, made by ./dev setup) in solders' LiteSVM, deployed as an upgradeable
program (attest and complete_queued cannot run on that v0 build: test_bridge_node.py runs
them on the local node) with the real SPL Token and Associated Token programs: every
instruction is built by :class:`BridgeClient`, every account read back is
decoded by it, and failures go through the same ``decode_failure`` as
:class:`SolanaClient` uses, so the typed exceptions are the ones a caller
catches. The on-chain digest check (the inbound record's address is
``["inbound", digest]`` computed by the program) proves the Python encoder
byte-identical to the program's.

A missing build fails the module, saying how to make it (never a skip).
"""

from __future__ import annotations

import struct
from dataclasses import replace
from pathlib import Path

import pytest
import spl.token.instructions as token_ix
from solders import litesvm
from solders.account import Account
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from solders.transaction import VersionedTransaction

from dispatch_chain.hashing import keccak256
from dispatch_chain.settings import Settings
from dispatch_chain.solana import errors as E
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.bridge import (
    BPF_LOADER_UPGRADEABLE,
    BridgeClient,
    BridgeInputError,
    BridgeMessage,
    InitParams,
    chain_id,
    pad_evm_address,
)
from dispatch_chain.solana.client import TOKEN_PROGRAM
from dispatch_chain.solana.errors import decode_failure
from dispatch_chain.solana.programs import IdlProgram, error_tables

from support_bridge import solana_inbound

BRIDGE = "dispatch_bridge"
BOLT = 10**9
OUT_CAP = 10_000 * BOLT
IN_CAP = 1_000 * BOLT
QUEUE_DELAY = 3_600
T0 = 1_750_000_000
PEER = "0x" + "42" * 20
SOLANA_CHAIN = "solana:localnet"
EVM_CHAIN = "eip155:31337"


def _so_path() -> Path:
    """``dispatch_bridge.so`` in ``DISPATCH_SBF_V0_DIR``: the SBPF v0 build ./dev setup makes (solders' LiteSVM cannot load v3)."""
    folder = Settings.from_env().sbf_v0_dir
    if not folder or not (Path(folder) / f"{BRIDGE}.so").exists():
        pytest.fail(f"no SBF build of {BRIDGE} in DISPATCH_SBF_V0_DIR={folder!r}: run the tests through ./dev", pytrace=False)
    return Path(folder) / f"{BRIDGE}.so"


SO = _so_path()


class Chain:
    """solders' LiteSVM with dispatch_bridge deployed upgradeable (authority ``admin``) and BOLT."""

    def __init__(self) -> None:
        self.program = IdlProgram.load(BRIDGE)
        self.bridge = BridgeClient(None, self.program)
        self.errors = error_tables([self.program])
        self.svm = litesvm.LiteSVM()
        self.admin = self.funded()
        self._deploy(self.admin.pubkey())
        self.set_time(T0)
        self.mint = Keypair()
        rent = self.svm.minimum_balance_for_rent_exemption(82)
        self.ok([create_account(CreateAccountParams(from_pubkey=self.admin.pubkey(), to_pubkey=self.mint.pubkey(),
                                                    lamports=rent, space=82, owner=TOKEN_PROGRAM)),
                 token_ix.initialize_mint(token_ix.InitializeMintParams(
                     decimals=9, program_id=TOKEN_PROGRAM, mint=self.mint.pubkey(),
                     mint_authority=self.admin.pubkey(), freeze_authority=None))], self.admin, [self.mint])

    def _deploy(self, authority: Pubkey) -> None:
        """Loader-v3 accounts written directly: ProgramData (tag 3, slot, Some(authority), ELF), then Program."""
        program_id = self.program.program_id
        elf = SO.read_bytes()
        meta = struct.pack("<IQB", 3, 0, 1) + bytes(authority)
        data = meta + elf
        self.svm.set_account(self.bridge.program_data_address, Account(
            self.svm.minimum_balance_for_rent_exemption(len(data)), data, BPF_LOADER_UPGRADEABLE, False))
        program = struct.pack("<I", 2) + bytes(self.bridge.program_data_address)
        self.svm.set_account(program_id, Account(self.svm.minimum_balance_for_rent_exemption(len(program)), program,
                                                 BPF_LOADER_UPGRADEABLE, True))

    def funded(self) -> Keypair:
        keypair = Keypair()
        self.svm.airdrop(keypair.pubkey(), 10 * 10**9)
        return keypair

    def set_time(self, unix_timestamp: int) -> None:
        clock = self.svm.get_clock()
        clock.unix_timestamp = unix_timestamp
        clock.slot = clock.slot + 1
        self.svm.set_clock(clock)

    def send(self, instructions: list[Instruction], payer: Keypair, signers: list[Keypair] = ()):
        message = Message.new_with_blockhash(instructions, payer.pubkey(), self.svm.latest_blockhash())
        result = self.svm.send_transaction(VersionedTransaction(message, [payer, *signers]))
        self.svm.expire_blockhash()
        return result

    def ok(self, instructions: list[Instruction], payer: Keypair, signers: list[Keypair] = ()):
        result = self.send(instructions, payer, signers)
        assert not hasattr(result, "err"), "\n".join(result.meta().logs())
        return result

    def fails(self, instructions: list[Instruction], payer: Keypair, expected: type[E.ProgramError],
              signers: list[Keypair] = ()) -> E.SolanaTransactionError:
        """Sends, expects a failure, and decodes it as SolanaClient does; it must be ``expected``."""
        result = self.send(instructions, payer, signers)
        assert hasattr(result, "err"), f"expected {expected.__name__}, the transaction succeeded"
        error = decode_failure(result.err(), result.meta().logs(), [str(ix.program_id) for ix in instructions],
                               self.errors, token_programs=[str(TOKEN_PROGRAM)])
        assert type(error) is expected, f"{type(error).__name__}: {error}"
        return error

    def data(self, address: Pubkey) -> bytes:
        account = self.svm.get_account(address)
        assert account is not None, f"no account {address}"
        return bytes(account.data)

    def balance(self, token_account: Pubkey) -> int:
        account = self.svm.get_account(token_account)
        return 0 if account is None else struct.unpack_from("<Q", bytes(account.data), 64)[0]

    def holder(self, amount: int) -> Keypair:
        owner = self.funded()
        self.ok([token_ix.create_idempotent_associated_token_account(self.admin.pubkey(), owner.pubkey(),
                                                                      self.mint.pubkey()),
                 token_ix.mint_to(token_ix.MintToParams(program_id=TOKEN_PROGRAM, mint=self.mint.pubkey(),
                                                        dest=associated_token_account(owner.pubkey(),
                                                                                      self.mint.pubkey()),
                                                        mint_authority=self.admin.pubkey(), amount=amount))],
                self.admin)
        return owner


def params(attesters: list[Pubkey], pauser: Pubkey, threshold: int = 2) -> InitParams:
    return InitParams(pauser=pauser, chain_id=chain_id(SOLANA_CHAIN), peer_chain_id=chain_id(EVM_CHAIN),
                      peer_bridge=pad_evm_address(PEER), attesters=tuple(attesters), threshold=threshold,
                      outbound_capacity=OUT_CAP, inbound_capacity=IN_CAP, queue_delay=QUEUE_DELAY)


@pytest.fixture()
def chain() -> Chain:
    return Chain()


@pytest.fixture()
def live(chain):
    """Initialised 2-of-3, with a user holding 100 000 BOLT."""
    chain.attesters = [chain.funded() for _ in range(3)]
    chain.pauser = chain.funded()
    chain.ok([chain.bridge.initialize_instruction(chain.admin.pubkey(), chain.mint.pubkey(),
                                                  params([a.pubkey() for a in chain.attesters],
                                                         chain.pauser.pubkey()))], chain.admin)
    chain.user = chain.holder(100_000 * BOLT)
    return chain


def inbound(sequence: int, amount: int, recipient: Pubkey, **changes) -> BridgeMessage:
    return solana_inbound(sequence, amount, recipient, evm_chain=EVM_CHAIN, solana_chain=SOLANA_CHAIN, peer=PEER,
                          **changes)


def test_the_encoder_matches_the_rust_vectors():
    message = BridgeMessage(1, 1, chain_id(EVM_CHAIN), pad_evm_address("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
                            7, 1_500_000_000, pad_evm_address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
                            bytes(range(1, 33)), chain_id("solana:localnet"))
    encoded = message.encode()
    assert len(encoded) == 178 and BridgeMessage.decode(encoded) == message
    # The same digest as programs/dispatch_bridge/tests/bridge.rs asserts.
    assert message.digest.hex() == "bd3bf2326cb41099e82ebc1cef46e55b0b4c0512323f3d473823c3457ba9bcac"
    assert message.digest == keccak256(encoded)
    with pytest.raises(BridgeInputError, match="amount"):
        BridgeMessage(1, 1, bytes(32), bytes(32), 0, 2**64, bytes(32), bytes(32), bytes(32))
    with pytest.raises(BridgeInputError, match="recipient"):
        BridgeMessage(1, 1, bytes(32), bytes(32), 0, 1, bytes(32), bytes(31), bytes(32))
    with pytest.raises(BridgeInputError, match="20 bytes"):
        pad_evm_address("0x1234")


def test_initialize_is_for_the_upgrade_authority_and_reads_back(chain):
    attesters = [Keypair().pubkey() for _ in range(3)]
    pauser = Keypair().pubkey()
    stranger = chain.funded()
    ix = chain.bridge.initialize_instruction(stranger.pubkey(), chain.mint.pubkey(), params(attesters, pauser))
    error = chain.fails([ix], stranger, E.Unauthorized)
    assert error.code == 6000 and error.program == str(chain.program.program_id)
    chain.fails([chain.bridge.initialize_instruction(chain.admin.pubkey(), chain.mint.pubkey(),
                                                     params(attesters, pauser, threshold=4))],
                chain.admin, E.InvalidThreshold)
    chain.ok([chain.bridge.initialize_instruction(chain.admin.pubkey(), chain.mint.pubkey(),
                                                  params(attesters, pauser))], chain.admin)
    config = chain.bridge.decode_config(chain.data(chain.bridge.config_address))
    assert (config.admin, config.pending_admin, config.pauser, config.paused) == (chain.admin.pubkey(), None, pauser,
                                                                                   False)
    assert (config.mint, config.custody) == (chain.mint.pubkey(), chain.bridge.custody_address)
    assert (config.chain_id, config.peer_chain_id, config.peer_bridge) == (
        chain_id(SOLANA_CHAIN), chain_id(EVM_CHAIN), pad_evm_address(PEER))
    assert (config.attesters, config.threshold, config.next_sequence) == (tuple(attesters), 2, 0)
    assert (config.outbound_limit.capacity, config.outbound_limit.level) == (OUT_CAP, OUT_CAP)
    assert (config.inbound_limit.available(T0 + 10), config.queue_delay) == (IN_CAP, QUEUE_DELAY)


def test_lock_records_the_message_the_python_encoder_predicts(live):
    bridge, user = live.bridge, live.user
    recipient = "0x" + "ab" * 20
    ix = bridge.lock_instruction(user.pubkey(), 250 * BOLT, recipient, sequence=0, mint=live.mint.pubkey())
    live.ok([ix], user)
    record = bridge.decode_outbound(bridge.outbound_address(0), live.data(bridge.outbound_address(0)))
    expected = BridgeMessage(1, 1, chain_id(SOLANA_CHAIN), bytes(live.program.program_id), 0, 250 * BOLT,
                             bytes(user.pubkey()), pad_evm_address(recipient), chain_id(EVM_CHAIN))
    assert record.message == expected
    assert record.digest == expected.digest, "the program's keccak of its encoding = Python's"
    assert record.locked_at == T0
    assert live.balance(bridge.custody_address) == 250 * BOLT

    mint = live.mint.pubkey()
    live.fails([bridge.lock_instruction(user.pubkey(), 0, recipient, sequence=1, mint=mint)], user, E.ZeroAmount)
    live.fails([bridge.lock_instruction(user.pubkey(), BOLT, bytes(20), sequence=1, mint=mint)], user,
               E.MalformedRecipient)
    live.fails([bridge.lock_instruction(user.pubkey(), OUT_CAP, recipient, sequence=1, mint=mint)], user,
               E.RateLimited)
    error = live.fails([bridge.lock_instruction(user.pubkey(), BOLT, recipient, sequence=0, mint=mint)], user,
                       E.AnchorConstraintError)
    assert error.name == "ConstraintSeeds", "sequence 0 is taken: the record of the next sequence is required"
    live.ok([bridge.pause_instruction(live.pauser.pubkey())], live.pauser)
    live.fails([bridge.lock_instruction(user.pubkey(), BOLT, recipient, sequence=1, mint=mint)], user, E.Paused)


def test_admin_calls_and_their_typed_errors(live):
    bridge, admin = live.bridge, live.admin
    stranger = live.funded()
    live.fails([bridge.set_threshold_instruction(stranger.pubkey(), 1)], stranger, E.Unauthorized)
    live.fails([bridge.set_threshold_instruction(admin.pubkey(), 0)], admin, E.InvalidThreshold)
    live.fails([bridge.set_limits_instruction(admin.pubkey(), 1, 1, -1)], admin, E.InvalidLimits)
    live.fails([bridge.set_attesters_instruction(admin.pubkey(), [Pubkey.default(), Keypair().pubkey()])], admin,
               E.InvalidAttesters)
    live.fails([bridge.accept_admin_instruction(stranger.pubkey())], stranger, E.NoPendingAdmin)
    live.fails([bridge.unpause_instruction(live.pauser.pubkey())], live.pauser, E.Unauthorized)

    new_attesters = [Keypair().pubkey() for _ in range(4)]
    live.ok([bridge.set_attesters_instruction(admin.pubkey(), new_attesters),
             bridge.set_threshold_instruction(admin.pubkey(), 3),
             bridge.set_limits_instruction(admin.pubkey(), 5 * BOLT, 6 * BOLT, 60),
             bridge.set_pauser_instruction(admin.pubkey(), stranger.pubkey()),
             bridge.pause_instruction(stranger.pubkey()),
             bridge.unpause_instruction(admin.pubkey()),
             bridge.propose_admin_instruction(admin.pubkey(), stranger.pubkey()),
             bridge.accept_admin_instruction(stranger.pubkey())], admin, [stranger])
    config = bridge.decode_config(live.data(bridge.config_address))
    assert (config.attesters, config.threshold, config.pauser, config.paused) == (tuple(new_attesters), 3,
                                                                                 stranger.pubkey(), False)
    assert (config.outbound_limit.capacity, config.inbound_limit.capacity, config.queue_delay) == (5 * BOLT,
                                                                                                    6 * BOLT, 60)
    assert (config.admin, config.pending_admin) == (stranger.pubkey(), None)
    with pytest.raises(BridgeInputError):
        bridge.set_attesters_instruction(admin.pubkey(), [Keypair().pubkey() for _ in range(9)])


# -- the sending paths: BridgeClient's calls and init_bridge over the same LiteSVM -----------------


class LiteSvmClient:
    """The part of :class:`SolanaClient` BridgeClient and init_bridge use, served by the Chain's LiteSVM.

    Not a stand-in for the program: transactions run the real .so; only the
    JSON-RPC transport is replaced, so the clock can be moved (test_bridge_node.py uses the node).
    ``before_send`` runs just before each transaction, to interleave a competitor.
    """

    caip2 = "solana:litesvm"

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.idl_errors: dict[str, dict[int, str]] = {}
        self.before_send = None
        self.sent = 0

    def send(self, instructions, signers, *, payer=None, timeout=60.0):
        if self.before_send is not None:
            hook, self.before_send = self.before_send, None
            hook()
        payer = payer or signers[0]
        result = self.chain.send(list(instructions), payer, [s for s in signers if s.pubkey() != payer.pubkey()])
        self.sent += 1
        if hasattr(result, "err"):
            raise decode_failure(result.err(), result.meta().logs(), [str(ix.program_id) for ix in instructions],
                                 self.idl_errors, token_programs=[str(TOKEN_PROGRAM)])
        return str(result.signature()), self.chain.svm.get_clock().slot

    def account(self, pubkey, *, commitment=None):
        return self.accounts([pubkey], commitment=commitment)[0]

    def accounts(self, pubkeys, *, commitment=None):  # one SVM: every commitment is its state
        from dispatch_chain.solana.client import AccountData

        found = []
        for key in pubkeys:
            account = self.chain.svm.get_account(key)
            found.append(None if account is None or account.lamports == 0 else
                         AccountData(key, account.owner, account.lamports, bytes(account.data)))
        return found


@pytest.fixture()
def calls(live):
    """A BridgeClient sending through LiteSvmClient, on the initialised 2-of-3 bridge."""
    client = LiteSvmClient(live)
    live.client = client
    live.calls = BridgeClient(client, live.program)
    return live


def test_lock_retries_once_when_another_lock_takes_its_sequence(calls):
    bridge, user = calls.calls, calls.user
    other = calls.holder(10 * BOLT)

    def competitor() -> None:  # lands between lock's config read and its send
        bridge.lock(other, BOLT, "0x" + "01" * 20)

    calls.client.before_send = competitor
    record = bridge.lock(user, 2 * BOLT, "0x" + "02" * 20)
    assert (record.message.sequence, record.message.amount) == (1, 2 * BOLT)
    assert bridge.outbound(0).message.sender == bytes(other.pubkey())
    assert calls.client.sent == 3, "the competitor's lock, the failed attempt, the retry"


def test_admin_calls_through_the_client(calls):
    bridge, admin = calls.calls, calls.admin
    stranger = calls.funded()
    with pytest.raises(E.Unauthorized):
        bridge.unpause(calls.pauser)
    bridge.pause(calls.pauser)
    assert bridge.config().paused
    with pytest.raises(E.Paused):
        bridge.lock(calls.user, BOLT, "0x" + "ab" * 20)
    bridge.unpause(admin)
    keys = [Keypair().pubkey() for _ in range(3)]
    bridge.set_attesters(admin, keys)
    bridge.set_threshold(admin, 3)
    bridge.set_limits(admin, 7 * BOLT, 8 * BOLT, 9)
    bridge.set_pauser(admin, stranger.pubkey())
    bridge.propose_admin(admin, stranger.pubkey())
    bridge.accept_admin(stranger)
    config = bridge.config()
    assert (config.attesters, config.threshold, config.queue_delay, config.pauser, config.admin) == (
        tuple(keys), 3, 9, stranger.pubkey(), stranger.pubkey())
    assert (config.outbound_limit.capacity, config.inbound_limit.capacity) == (7 * BOLT, 8 * BOLT)
    with pytest.raises(E.Unauthorized):
        bridge.set_threshold(admin, 1)


def test_init_bridge_initialises_once_and_records_the_manifest(chain, tmp_path):
    import json

    from dispatch_chain.errors import ConfigError
    from dispatch_chain.solana.deploy import init_bridge

    client = LiteSvmClient(chain)
    manifest = tmp_path / "deployments.json"
    attesters = [Keypair().pubkey() for _ in range(3)]
    wanted = params(attesters, chain.admin.pubkey())
    messages: list[str] = []
    config = init_bridge(client, chain.admin, chain.mint.pubkey(), wanted, program_id=None, manifest=manifest,
                         network="local", progress=messages.append)
    assert (config.admin, config.attesters, config.threshold) == (chain.admin.pubkey(), tuple(attesters), 2)
    assert "2-of-3 attesters" in messages[0]
    recorded = json.loads(manifest.read_text())["solana"]
    assert recorded["programs"]["dispatch_bridge"] == str(chain.program.program_id)
    assert recorded["accounts"]["bridge_config"] == str(chain.bridge.config_address)
    assert recorded["accounts"]["bridge_custody"] == str(chain.bridge.custody_address)

    sent = client.sent
    init_bridge(client, chain.admin, chain.mint.pubkey(), wanted, program_id=None, manifest=manifest,
                network="local", progress=messages.append)
    assert client.sent == sent and messages[-1] == "dispatch_bridge already initialised"
    other_peer = replace(wanted, peer_bridge=pad_evm_address("0x" + "99" * 20))
    with pytest.raises(ConfigError, match="peer bridge"):
        init_bridge(client, chain.admin, chain.mint.pubkey(), other_peer, program_id=None, manifest=manifest,
                    network="local", progress=messages.append)
    with pytest.raises(ConfigError, match="not deployed"):
        init_bridge(client, chain.admin, chain.mint.pubkey(), wanted, program_id=str(Keypair().pubkey()),
                    manifest=manifest, network="local", progress=messages.append)
