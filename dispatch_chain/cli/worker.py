"""``dispatch-chain worker``: worker keys and ERC-8004 registration."""

from __future__ import annotations

import click
import nacl.signing

from dispatch_chain.cli.common import CliState, InputError, chain_errors, emit_json, read_json
from dispatch_chain.erc8004.binding import BindingError, derived_owner, worker_key
from dispatch_chain.erc8004.identity import agent_id_from_agent_file
from dispatch_chain.keys import load_evm_account, load_worker_key, save_worker_key
from dispatch_chain.receipts import ReceiptError, format_pubkey, parse_pubkey


def parse_worker(value: str) -> bytes | int:
    """A worker given as ed25519:<hex> / bare hex (a pubkey) or a decimal agent id."""
    if value.isascii() and value.isdigit():
        if len(value) > 78 or int(value) >= 2**256:  # agent ids are uint256
            raise InputError(f"WORKER: agent id {value[:24]}... is larger than a uint256")
        return int(value)
    try:
        return parse_pubkey(value, "WORKER")
    except ReceiptError as exc:
        raise InputError(f"{exc} (or give a decimal agent id)") from None


@click.group()
def worker() -> None:
    """Worker keys and their ERC-8004 agents."""


@worker.command()
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="Key file to create (0600).")
def keygen(output: str) -> None:
    """Create a worker ed25519 key (solana-keygen JSON format: it is a Solana address too)."""
    key = nacl.signing.SigningKey.generate()
    with chain_errors():
        save_worker_key(output, key)
    click.echo(format_pubkey(bytes(key.verify_key)))


@worker.command()
@click.option("--key", "key_file", required=True, type=click.Path(dir_okay=False), help="The worker's key file.")
@click.option(
    "--owner",
    default="derived",
    show_default=True,
    help="EVM account owning the agent: an account spec (env:VAR, keystore:PATH, dev:N) or 'derived' "
    "(an EVM key derived from the worker key, so the worker keeps one secret; fund it first).",
)
@click.option("--uri", default="", help="The agent URI (its registration file).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def register(state: CliState, key_file: str, owner: str, uri: str, as_json: bool) -> None:
    """Register the worker as an ERC-8004 agent whose metadata binds its ed25519 key.

    The worker signs (chain id, registry, owner); every reader rejects a
    binding whose signature does not name the agent's owner.
    """
    with chain_errors():
        key = load_worker_key(key_file)
        connections = state.connections()
        registry = connections.identity_registry()
        account = derived_owner(key) if owner == "derived" else load_evm_account(owner, chain_id=registry.chain_id)
        if registry.client.w3.eth.get_balance(account.address) == 0:
            raise InputError(f"owner {account.address} has no funds on chain {registry.chain_id}; fund it to pay gas")
        registration = registry.register_worker(key, account, uri)
        resolver = connections.identity_resolver()  # remember the claim here too (coordinator on this host)
        resolver.claim(bytes(key.verify_key), registration.agent_id)
        resolver.close()
    result = {
        "agent_id": registration.agent_id,
        "owner": registration.owner,
        "tx": registration.tx,
        "worker": format_pubkey(bytes(key.verify_key)),
        "worker_key": hex(worker_key(bytes(key.verify_key))),
    }
    if as_json:
        emit_json(result)
    else:
        click.echo(f"registered {result['worker']} as agent {registration.agent_id} owned by {registration.owner}")
        click.echo(
            f"give the coordinator this agent id: dispatch-chain worker claim {result['worker']}"
            f" {registration.agent_id}",
            err=True,
        )


@worker.command()
@click.argument("worker_ref", metavar="WORKER")
@click.argument("agent_id", required=False, type=click.IntRange(0, 2**256 - 1))
@click.option(
    "--agent-file",
    type=click.Path(dir_okay=False),
    help="The worker's ERC-8004 agent (registration) file; its registrations entry for this registry "
    "names the agent id.",
)
@click.pass_obj
def claim(state: CliState, worker_ref: str, agent_id: int | None, agent_file: str | None) -> None:
    """Record a worker's claimed ERC-8004 agent, after verifying it (the coordinator's side).

    WORKER is ed25519:<hex>; the agent id comes from the worker (its `worker register` output, or
    --agent-file). The claim is verified with calls only (ownerOf, the binding metadata, its ed25519
    signature over the current owner) and remembered in run/<network>/identity-cache.sqlite, where
    `reputation send` and `reputation show` find it. Exit 2 when the claim does not verify.
    """
    target = parse_worker(worker_ref)
    if not isinstance(target, bytes):
        raise InputError("WORKER must be the worker's ed25519 key")
    if (agent_id is None) == (agent_file is None):
        raise InputError("give the agent id either as AGENT_ID or with --agent-file, not both")
    document = read_json(agent_file) if agent_file else None
    with chain_errors():
        connections = state.connections()
        registry = connections.identity_registry()
        if document is not None:
            agent_id = agent_id_from_agent_file(document, registry.chain_id, registry.address)
        assert agent_id is not None
        resolver = connections.identity_resolver()
        try:
            resolver.claim(target, agent_id)
        finally:
            resolver.close()
    click.echo(f"{format_pubkey(target)} -> agent {agent_id}: binding verified and recorded")


@worker.command()
@click.argument("worker_ref", metavar="WORKER")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def show(state: CliState, worker_ref: str, as_json: bool) -> None:
    """Show a worker's agent, owner and binding (WORKER: an agent id, or ed25519:<hex> with a recorded claim)."""
    target = parse_worker(worker_ref)
    with chain_errors():
        connections = state.connections()
        registry = connections.identity_registry()
        if isinstance(target, int):
            agent_id = target
        else:
            resolver = connections.identity_resolver()
            try:
                agent_id = resolver.resolve(target)
            finally:
                resolver.close()
        try:
            binding = registry.binding_of(agent_id)
        except BindingError as exc:
            raise InputError(str(exc)) from None
    result = {
        "agent_id": agent_id,
        "owner": binding.owner,
        "worker": format_pubkey(binding.pubkey),
        "worker_key": hex(worker_key(binding.pubkey)),
        "binding": "valid",
    }
    if as_json:
        emit_json(result)
    else:
        for name, value in result.items():
            click.echo(f"{name:<11} {value}")
