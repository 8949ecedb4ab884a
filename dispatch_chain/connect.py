"""Building chain clients from a network profile and its deployments manifest.

The one place that knows how configuration becomes connected objects; the
CLI, the demo and coordinators call these instead of wiring web3 themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from dispatch_chain.bridge.evm import EvmBoltBridge
from dispatch_chain.bridge.tiers import WrappedTierReader
from dispatch_chain.config import NetworkProfile
from dispatch_chain.deployments import Manifest, load_manifest
from dispatch_chain.erc8004 import feedback
from dispatch_chain.erc8004.identity import IdentityRegistryClient, IdentityResolver
from dispatch_chain.erc8004.reader import ReputationReader
from dispatch_chain.errors import ConfigError
from dispatch_chain.evm.anchor import EvmReceiptAnchor
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.outbox import Outbox
from dispatch_chain.evm.pipeline import PipelineConfig, TxPipeline
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.governance.evm import EvmGovernance
from dispatch_chain.governance.reader import CachedParams
from dispatch_chain.governance.solana import GOVERNANCE, GovernanceReceiver
from dispatch_chain.keys import load_evm_account, load_solana_keypair
from dispatch_chain.locks import WriterLock, account_lock_path
from dispatch_chain.payments.prices import GovernedPrices, PriceSource, WhitepaperPrices
from dispatch_chain.rewards.program import REWARDS, RewardsClient
from dispatch_chain.settings import Settings
from dispatch_chain.solana.anchor import SolanaReceiptAnchor
from dispatch_chain.solana.bridge import BridgeClient
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.programs import ANCHOR, BRIDGE, PROGRAMS, SETTLEMENT, STAKING, IdlProgram, error_tables
from dispatch_chain.solana.settlement import SettlementClient
from dispatch_chain.solana.staking import StakingClient, TierReader
from dispatch_chain.solana.vesting import VESTING, VestingClient

ACCOUNT_HINT = (
    "give each writer its own EVM account: DISPATCH_ANCHOR_ACCOUNT (or `anchor run --account`)"
    " for the anchoring service, DISPATCH_FEEDBACK_ACCOUNT (or `reputation send --account`) for the"
    " feedback sender, DISPATCH_FACILITATOR_ACCOUNT (or `x402 facilitator --evm-account`) for the x402"
    " facilitator"
)


@dataclass
class Connections:
    """Lazily connected clients for one network profile."""

    profile: NetworkProfile
    evm_account_spec: str | None = None
    solana_keypair_path: str | None = None

    @cached_property
    def manifest(self) -> Manifest:
        return load_manifest(self.profile.manifest)

    def reload_manifest(self) -> Manifest:
        """Read the manifest again (after a deploy step wrote to it)."""
        self.__dict__.pop("manifest", None)
        return self.manifest

    @cached_property
    def evm(self) -> EvmClient:
        if self.profile.evm is None:
            raise ConfigError(f"network {self.profile.name!r} has no EVM chain configured")
        return EvmClient(self.profile.evm)

    @cached_property
    def evm_sender(self) -> TxSender:
        account = load_evm_account(self.evm_account_spec, chain_id=self.evm.network.chain_id)
        return TxSender(self.evm, account)

    def evm_account_lock(self, role: str) -> WriterLock:
        """The single-writer lock of this profile's EVM account on this chain (not yet acquired).

        Every writer process takes it, so the anchoring service and the feedback sender cannot sign
        with one account at once (each keeps its own view of the nonces). Lock files live in
        ``DISPATCH_LOCK_DIR``, default ``<tmp>/dispatch-chain-locks``.
        """
        address = self.evm_sender.address
        genesis = bytes(self.evm.w3.eth.get_block("earliest")["hash"]).hex()
        path = account_lock_path(self.evm.network.chain_id, genesis, address, Settings.from_env().lock_dir)
        return WriterLock(path, f"{role} with EVM account {address}", hint=ACCOUNT_HINT)

    def receipt_anchor(self, *, writable: bool = False, max_fee_per_gas: int | None = None) -> EvmReceiptAnchor:
        deployment = self.manifest.require_evm().contract("ReceiptAnchor")
        self._check_chain()
        return EvmReceiptAnchor(
            self.evm,
            deployment.address,
            deploy_block=deployment.block or 0,
            sender=self.evm_sender if writable else None,
            max_fee_per_gas=max_fee_per_gas,
        )

    def identity_registry(self) -> IdentityRegistryClient:
        deployment = self.manifest.require_evm().contract("IdentityRegistry")
        self._check_chain()
        return IdentityRegistryClient(self.evm, deployment.address, deploy_block=deployment.block or 0)

    def identity_resolver(self, cache: str | Path | None = None) -> IdentityResolver:
        """The pubkey -> agentId resolver, cached in run/<network>/identity-cache.sqlite by default."""
        return IdentityResolver(self.identity_registry(), cache or run_dir(self.profile) / "identity-cache.sqlite")

    def reputation_sender(
        self, outbox: Outbox, resolver: IdentityResolver, config: PipelineConfig | None = None
    ) -> TxPipeline:
        """The pipelined feedback sender of this profile's EVM account (use its own account: see ACCOUNT_HINT)."""
        deployment = self.manifest.require_evm().contract("ReputationRegistry")
        sender = self.evm_sender
        handlers = feedback.handlers(
            self.evm, deployment.address, resolver, outbox, sender.address, deploy_block=deployment.block or 0
        )
        return TxPipeline(self.evm, sender.account, outbox, handlers, config)

    def reputation_reader(self, clients: list[str] | None = None, *, ttl: float = 30.0) -> ReputationReader:
        """Summaries over ``clients``, else the profile's reputation_clients, else this account."""
        deployment = self.manifest.require_evm().contract("ReputationRegistry")
        chosen = list(clients or self.profile.reputation_clients)
        if not chosen:
            chosen = [self.evm_sender.address]
        return ReputationReader(self.evm, deployment.address, chosen, ttl=ttl)

    # -- the bridge, Monad side -------------------------------------------------------------

    def bolt_bridge(self) -> EvmBoltBridge:
        """The BoltBridge the manifest records (writes take a TxSender, e.g. ``evm_sender``)."""
        deployment = self.manifest.require_evm().contract("BoltBridge")
        self._check_chain()
        return EvmBoltBridge(self.evm, deployment.address, deploy_block=deployment.block or 0)

    def wrapped_tier_reader(
        self, *, verified: int | None = None, sentinel: int | None = None, ttl: float = 30.0
    ) -> WrappedTierReader:
        """Stake tiers from wrapped BOLT balances on Monad.

        Thresholds: ``verified``/``sentinel`` when given; else ProtocolParams' (cached for ``ttl``)
        when the manifest records governance; else the whitepaper's.
        """
        evm = self.manifest.require_evm()
        deployment = evm.contract("WrappedBolt")
        self._check_chain()
        governed = verified is None and sentinel is None and "ProtocolParams" in evm.contracts
        return WrappedTierReader(
            self.evm,
            deployment.address,
            verified=verified,
            sentinel=sentinel,
            thresholds=self.protocol_params(ttl=ttl) if governed else None,
            ttl=ttl,
        )

    # -- governance (Monad) -------------------------------------------------------------

    def governance(self) -> EvmGovernance:
        """The DispatchGovernor and ProtocolParams the manifest records (deploy_governance)."""
        evm = self.manifest.require_evm()
        governor, params = evm.contract("DispatchGovernor"), evm.contract("ProtocolParams")
        self._check_chain()
        return EvmGovernance(self.evm, governor.address, params.address)

    def protocol_params(self, *, ttl: float = 30.0) -> CachedParams:
        """The governed parameters (fee, tiers, prices) for a coordinator, re-read every ``ttl`` seconds."""
        return CachedParams(self.governance(), ttl=ttl)

    def price_source(self, *, ttl: float = 30.0) -> PriceSource:
        """The job price table: ProtocolParams' when the manifest records governance, else the whitepaper's."""
        evm = self.manifest.evm  # a manifest of the Solana side alone has no governance on Monad
        if evm is not None and "ProtocolParams" in evm.contracts:
            return GovernedPrices(self.protocol_params(ttl=ttl))
        return WhitepaperPrices()

    # -- Solana ---------------------------------------------------------------------------

    def solana_program(self, name: str) -> IdlProgram:
        """A Dispatch program at the id the manifest records (else the IDL's)."""
        manifest = self.manifest if self.profile.manifest.exists() else None  # none yet before the first deploy
        deployed = manifest.solana.programs.get(name) if manifest and manifest.solana else None
        return IdlProgram.load(name, deployed)

    @cached_property
    def solana(self) -> SolanaClient:
        if self.profile.solana is None:
            raise ConfigError(f"network {self.profile.name!r} has no Solana cluster configured")
        programs = [self.solana_program(name) for name in (*PROGRAMS, BRIDGE, VESTING, REWARDS)]
        return SolanaClient(self.profile.solana, idl_errors=error_tables(programs))

    @cached_property
    def solana_keypair(self):  # -> solders Keypair
        path = self.solana_keypair_path or Settings.from_env().solana_keypair
        if not path:
            raise ConfigError("no Solana keypair: set DISPATCH_SOLANA_KEYPAIR to a solana-keygen JSON file")
        return load_solana_keypair(path)

    def staking(self) -> StakingClient:
        return StakingClient(self.solana, self.solana_program(STAKING))

    def settlement(self) -> SettlementClient:
        return SettlementClient(self.solana, self.solana_program(SETTLEMENT))

    def solana_bridge(self) -> BridgeClient:
        """dispatch_bridge (the Solana side of the BOLT bridge) at the manifest's id."""
        return BridgeClient(self.solana, self.solana_program(BRIDGE))

    def rewards(self) -> RewardsClient:
        """dispatch_rewards (the worker-rewards vault and its epochs) at the manifest's id."""
        return RewardsClient(self.solana, self.solana_program(REWARDS))

    def governance_receiver(self) -> GovernanceReceiver:
        """dispatch_governance (the receiver and its treasury vault) at the manifest's id."""
        return GovernanceReceiver(self.solana, self.solana_program(GOVERNANCE))

    def vesting(self) -> VestingClient:
        """dispatch_vesting (the genesis schedules and locks) at the manifest's id."""
        return VestingClient(self.solana, self.solana_program(VESTING))

    def tier_reader(self, *, ttl: float = 30.0) -> TierReader:
        return TierReader(self.staking(), ttl=ttl)

    def solana_anchor(self, *, writable: bool = False) -> SolanaReceiptAnchor:
        return SolanaReceiptAnchor(self.solana, self.solana_program(ANCHOR), self.solana_keypair if writable else None)

    def _check_chain(self) -> None:
        evm = self.manifest.require_evm()
        if evm.chain_id != self.evm.network.chain_id:
            raise ConfigError(
                f"manifest {self.profile.manifest} is for chain {evm.chain_id}, but the network is "
                f"{self.evm.network.chain_id}"
            )


def run_dir(profile: NetworkProfile) -> Path:
    """Where a network's local state lives unless told otherwise: ./run/<network>/."""
    return Path("run") / profile.name


def default_store_path(profile: NetworkProfile) -> Path:
    """The anchoring store: ./run/<network>/anchoring.sqlite unless told otherwise."""
    return run_dir(profile) / "anchoring.sqlite"


def default_outbox_path(profile: NetworkProfile) -> Path:
    """The reputation outbox: ./run/<network>/reputation-outbox.sqlite unless told otherwise."""
    return run_dir(profile) / "reputation-outbox.sqlite"
