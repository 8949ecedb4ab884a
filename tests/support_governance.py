"""Helpers of the governance tests (tests/governance/): the stack on anvil and a proposal driver."""

from __future__ import annotations

from dataclasses import dataclass

from dispatch_chain.governance.params import DEFAULT_PARAMS, job_type_word
from dispatch_chain.governance.roles import CANCELLER_ROLE, DEFAULT_ADMIN_ROLE, EXECUTOR_ROLE, PROPOSER_ROLE
from dispatch_chain.hashing import keccak256

from support_bridge import Inbound

# Local profile in seconds, as docs/governance.md describes.
VOTING_DELAY = 10
VOTING_PERIOD = 100
TIMELOCK_DELAY = 50
EXECUTION_WINDOW = 200
QUORUM_PERCENT = 4
PROPOSAL_THRESHOLD = 10**9  # 1 wBOLT


# IGovernor.ProposalState
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)
AGAINST, FOR, ABSTAIN = 0, 1, 2


def default_prices() -> list[tuple[bytes, int]]:
    return [(job_type_word(name), price) for name, price in DEFAULT_PARAMS.prices.items()]


def deploy_params(project, deployer, owner):
    d = DEFAULT_PARAMS
    return deployer.deploy(project.ProtocolParams, owner, d.fee_bps, d.verified_threshold, d.sentinel_threshold,
                           d.unstake_cooldown, default_prices())


def deploy_stack(project, deployer, token, *, timelock_delay=TIMELOCK_DELAY):
    """DispatchTimelock + DispatchGovernor + ProtocolParams owned by the timelock; the deployer keeps nothing."""
    timelock = deployer.deploy(project.DispatchTimelock, timelock_delay, [], [], deployer)
    governor = deployer.deploy(project.DispatchGovernor, token, timelock, VOTING_DELAY, VOTING_PERIOD,
                               PROPOSAL_THRESHOLD, QUORUM_PERCENT, EXECUTION_WINDOW)
    for role in (PROPOSER_ROLE, CANCELLER_ROLE, EXECUTOR_ROLE):
        timelock.grantRole(role, governor, sender=deployer)
    timelock.renounceRole(DEFAULT_ADMIN_ROLE, deployer, sender=deployer)
    params = deploy_params(project, deployer, timelock)
    return timelock, governor, params


def mint(bridge, attesters, inbound: Inbound, holder, amount: int) -> None:
    message = inbound.message(holder.address, amount)
    for attester in attesters[:2]:
        bridge.attest(message.encode(), sender=attester)


@dataclass
class Proposal:
    """One proposal's calls and description, and the governor calls that drive it."""

    governor: object
    targets: list[str]
    calldatas: list[bytes]
    description: str

    @property
    def values(self) -> list[int]:
        return [0] * len(self.targets)

    @property
    def description_hash(self) -> bytes:
        return keccak256(self.description.encode())

    @property
    def id(self) -> int:
        return self.governor.hashProposal(self.targets, self.values, self.calldatas, self.description_hash)

    def propose(self, sender):
        return self.governor.propose(self.targets, self.values, self.calldatas, self.description, sender=sender)

    def queue(self, sender):
        return self.governor.queue(self.targets, self.values, self.calldatas, self.description_hash, sender=sender)

    def execute(self, sender):
        return self.governor.execute(self.targets, self.values, self.calldatas, self.description_hash, sender=sender)

    def cancel(self, sender):
        return self.governor.cancel(self.targets, self.values, self.calldatas, self.description_hash, sender=sender)

    def state(self) -> int:
        return self.governor.state(self.id)


def advance(chain, seconds: int) -> None:
    """Mine one block ``seconds`` after the head."""
    chain.mine(1, timestamp=chain.blocks.head.timestamp + seconds)


SOL = 10**9


def funded(solana, lamports: int = 10 * SOL):
    """A new Solana keypair with ``lamports`` (airdropped by the local node)."""
    from solders.keypair import Keypair

    keypair = Keypair()
    solana.airdrop(keypair.pubkey(), lamports)
    return keypair


def bolt_mint(solana):
    """A BOLT mint distributed per the whitepaper (the staking bound needs a supply); its pubkey.

    As at genesis, the treasury goes into the governance receiver's vault (its config PDA's token
    account), which exists before the receiver is initialised."""
    from solders.keypair import Keypair

    from dispatch_chain.governance.solana import GovernanceReceiver
    from dispatch_chain.protocol import DISTRIBUTION
    from dispatch_chain.solana.bolt import create_bolt, whitepaper_allocations

    payer, mint = funded(solana), Keypair()
    owners = {name: funded(solana, SOL).pubkey() for name, _ in DISTRIBUTION if name != "treasury"}
    owners["treasury"] = GovernanceReceiver(solana).config_address
    create_bolt(solana, payer, mint, whitepaper_allocations(owners))
    return mint.pubkey()


def record_governance(manifest, chain, params, governor) -> None:
    """Record ProtocolParams and DispatchGovernor in ``manifest`` (network local), as deploy_governance would."""
    from dispatch_chain.deployments import ContractDeployment, EvmDeployment, update_manifest

    def add_evm(m) -> None:
        m.evm = EvmDeployment(chain_id=chain.chain_id, contracts={
            "ProtocolParams": ContractDeployment(address=params.address, block=0),
            "DispatchGovernor": ContractDeployment(address=governor.address, block=0)})

    update_manifest(manifest, "local", add_evm)


def keyfile(path, keypair) -> str:
    """``keypair`` written as a solana-keygen JSON file (mode 600); its path."""
    import json

    path.write_text(json.dumps(list(bytes(keypair))))
    path.chmod(0o600)
    return str(path)
