"""Deploy the governance contracts on Monad and hand every Dispatch admin role to the timelock.

    ape run deploy_governance --network http://127.0.0.1:8545              # local anvil, seconds
    ape run deploy_governance --network http://127.0.0.1:8545 --keep-admin # local development mode
    MONAD_RPC_URL=https://testnet-rpc.monad.xyz \\
      ape run deploy_governance --network monad:testnet:node --account deployer
    ... later, once the admin-transfer delay has passed (1 day by default off local chains):
      ape run deploy_governance --network monad:testnet:node --account deployer --finish-handover

Deploys DispatchTimelock, DispatchGovernor (voting on the manifest's WrappedBolt) and
ProtocolParams (whitepaper defaults), then makes the timelock the only admin:
ProtocolParams is owned by it from its constructor, and ReceiptAnchor's and BoltBridge's
default admin move to it through their two-step, delayed default-admin transfer. The
timelock accepts those transfers itself: it is deployed with a zero delay and the
deployer as a bootstrap proposer/executor/admin, executes the acceptances, raises its
delay to the configured one, and the deployer then renounces every timelock role. After
that the governor is the timelock's only proposer, canceller and executor, and nobody
else holds an admin role (docs/governance.md checks this from the chain).

``--keep-admin`` (local chains only) deploys the same contracts but leaves the deployer
the owner of ProtocolParams and the admin of the existing contracts, for development.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
from ape import accounts, chain, networks, project

from dispatch_chain.config import ANVIL_CHAIN_ID, MONAD_TESTNET_CHAIN_ID
from dispatch_chain.deployments import EvmDeployment, Manifest, deployed_by, load_manifest, update_manifest
from dispatch_chain.governance.params import DEFAULT_PARAMS, job_type_word
from dispatch_chain.governance.roles import (
    CANCELLER_ROLE,
    DEFAULT_ADMIN_ROLE,
    EXECUTOR_ROLE,
    GOVERNED_CONTRACTS,
    PROPOSER_ROLE,
    GovernanceProfile,
)
from dispatch_chain.protocol import BOLT

NETWORK_NAMES = {ANVIL_CHAIN_ID: "local", MONAD_TESTNET_CHAIN_ID: "testnet"}


def _timelock_call(timelock, deployer, targets: list[str], calldatas: list[bytes], salt: bytes) -> None:
    """Schedule and execute a batch through the timelock with its (bootstrap) zero delay."""
    values = [0] * len(targets)
    timelock.scheduleBatch(targets, values, calldatas, bytes(32), salt, 0, sender=deployer)
    timelock.executeBatch(targets, values, calldatas, bytes(32), salt, sender=deployer)


def _wait_for_schedules(governed: list, local: bool) -> bool:
    """True when every pending admin transfer may be accepted now (locally: mine past it)."""
    if not governed:
        return True
    latest = max(contract.pendingDefaultAdmin()[1] for contract in governed)
    head = chain.blocks.head.timestamp
    if latest < head:
        return True
    if local:
        chain.provider.make_request("evm_mine", [max(head, latest) + 1])
        return True
    if latest - time.time() < 60:
        time.sleep(max(0.0, latest - time.time()) + 2)
        return True
    return False


def _finish(timelock, deployer, governed: list, delay: int) -> None:
    """Accept the admin transfers through the timelock, raise its delay, renounce the bootstrap roles."""
    if governed:
        accept = [contract.acceptDefaultAdminTransfer.encode_input() for contract in governed]
        _timelock_call(
            timelock, deployer, [c.address for c in governed], accept, b"dispatch:accept-admin".ljust(32, b"\0")
        )
    _timelock_call(
        timelock,
        deployer,
        [timelock.address],
        [timelock.updateDelay.encode_input(delay)],
        b"dispatch:set-delay".ljust(32, b"\0"),
    )
    for role in (PROPOSER_ROLE, EXECUTOR_ROLE, CANCELLER_ROLE, DEFAULT_ADMIN_ROLE):
        if timelock.hasRole(role, deployer):
            timelock.renounceRole(role, deployer, sender=deployer)


def _governed(evm: EvmDeployment) -> list:
    return [
        getattr(project, name).at(evm.contracts[name].address) for name in GOVERNED_CONTRACTS if name in evm.contracts
    ]


@click.command()
@click.option(
    "--network",
    default="ethereum:local:foundry",
    show_default=True,
    help="ape network choice, or an RPC URL of a running node",
)
@click.option("--account", "account_alias", help="ape account alias of the deployer (required off local chains)")
@click.option("--voting-delay", type=click.IntRange(0), help="seconds before voting starts (default: 2 local, 1 day)")
@click.option("--voting-period", type=click.IntRange(1), help="seconds a vote lasts (default: 30 local, 7 days)")
@click.option(
    "--timelock-delay", type=click.IntRange(0), help="seconds a passed proposal waits (default: 10 local, 2 days)"
)
@click.option(
    "--execution-window",
    type=click.IntRange(1),
    help="seconds a queued proposal stays executable after its delay (default: 600 local, 14 days)",
)
@click.option("--quorum-percent", type=click.IntRange(1, 100), help="quorum in % of the wrapped supply (default: 4)")
@click.option(
    "--proposal-threshold",
    type=click.IntRange(0),
    help="whole wBOLT an account needs to propose (default: 1 local, 1000)",
)
@click.option("--keep-admin", is_flag=True, help="local development: the deployer stays admin and params owner")
@click.option(
    "--finish-handover",
    is_flag=True,
    help="accept the admin transfers begun by an earlier run (after their delay) and renounce the bootstrap",
)
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="manifest path (default: deployments/<network>.json)",
)
def cli(
    network: str,
    account_alias: str | None,
    voting_delay: int | None,
    voting_period: int | None,
    timelock_delay: int | None,
    execution_window: int | None,
    quorum_percent: int | None,
    proposal_threshold: int | None,
    keep_admin: bool,
    finish_handover: bool,
    manifest: Path | None,
) -> None:
    """Deploy DispatchTimelock, DispatchGovernor and ProtocolParams; make the timelock the only admin."""
    if network.startswith("monad:testnet") and not os.environ.get("MONAD_RPC_URL"):
        raise click.UsageError("set MONAD_RPC_URL to a Monad testnet RPC endpoint")
    with networks.parse_network_choice(network) as provider:
        chain_id = provider.chain_id
        local = chain_id == ANVIL_CHAIN_ID
        if keep_admin and not local:
            raise click.UsageError("--keep-admin is a local development mode; off local chains the timelock is admin")
        if account_alias:
            deployer = accounts.load(account_alias)
        elif local:
            deployer = accounts.test_accounts[0]
        else:
            raise click.UsageError(f"chain {chain_id} is not local: pass --account <ape account alias>")
        name = NETWORK_NAMES.get(chain_id, f"chain-{chain_id}")
        manifest = manifest or Path("deployments") / f"{name}.json"
        if not manifest.exists():
            raise click.UsageError(f"{manifest} does not exist: run deploy and deploy_bridge first")
        evm = load_manifest(manifest).require_evm()
        if evm.chain_id != chain_id:
            raise click.UsageError(f"{manifest} records chain {evm.chain_id}, not {chain_id}")
        profile = GovernanceProfile.defaults(local=local).with_changes(
            voting_delay=voting_delay,
            voting_period=voting_period,
            timelock_delay=timelock_delay,
            execution_window=execution_window,
            quorum_percent=quorum_percent,
            proposal_threshold=None if proposal_threshold is None else proposal_threshold * BOLT,
        )

        if finish_handover:
            timelock = project.DispatchTimelock.at(evm.contract("DispatchTimelock").address)
            governed = _governed(evm)
            if not _wait_for_schedules(governed, local):
                raise click.ClickException("the admin-transfer delay has not passed yet; retry later")
            _finish(timelock, deployer, governed, profile.timelock_delay)
            click.echo(f"the timelock {timelock.address} is now the only admin")

            def finished_change(m: Manifest) -> None:
                assert m.evm is not None
                for contract in governed:
                    m.evm.roles[f"{contract.contract_type.name}.admin"] = [timelock.address]
                    m.evm.roles.pop(f"{contract.contract_type.name}.pendingAdmin", None)

            update_manifest(manifest, name, finished_change)
            return

        if "WrappedBolt" not in evm.contracts:
            raise click.UsageError("no WrappedBolt in the manifest: run deploy_bridge first (votes are wrapped BOLT)")
        click.echo(f"deploying governance to chain {chain_id} from {deployer.address}: {profile.describe()}")
        # Handing over, the timelock starts with a zero delay so that it can accept the admin
        # transfers at once; _finish raises it to the profile's delay before the deployer leaves.
        timelock = deployer.deploy(
            project.DispatchTimelock, profile.timelock_delay if keep_admin else 0, [], [], deployer
        )
        governor = deployer.deploy(
            project.DispatchGovernor,
            evm.contract("WrappedBolt").address,
            timelock,
            profile.voting_delay,
            profile.voting_period,
            profile.proposal_threshold,
            profile.quorum_percent,
            profile.execution_window,
        )
        owner = deployer.address if keep_admin else timelock.address
        defaults = DEFAULT_PARAMS
        params = deployer.deploy(
            project.ProtocolParams,
            owner,
            defaults.fee_bps,
            defaults.verified_threshold,
            defaults.sentinel_threshold,
            defaults.unstake_cooldown,
            [(job_type_word(k), v) for k, v in defaults.prices.items()],
        )
        for role in (PROPOSER_ROLE, CANCELLER_ROLE, EXECUTOR_ROLE):
            timelock.grantRole(role, governor, sender=deployer)
        click.echo(
            f"  DispatchTimelock: {timelock.address}\n  DispatchGovernor: {governor.address}\n"
            f"  ProtocolParams: {params.address} (owner {owner})"
        )

        governed = [] if keep_admin else _governed(evm)
        finished = True
        if keep_admin:
            timelock.renounceRole(DEFAULT_ADMIN_ROLE, deployer, sender=deployer)
        else:
            for contract in governed:
                if contract.defaultAdmin() != deployer.address:
                    raise click.ClickException(
                        f"{contract.contract_type.name} is administered by {contract.defaultAdmin()}, not the deployer"
                    )
                contract.beginDefaultAdminTransfer(timelock, sender=deployer)
            timelock.grantRole(PROPOSER_ROLE, deployer, sender=deployer)
            timelock.grantRole(EXECUTOR_ROLE, deployer, sender=deployer)
            finished = _wait_for_schedules(governed, local) if governed else True
            if finished:
                _finish(timelock, deployer, governed, profile.timelock_delay)

        deployed = {
            "DispatchTimelock": deployed_by(timelock, deployer),
            "DispatchGovernor": deployed_by(governor, deployer),
            "ProtocolParams": deployed_by(params, deployer),
        }
        admin = timelock.address if finished else deployer.address

        def change(m: Manifest) -> None:
            assert m.evm is not None
            m.evm.contracts.update(deployed)
            m.evm.roles["ProtocolParams.owner"] = [owner]
            m.evm.roles["DispatchTimelock.proposer"] = [governor.address]
            m.evm.roles["DispatchTimelock.executor"] = [governor.address]
            for contract in governed:
                m.evm.roles[f"{contract.contract_type.name}.admin"] = [admin]
                if not finished:
                    m.evm.roles[f"{contract.contract_type.name}.pendingAdmin"] = [timelock.address]

        update_manifest(manifest, name, change)
        if not finished:
            click.echo("admin transfers begun; after their delay run again with --finish-handover")
        click.echo(f"wrote {manifest}")
