"""Both halves of the bridge on real local chains: BoltBridge on an anvil of its own, dispatch_bridge on dispatch-solana-node.

The anvil is not ape's: ape reverts its chain between tests, and the Solana
node cannot follow, so both chains here only ever move forward.

The Solana node models commitment levels (confirm and finalize depths on fast
slots), so the Solana -> Monad attesters really wait for ``finalized``.
Attesters: EVM dev accounts 2, 3, 4 on Monad, three fresh keypairs on Solana;
threshold 2 on both sides.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.bridge.attester import AttesterService
from dispatch_chain.bridge.deploy import create_address
from dispatch_chain.bridge.evm import EvmBoltBridge
from dispatch_chain.bridge.evm_attester import EvmAttestationTarget, EvmMessageSource, EvmRelayer
from dispatch_chain.bridge.message import chain_id_hash
from dispatch_chain.bridge.solana_attester import SolanaAttestationTarget, SolanaMessageSource, SolanaRelayer
from dispatch_chain.bridge.solana_supply import read_bridge_supply
from dispatch_chain.bridge.store import AttesterStore
from dispatch_chain.bridge.supply import SupplyReport, executed_on_monad, read_monad_supply, supply_report
from dispatch_chain.config import SolanaNetwork
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil, SolanaNode
from dispatch_chain.solana.bolt import associated_token_account, create_bolt, token_balance, whitepaper_allocations
from dispatch_chain.solana.bridge import BridgeClient, InitParams, chain_id, pad_evm_address
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.programs import BRIDGE, IdlProgram, error_tables

from support import dev_network
from support_bridge import deploy_with_web3

SOL = 10**9
BOLT = 10**9
SLOT_MS = 50
CONFIRM_DEPTH = 2
FINALIZE_DEPTH = 24  # 1.2 s of slots: long enough to see, short enough for CI
EVM_ATTESTERS = (2, 3, 4)
THRESHOLD = 2


EVM_CHAIN_ID = 31339


def evm_node() -> Anvil:
    return Anvil(chain_id=EVM_CHAIN_ID)


def solana_node(log_dir: Path) -> SolanaNode:
    return SolanaNode(slot_ms=SLOT_MS, confirm_depth=CONFIRM_DEPTH, finalize_depth=FINALIZE_DEPTH,
                      log_path=log_dir / "node.log")


def funded(solana: SolanaClient, lamports: int = 10 * SOL) -> Keypair:
    keypair = Keypair()
    solana.airdrop(keypair.pubkey(), lamports)
    return keypair


@dataclass
class Route:
    """Both bridges, peered, with everything the tests drive."""

    node: SolanaNode
    solana: SolanaClient
    sol_bridge: BridgeClient
    mint: Pubkey
    holder: Keypair  # holds the BOLT supply on Solana
    sol_attesters: list[Keypair]
    evm: EvmClient
    evm_bridge: EvmBoltBridge
    caip2: str
    stores: Path
    services: dict[str, AttesterService] = field(default_factory=dict)

    # -- services, each with its own key and store ------------------------------------------------

    def to_monad_attester(self, index: int, *, name: str | None = None) -> AttesterService:
        """Solana -> Monad attester ``index`` (EVM dev account 2 + index)."""
        store = AttesterStore(self.stores / (name or f"to-monad-{index}.sqlite"))
        target = EvmAttestationTarget(self.evm_bridge, TxSender(self.evm, dev_account(EVM_ATTESTERS[index])))
        return AttesterService(store, SolanaMessageSource(self.sol_bridge), target, confirm_timeout=30)

    def to_solana_attester(self, index: int, *, name: str | None = None, target=None) -> AttesterService:
        store = AttesterStore(self.stores / (name or f"to-solana-{index}.sqlite"))
        target = target or SolanaAttestationTarget(self.sol_bridge, self.sol_attesters[index])
        return AttesterService(store, EvmMessageSource(self.evm_bridge, confirmations=0), target, confirm_timeout=30)

    def evm_relayer(self, store: AttesterStore) -> EvmRelayer:
        return EvmRelayer(self.evm_bridge, TxSender(self.evm, dev_account(9)), store)

    def solana_relayer(self) -> SolanaRelayer:
        return SolanaRelayer(self.sol_bridge, self.holder)

    # -- reads ------------------------------------------------------------------------------------

    def audit(self) -> SupplyReport:
        """The invariant as `bridge audit` computes it: Solana first, then Monad."""
        solana = read_bridge_supply(self.sol_bridge)
        monad = read_monad_supply(self.evm_bridge)
        return supply_report(monad, custody=solana.custody, released_on_solana=solana.released,
                             locked_on_solana=solana.locked,
                             minted_on_monad=executed_on_monad(self.evm_bridge, solana.locked))

    def bolt_of(self, owner: Pubkey) -> int:
        return token_balance(self.solana, associated_token_account(owner, self.mint)) or 0

    def evm_sender(self, index: int) -> TxSender:
        return TxSender(self.evm, dev_account(index))

    def wbolt_of(self, address: str) -> int:
        return int(self.evm_bridge.token.functions.balanceOf(address).call())

    def mine(self) -> None:
        """A new EVM block: anvil's clock (block timestamps) only moves when a block is mined, Monad's always."""
        self.evm.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    def wait_finalized(self, slot: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.solana.slot("finalized") < slot:
            assert time.monotonic() < deadline, f"slot {slot} not finalized within {timeout} s"
            time.sleep(SLOT_MS / 1000)


def build_route(project, anvil: Anvil, node: SolanaNode, stores: Path, *, inbound_limit: int = 1_000 * BOLT,
                outbound_limit: int = 1_000 * BOLT, queue_delay: int = 2, sol_inbound: int = 1_000 * BOLT,
                sol_outbound: int = 1_000 * BOLT, sol_queue_delay: int = 2) -> Route:
    program = IdlProgram.load(BRIDGE)
    solana = SolanaClient(SolanaNetwork(rpc_url=node.url), idl_errors=error_tables([program]))
    sol_bridge = BridgeClient(solana, program)
    caip2 = solana.caip2
    evm = EvmClient(dev_network(anvil.url, EVM_CHAIN_ID))
    deployer = dev_account(0).address
    bridge_address = create_address(deployer, evm.w3.eth.get_transaction_count(deployer) + 1)
    token = deploy_with_web3(evm, "WrappedBolt", project.WrappedBolt.contract_type.deployment_bytecode.bytecode,
                             bridge_address)
    bridge = deploy_with_web3(evm, "BoltBridge", project.BoltBridge.contract_type.deployment_bytecode.bytecode,
                              0, deployer, dev_account(1).address, token, chain_id_hash(caip2),
                              bytes(program.program_id), [dev_account(i).address for i in EVM_ATTESTERS], THRESHOLD,
                              inbound_limit, outbound_limit, queue_delay)
    assert bridge == bridge_address
    evm_bridge = EvmBoltBridge(evm, bridge, deploy_block=evm.w3.eth.block_number)

    owners = {name: Keypair() for name in _allocations()}
    holder, mint = funded(solana, 50 * SOL), Keypair()
    owners["community"] = holder  # the largest allocation: plenty for every test
    create_bolt(solana, holder, mint, whitepaper_allocations({name: k.pubkey() for name, k in owners.items()}))
    sol_attesters = [funded(solana) for _ in range(3)]
    sol_bridge.initialize(node.deployer, mint.pubkey(), InitParams(
        pauser=node.deployer.pubkey(), chain_id=chain_id(caip2), peer_chain_id=chain_id(f"eip155:{EVM_CHAIN_ID}"),
        peer_bridge=pad_evm_address(bridge), attesters=tuple(k.pubkey() for k in sol_attesters),
        threshold=THRESHOLD, outbound_capacity=sol_outbound, inbound_capacity=sol_inbound,
        queue_delay=sol_queue_delay))
    return Route(node, solana, sol_bridge, mint.pubkey(), holder, sol_attesters, evm, evm_bridge, caip2, stores)


def _allocations() -> list[str]:
    from dispatch_chain.protocol import DISTRIBUTION

    return [name for name, _ in DISTRIBUTION]
