"""Deploy WrappedBolt and BoltBridge (the Monad side of the bridge) and record them in the manifest.

    ape run deploy_bridge --network http://127.0.0.1:8545                 # local anvil, local defaults
    MONAD_RPC_URL=https://testnet-rpc.monad.xyz \\
      ape run deploy_bridge --network monad:testnet:node --account deployer \\
      --peer-chain solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1 --peer-program <dispatch_bridge id> \\
      --attester 0x... --attester 0x... --attester 0x... --threshold 2 --admin 0xTimelock... --pauser 0x...

WrappedBolt fixes its bridge at deployment and BoltBridge checks that binding,
so the token is deployed first, naming the address the bridge gets from the
deployer's next nonce. The peer (the Solana ``dispatch_bridge`` program and its
cluster) defaults to what the manifest's Solana section records. Locally the
attesters default to anvil accounts 6, 7 and 8 with threshold 2.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from ape import accounts, networks, project

from dispatch_chain.bridge.deploy import create_address
from dispatch_chain.bridge.message import chain_id_hash
from dispatch_chain.config import ANVIL_CHAIN_ID, MONAD_TESTNET_CHAIN_ID
from dispatch_chain.deployments import deployed_by, load_manifest, record_evm
from dispatch_chain.errors import DeploymentNotFound
from dispatch_chain.keys import dev_account
from dispatch_chain.protocol import parse_bolt

NETWORK_NAMES = {ANVIL_CHAIN_ID: "local", MONAD_TESTNET_CHAIN_ID: "testnet"}
LOCAL_ATTESTERS = (6, 7, 8)
PEER_PROGRAM_NAME = "dispatch_bridge"


def _bolt(ctx: click.Context, param: click.Parameter, value: str) -> int:
    try:
        amount = parse_bolt(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if amount >= 2**64:
        raise click.BadParameter(f"{value} BOLT exceeds the uint64 range of base units")
    return amount


def _program_id(text: str) -> bytes:
    from solders.pubkey import Pubkey

    try:
        return bytes(Pubkey.from_string(text))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a base58 Solana program id", param_hint="--peer-program") from None


def _peer_from_manifest(path: Path) -> tuple[str | None, str | None]:
    try:
        solana = load_manifest(path).solana if path.exists() else None
    except DeploymentNotFound:
        return None, None
    if solana is None:
        return None, None
    return solana.cluster, solana.programs.get(PEER_PROGRAM_NAME)


@click.command()
@click.option(
    "--network",
    default="ethereum:local:foundry",
    show_default=True,
    help="ape network choice, or an RPC URL of a running node",
)
@click.option("--account", "account_alias", help="ape account alias of the deployer (required off local chains)")
@click.option("--admin", help="default admin of BoltBridge (default: the deployer; use the governance timelock)")
@click.option(
    "--admin-delay",
    type=int,
    default=None,
    help="delay in seconds of admin handovers (default: 0 local, 1 day elsewhere)",
)
@click.option("--pauser", help="account granted PAUSER_ROLE (default: the admin)")
@click.option("--peer-chain", help="CAIP-2 id of the Solana cluster (default: the manifest's Solana cluster)")
@click.option("--peer-program", help="base58 id of dispatch_bridge (default: the manifest's dispatch_bridge)")
@click.option(
    "--attester", "attesters", multiple=True, help="attester address (repeatable; local default: dev 6, 7, 8)"
)
@click.option("--threshold", type=click.IntRange(1), help="attestations a message needs (default: a majority)")
@click.option(
    "--inbound-limit",
    default="1000000",
    show_default=True,
    callback=_bolt,
    help="Solana->Monad capacity in BOLT, refilled over 24 h",
)
@click.option(
    "--outbound-limit",
    default="1000000",
    show_default=True,
    callback=_bolt,
    help="Monad->Solana capacity in BOLT, refilled over 24 h",
)
@click.option(
    "--queue-delay",
    type=click.IntRange(0, 2**32 - 1),
    default=None,
    help="seconds a transfer over the limit waits (default: 60 local, 1 day elsewhere)",
)
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="manifest path (default: deployments/<network>.json)",
)
def cli(
    network: str,
    account_alias: str | None,
    admin: str | None,
    admin_delay: int | None,
    pauser: str | None,
    peer_chain: str | None,
    peer_program: str | None,
    attesters: tuple[str, ...],
    threshold: int | None,
    inbound_limit: int,
    outbound_limit: int,
    queue_delay: int | None,
    manifest: Path | None,
) -> None:
    """Deploy WrappedBolt + BoltBridge and record them (and their roles) in the deployments manifest."""
    if network.startswith("monad:testnet") and not os.environ.get("MONAD_RPC_URL"):
        raise click.UsageError("set MONAD_RPC_URL to a Monad testnet RPC endpoint")
    with networks.parse_network_choice(network) as provider:
        chain_id = provider.chain_id
        local = chain_id == ANVIL_CHAIN_ID
        if account_alias:
            deployer = accounts.load(account_alias)
        elif local:
            deployer = accounts.test_accounts[0]
        else:
            raise click.UsageError(f"chain {chain_id} is not local: pass --account <ape account alias>")
        name = NETWORK_NAMES.get(chain_id, f"chain-{chain_id}")
        manifest = manifest or Path("deployments") / f"{name}.json"
        known_chain, known_program = _peer_from_manifest(manifest)
        peer_chain = peer_chain or known_chain
        peer_program = peer_program or known_program
        if not peer_chain or not peer_program:
            raise click.UsageError(
                "the peer is unknown: pass --peer-chain and --peer-program, or initialise "
                f"{PEER_PROGRAM_NAME} first so the manifest records it"
            )
        attester_list = list(attesters) or ([dev_account(i).address for i in LOCAL_ATTESTERS] if local else [])
        if not attester_list:
            raise click.UsageError("pass at least one --attester")
        threshold = threshold or len(attester_list) // 2 + 1
        if threshold > len(attester_list):
            raise click.UsageError(f"--threshold {threshold} exceeds the {len(attester_list)} attesters")
        delay = admin_delay if admin_delay is not None else (0 if local else 86_400)
        queue = queue_delay if queue_delay is not None else (60 if local else 86_400)
        admin_address = admin or deployer.address
        pauser_address = pauser or admin_address

        click.echo(
            f"deploying the bridge to chain {chain_id} from {deployer.address}; peer {peer_chain} "
            f"{peer_program}, {threshold}-of-{len(attester_list)} attesters"
        )
        predicted = create_address(deployer.address, deployer.nonce + 1)
        token = deployer.deploy(project.WrappedBolt, predicted)
        bridge = deployer.deploy(
            project.BoltBridge,
            delay,
            admin_address,
            pauser_address,
            token,
            chain_id_hash(peer_chain),
            _program_id(peer_program),
            attester_list,
            threshold,
            inbound_limit,
            outbound_limit,
            queue,
        )
        if bridge.address != predicted:  # the constructor's binding check makes this unreachable
            raise click.ClickException(f"BoltBridge landed at {bridge.address}, not {predicted}")
        click.echo(f"  WrappedBolt: {token.address}\n  BoltBridge: {bridge.address}")

        deployed = {"WrappedBolt": deployed_by(token, deployer), "BoltBridge": deployed_by(bridge, deployer)}
        roles = {
            "BoltBridge.admin": [admin_address],
            "BoltBridge.PAUSER_ROLE": [pauser_address],
            "BoltBridge.attesters": attester_list,
            "BoltBridge.peer": [peer_chain, peer_program],
        }
        record_evm(manifest, name, chain_id, deployed, roles)
        click.echo(f"wrote {manifest}")
