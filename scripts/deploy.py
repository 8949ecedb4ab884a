"""Deploy the Dispatch EVM contracts and record them in the deployments manifest.

    ape run deploy --network ethereum:local:foundry          # anvil started by ape for this run
    ape run deploy --network http://127.0.0.1:8545           # an anvil you started (the demo does this)
    MONAD_RPC_URL=https://testnet-rpc.monad.xyz \\
      ape run deploy --network monad:testnet:node --account deployer

On local chains the deployer defaults to anvil's first test account. On any
other chain an ape account alias is required (``ape accounts import deployer``;
the passphrase is asked for, or read from APE_ACCOUNTS_deployer_PASSPHRASE);
keys never come from this repository.

What is deployed: ReceiptAnchor (admin + anchorers), and on local chains the
ERC-8004 IdentityRegistry and ReputationRegistry and LocalUsdc (6 decimals,
EIP-3009 and EIP-2612; ``--fund-usdc ADDRESS=USDC`` mints to the demo's agents).
On Monad testnet the official ERC-8004 v1 registries and USDC are recorded
instead of deployed.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from ape import accounts, networks, project

from dispatch_chain.config import ANVIL_CHAIN_ID, MONAD_TESTNET_CHAIN_ID
from dispatch_chain.deployments import ContractDeployment, deployed_by, record_evm
from dispatch_chain.protocol import parse_usdc

OFFICIAL_ERC8004 = {
    MONAD_TESTNET_CHAIN_ID: {
        "IdentityRegistry": "0x8004A818BFB912233c491871b3d84c89A494BD9e",
        "ReputationRegistry": "0x8004B663056A597Dffe9eCcC1965A193B7388713",
    }
}
OFFICIAL_USDC = {MONAD_TESTNET_CHAIN_ID: "0x534b2f3A21130d7a60830c2Df862319e593943A3"}
USDC_UNIT = 10**6
NETWORK_NAMES = {ANVIL_CHAIN_ID: "local", MONAD_TESTNET_CHAIN_ID: "testnet"}


def _usdc_funding(specs: tuple[str, ...]) -> list[tuple[str, int]]:
    """``ADDRESS=USDC`` (decimal, at most 6 places) as (checksummed address, base units)."""
    from eth_utils import is_address, to_checksum_address

    funding = []
    for spec in specs:
        address, _, amount = spec.partition("=")
        if not is_address(address):
            raise click.UsageError(f"--fund-usdc {spec}: {address!r} is not an address")
        try:
            units = parse_usdc(amount)
        except ValueError as exc:
            raise click.UsageError(f"--fund-usdc {spec}: {exc}") from None
        funding.append((to_checksum_address(address), units))
    return funding


def _deploy(container, deployer, *args) -> ContractDeployment:
    contract = deployer.deploy(container, *args)
    click.echo(f"  {container.contract_type.name}: {contract.address}")
    return deployed_by(contract, deployer)


@click.command()
@click.option(
    "--network",
    default="ethereum:local:foundry",
    show_default=True,
    help="ape network choice, or an RPC URL of a running node",
)
@click.option("--account", "account_alias", help="ape account alias of the deployer (required off local chains)")
@click.option("--admin", help="admin of ReceiptAnchor (default: the deployer; use a timelock in production)")
@click.option(
    "--anchorer", "anchorers", multiple=True, help="address granted ANCHORER_ROLE (repeatable; default: the deployer)"
)
@click.option(
    "--admin-delay",
    type=int,
    default=None,
    help="delay in seconds of admin handovers (default: 0 local, 1 day elsewhere)",
)
@click.option(
    "--fund-usdc",
    "usdc_specs",
    multiple=True,
    metavar="ADDRESS=USDC",
    help="local chains: mint this many LocalUsdc (decimal) to ADDRESS, e.g. a demo agent; repeatable",
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
    anchorers: tuple[str, ...],
    admin_delay: int | None,
    usdc_specs: tuple[str, ...],
    manifest: Path | None,
) -> None:
    """Deploy ReceiptAnchor (and local ERC-8004 registries and USDC) and write the deployments manifest."""
    funding = _usdc_funding(usdc_specs)
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
        if funding and not local:
            raise click.UsageError("--fund-usdc is for local chains (LocalUsdc); elsewhere USDC is the real one")
        name = NETWORK_NAMES.get(chain_id, f"chain-{chain_id}")
        manifest = manifest or Path("deployments") / f"{name}.json"
        delay = admin_delay if admin_delay is not None else (0 if local else 86_400)
        admin_address = admin or deployer.address
        anchor_roles = list(anchorers) or [deployer.address]
        click.echo(f"deploying to chain {chain_id} from {deployer.address}")

        contracts = {"ReceiptAnchor": _deploy(project.ReceiptAnchor, deployer, delay, admin_address, anchor_roles)}
        official = OFFICIAL_ERC8004.get(chain_id)
        if official:
            for contract_name, address in official.items():
                contracts[contract_name] = ContractDeployment(address=address, official=True)
                click.echo(f"  {contract_name}: {address} (official ERC-8004 v1)")
        elif hasattr(project, "IdentityRegistry") and hasattr(project, "ReputationRegistry"):
            identity = _deploy(project.IdentityRegistry, deployer)
            contracts["IdentityRegistry"] = identity
            contracts["ReputationRegistry"] = _deploy(project.ReputationRegistry, deployer, identity.address)
        if chain_id in OFFICIAL_USDC:
            contracts["USDC"] = ContractDeployment(address=OFFICIAL_USDC[chain_id], official=True)
            click.echo(f"  USDC: {OFFICIAL_USDC[chain_id]} (official)")
        elif local:
            usdc = deployer.deploy(project.LocalUsdc, deployer.address)
            click.echo(f"  LocalUsdc (USDC): {usdc.address}")
            contracts["USDC"] = deployed_by(usdc, deployer)
            for address, units in funding:
                usdc.mint(address, units, sender=deployer)
                click.echo(f"  {units / USDC_UNIT:,.6f} USDC to {address}")

        roles = {"ReceiptAnchor.admin": [admin_address], "ReceiptAnchor.ANCHORER_ROLE": anchor_roles}
        record_evm(manifest, name, chain_id, contracts, roles)
        click.echo(f"wrote {manifest}")
