"""``dispatch-chain bridge``: the BOLT bridge, Monad side (sending, status, attesting, relaying, tiers).

A refusal of the bridge contract prints one line with its own error name and
exits 2 when the input was at fault (amount 0 or over 2**64-1, malformed
recipient, a message for another chain or bridge) or 1 when a check of the
bridge's state failed (paused, insufficient balance, already executed, delay
not over, not an attester). Configuration and node trouble exit 3.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from eth_typing import HexStr
from web3.exceptions import TransactionNotFound

from dispatch_chain.bridge import errors
from dispatch_chain.bridge.attester import AttesterService
from dispatch_chain.bridge.evm import EvmBoltBridge, OutboundMessage, Status
from dispatch_chain.bridge.evm_attester import EvmAttestationTarget, EvmMessageSource, EvmRelayer
from dispatch_chain.bridge.store import AttesterStore, AttesterStoreError
from dispatch_chain.bridge.supply import executed_on_monad, read_monad_supply, supply_report
from dispatch_chain.cli.common import EXIT_FAILED, CliState, InputError, chain_errors, emit_json
from dispatch_chain.connect import Connections, run_dir
from dispatch_chain.errors import ConfigError
from dispatch_chain.protocol import format_bolt, parse_bolt
from dispatch_chain.settings import env_var

#: refusals caused by the input, not by the bridge's state: exit 2
INPUT_ERRORS = (
    errors.ZeroAmount,
    errors.AmountTooLarge,
    errors.MalformedRecipient,
    errors.InvalidMessageLength,
    errors.UnsupportedMessage,
    errors.WrongDestinationChain,
    errors.WrongSourceChain,
    errors.WrongSourceBridge,
)

account_option = click.option(
    "--account", envvar=env_var("evm_account"), help="EVM account spec (env:VAR, keystore:PATH, dev:N)."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


class BridgeRefused(click.ClickException):
    """The bridge refused: exit 1 (state) or 2 (input), one line."""

    def __init__(self, error: errors.BridgeReverted) -> None:
        super().__init__(f"{error.error}: {error}")
        self.exit_code = 2 if isinstance(error, INPUT_ERRORS) else EXIT_FAILED

    def show(self, file: object = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class NotFound(click.ClickException):
    """What was asked for is not on chain: exit 1, one line."""

    exit_code = EXIT_FAILED

    def show(self, file: object = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@contextmanager
def bridge_errors() -> Iterator[None]:
    """Bridge refusals -> exit 1 or 2 with their error name; configuration and chain trouble -> exit 3."""
    with chain_errors():
        try:
            yield
        except errors.BridgeReverted as exc:
            raise BridgeRefused(exc) from exc


def _solana_pubkey(text: str) -> bytes:
    from solders.pubkey import Pubkey

    try:
        return bytes(Pubkey.from_string(text))
    except ValueError:
        raise InputError(f"--recipient: {text!r} is not a base58 Solana public key") from None


def _amount(text: str) -> int:
    try:
        return parse_bolt(text)
    except ValueError as exc:
        raise InputError(f"AMOUNT: {exc}") from None


def _digest(text: str) -> bytes:
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise InputError(f"{text!r} is not a 0x-prefixed 32-byte message digest")
    return raw


def _outbound_json(sent: OutboundMessage) -> dict[str, object]:
    return {
        "sequence": sent.message.sequence,
        "digest": "0x" + sent.digest.hex(),
        "amount": sent.message.amount,
        "recipient": "0x" + sent.message.recipient.hex(),
        "tx": sent.tx,
        "block": sent.block,
        "queued": sent.queued,
        "ready_at": sent.ready_at or None,
        "message": "0x" + sent.message.encode().hex(),
    }


@click.group()
def bridge() -> None:
    """The BOLT bridge between Solana (canonical BOLT) and Monad (wrapped BOLT): Monad side.

    Amounts are decimal BOLT (at most 9 decimals), e.g. 12.5. See docs/bridge.md.
    """


@bridge.command()
@json_option
@click.pass_obj
def info(state: CliState, as_json: bool) -> None:
    """Show the Monad bridge: peer, attesters and threshold, rate limits, queue delay, supply, pause."""
    with bridge_errors():
        client = state.connections().bolt_bridge()
        config = client.config()
        minted, burned = client.totals()
        supply = client.wrapped_supply()
    data = {
        "bridge": client.address,
        "token": config.token,
        "local_chain": "0x" + config.local_chain.hex(),
        "peer_chain": "0x" + config.peer_chain.hex(),
        "peer_bridge": "0x" + config.peer_bridge.hex(),
        "threshold": config.threshold,
        "attesters": list(config.attesters),
        "paused": config.paused,
        "queue_delay": config.queue_delay,
        "next_sequence": config.next_sequence,
        "inbound": {"limit": config.inbound.limit, "available": config.inbound.available},
        "outbound": {"limit": config.outbound.limit, "available": config.outbound.available},
        "minted": minted,
        "burned": burned,
        "wrapped_supply": supply,
    }
    if as_json:
        emit_json(data)
        return
    click.echo(f"BoltBridge {client.address} (token {config.token}){' PAUSED' if config.paused else ''}")
    click.echo(f"peer: chain 0x{config.peer_chain.hex()} bridge 0x{config.peer_bridge.hex()}")
    click.echo(f"attesters: {config.threshold} of {len(config.attesters)}: {', '.join(config.attesters)}")
    for name, limit in (("inbound", config.inbound), ("outbound", config.outbound)):
        click.echo(f"{name}: {format_bolt(limit.available)} of {format_bolt(limit.limit)} BOLT available now")
    click.echo(f"queue delay {config.queue_delay} s; next outbound sequence {config.next_sequence}")
    click.echo(
        f"wrapped supply {format_bolt(supply)} BOLT (minted {format_bolt(minted)}, burned {format_bolt(burned)})"
    )


@bridge.command("to-solana")
@click.argument("amount")
@click.option("--recipient", required=True, help="The Solana owner (base58); BOLT goes to its associated account.")
@account_option
@json_option
@click.pass_obj
def to_solana(state: CliState, amount: str, recipient: str, account: str | None, as_json: bool) -> None:
    """Burn AMOUNT wrapped BOLT on Monad and emit the message the attesters carry to Solana."""
    base_units = _amount(amount)
    recipient_key = _solana_pubkey(recipient)
    with bridge_errors():
        connections = state.connections(account)
        client = connections.bolt_bridge()
        sent = client.send_to_solana(connections.evm_sender, base_units, recipient_key)
    if as_json:
        emit_json(_outbound_json(sent))
        return
    note = f"queued over the outbound limit until {sent.ready_at}" if sent.queued else "sent"
    click.echo(
        f"{note}: sequence {sent.message.sequence}, {format_bolt(sent.message.amount)} BOLT to {recipient}, "
        f"digest 0x{sent.digest.hex()}, tx {sent.tx}"
    )


@bridge.command()
@click.argument("ref", metavar="SEQ|TX|DIGEST")
@click.option(
    "--wait",
    is_flag=True,
    help="Print progress until the message is executed on Monad (inbound) or sent (a queued outbound one).",
)
@click.option("--timeout", type=click.FloatRange(1), default=600.0, show_default=True, help="Limit for --wait.")
@json_option
@click.pass_obj
def status(state: CliState, ref: str, wait: bool, timeout: float, as_json: bool) -> None:
    """Where a message stands on Monad.

    SEQ: an outbound sequence number (the burn and its message); TX: a sendToSolana transaction hash;
    DIGEST: an inbound (Solana -> Monad) message digest (attestations, queued, executed). Exit 1 when
    nothing matches, or when --wait times out.
    """
    with bridge_errors():
        client = state.connections().bolt_bridge()
        deadline = time.monotonic() + timeout
        last = None
        while True:
            data, line, done = _status_once(client, ref)
            if line != last and not as_json:
                click.echo(line)
                last = line
            if not wait or done:
                break
            if time.monotonic() > deadline:
                raise NotFound(f"not complete within {timeout:.0f} s: {line}")
            time.sleep(client.client.network.poll_interval or 1.0)
    if as_json:
        emit_json(data)


def _status_once(client: EvmBoltBridge, ref: str) -> tuple[dict[str, object], str, bool]:
    """(JSON data, one line, complete on Monad) for a sequence, transaction or digest."""
    found: OutboundMessage | None = None
    if ref.isdigit():
        found = _find_outbound(client, int(ref))
        if found is None:
            raise NotFound(f"no outbound message with sequence {ref} on {client.address}")
    else:
        raw = _digest(ref)
        receipt = _receipt(client, "0x" + raw.hex())
        if receipt is not None:
            messages = client.outbound_in_receipt(receipt)
            if not messages:
                raise NotFound(f"transaction {ref} emitted no outbound bridge message")
            found = _find_outbound(client, messages[0].message.sequence) or messages[0]
    if found is not None:
        line = (
            f"sequence {found.message.sequence}: {format_bolt(found.message.amount)} BOLT burned in {found.tx}; "
            f"{'queued until ' + str(found.ready_at) if found.queued else 'sent to Solana'}; "
            f"digest 0x{found.digest.hex()}"
        )
        return {"direction": "monad-to-solana", **_outbound_json(found)}, line, not found.queued
    digest = _digest(ref)
    message_state = client.message_state(digest)
    threshold = client.config().threshold
    status_name = message_state.status.name.lower()
    data = {
        "direction": "solana-to-monad",
        "digest": "0x" + digest.hex(),
        "status": status_name,
        "attestations": message_state.attestations,
        "threshold": threshold,
        "ready_at": message_state.ready_at or None,
    }
    line = f"0x{digest.hex()}: {status_name}, {message_state.attestations} of {threshold} attestations" + (
        f", ready at {message_state.ready_at}" if message_state.ready_at else ""
    )
    return data, line, message_state.status is Status.EXECUTED


def _receipt(client: EvmBoltBridge, tx: str):
    try:
        return client.client.w3.eth.get_transaction_receipt(HexStr(tx))
    except TransactionNotFound:
        return None


def _find_outbound(client: EvmBoltBridge, sequence: int) -> OutboundMessage | None:
    """The MessageSent of a sequence, else its OutboundTransferQueued (found by the indexed sequence)."""
    head = client.client.w3.eth.block_number
    topic = "0x" + sequence.to_bytes(32, "big").hex()
    for queued in (False, True):
        found = client.outbound_messages(client.deploy_block, head, queued=queued, sequence_topic=topic)
        if found:
            return found[0]
    return None


@bridge.command()
@click.option("--monad-only", is_flag=True, help="Report Monad's side only (no invariant check).")
@json_option
@click.pass_obj
def audit(state: CliState, monad_only: bool, as_json: bool) -> None:
    """Check the supply invariant: Solana custody >= wrapped supply + BOLT burned on Monad not yet released.

    Reads both chains (Monad at one block) and reports custody, wrapped supply and the messages in flight
    each way; exit 1 when the invariant is broken.
    """
    with bridge_errors():
        connections = state.connections()
        monad = read_monad_supply(connections.bolt_bridge())
        if monad_only:
            data: dict[str, object] = {
                "block": monad.block,
                "wrapped_supply": monad.wrapped_supply,
                "minted": monad.minted,
                "burned": monad.burned,
                "outbound": [
                    {"digest": "0x" + r.digest.hex(), "sequence": r.sequence, "amount": r.amount, "queued": r.queued}
                    for r in monad.outbound
                ],
            }
            if as_json:
                emit_json(data)
            else:
                click.echo(
                    f"Monad at block {monad.block}: wrapped supply {format_bolt(monad.wrapped_supply)} BOLT "
                    f"(minted {format_bolt(monad.minted)}, burned {format_bolt(monad.burned)}), "
                    f"{len(monad.outbound)} outbound message(s)"
                )
            return
        try:
            # the Solana half, absent from this build (hence the ImportError below and the ignore)
            from dispatch_chain.bridge.solana_supply import read_solana_supply  # type: ignore[import-not-found]
        except ImportError:
            raise ConfigError(
                "the Solana half of the audit (dispatch_chain.bridge.solana_supply) is not part of "
                "this build; --monad-only reports Monad's side"
            ) from None
        solana = read_solana_supply(connections)
        report = supply_report(
            monad,
            custody=solana.custody,
            released_on_solana=solana.released,
            locked_on_solana=solana.locked,
            minted_on_monad=executed_on_monad(connections.bolt_bridge(), solana.locked),
        )
    if as_json:
        emit_json(report.to_json())
    else:
        verdict = "holds" if report.ok else "BROKEN"
        click.echo(
            f"invariant {verdict}: custody {format_bolt(report.custody)} >= wrapped supply "
            f"{format_bolt(report.wrapped_supply)} + burned not released "
            f"{format_bolt(report.burned_not_released)}"
        )
        click.echo(f"in flight: {len(report.in_flight_to_monad)} to Monad, {len(report.in_flight_to_solana)} to Solana")
    if not report.ok:
        raise click.exceptions.Exit(EXIT_FAILED)


def _store(state: CliState, path: str | None, name: str) -> AttesterStore:
    with chain_errors():
        store = AttesterStore(Path(path) if path else run_dir(state.profile()) / name)
    try:
        store.claim()
    except AttesterStoreError as exc:
        store.close()
        raise InputError(str(exc)) from None
    return store


@bridge.command()
@click.option(
    "--from",
    "source",
    type=click.Choice(["monad", "solana"]),
    required=True,
    help="The chain whose outbound messages to attest (on the other chain).",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False),
    help="This attester's SQLite store (default: run/<network>/attester-<from>.sqlite).",
)
@click.option(
    "--confirmations",
    type=click.IntRange(0),
    default=None,
    help="Monad safety depth in blocks (default: the profile's confirmations).",
)
@account_option
@click.option("--drain", is_flag=True, help="Exit once every message up to the safe head is attested.")
@click.option("--timeout", type=click.FloatRange(1), default=600.0, show_default=True, help="Limit for --drain.")
@click.option("--interval", type=click.FloatRange(0.05), default=2.0, show_default=True, help="Seconds between rounds.")
@click.pass_obj
def attest(
    state: CliState,
    source: str,
    store_path: str | None,
    confirmations: int | None,
    account: str | None,
    drain: bool,
    timeout: float,
    interval: float,
) -> None:
    """Run one attester: attest each final source message exactly once with this key, across restarts.

    --from solana attests Solana lock messages on Monad (this account must be an attester of BoltBridge);
    --from monad attests Monad burns on Solana.
    """
    store = _store(state, store_path, f"attester-{source}.sqlite")
    with store, bridge_errors():
        connections = state.connections(account)
        service = _attester(connections, source, store, confirmations)
        if drain:
            stats = service.drain(timeout=timeout, interval=interval)
        else:
            stop = threading.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
            stats = service.run(stop, interval=interval)
        counts = store.counts()
    click.echo(
        f"found {stats.found}, attested {stats.attested}, already settled {stats.settled}, "
        f"refused {stats.failed}; store {counts}"
    )
    for error in stats.errors[-5:]:
        click.echo(f"warning: {error}", err=True)


def _attester(
    connections: Connections, source: str, store: AttesterStore, confirmations: int | None
) -> AttesterService:
    if source == "solana":
        target = EvmAttestationTarget(connections.bolt_bridge(), connections.evm_sender)
        try:
            # the Solana half, absent from this build (hence the ImportError below and the ignore)
            from dispatch_chain.bridge.solana_attester import solana_message_source  # type: ignore[import-not-found]
        except ImportError:
            raise ConfigError(
                "the Solana half of the attester (dispatch_chain.bridge.solana_attester) is not part of this build"
            ) from None
        return AttesterService(store, solana_message_source(connections), target)
    monad = EvmMessageSource(connections.bolt_bridge(), confirmations=confirmations)
    try:
        from dispatch_chain.bridge.solana_attester import solana_attestation_target  # the Solana half
    except ImportError:
        raise ConfigError(
            "the Solana half of the attester (dispatch_chain.bridge.solana_attester) is not part of this build"
        ) from None
    return AttesterService(store, monad, solana_attestation_target(connections))


@bridge.command()
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False),
    help="An attester store that saw the inbound messages (default: run/<network>/attester-solana.sqlite).",
)
@account_option
@click.option("--once", is_flag=True, help="One round, then exit.")
@click.option(
    "--interval", type=click.FloatRange(0.05), default=10.0, show_default=True, help="Seconds between rounds."
)
@click.pass_obj
def relay(state: CliState, store_path: str | None, account: str | None, once: bool, interval: float) -> None:
    """Complete Monad's queued transfers once their delay is over (any account may; costs gas only)."""
    store = _store(state, store_path, "attester-solana.sqlite")
    found = completed = 0
    with store, bridge_errors():
        connections = state.connections(account)
        relayer = EvmRelayer(connections.bolt_bridge(), connections.evm_sender, store)
        stop = threading.Event()
        if not once:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
        while True:
            stats = relayer.run_once()
            found, completed = found + stats.found, completed + stats.completed
            for error in stats.errors[-3:]:
                click.echo(f"warning: {error}", err=True)
            if once or stop.wait(interval):
                break
        waiting = store.pending_queued()
    click.echo(f"found {found} queued, completed {completed}, still waiting {waiting}")


@bridge.command()
@click.argument("workers", nargs=-1, required=True)
@click.option("--verified", help="VERIFIED threshold in BOLT (default: the whitepaper's 100).")
@click.option("--sentinel", help="SENTINEL threshold in BOLT (default: the whitepaper's 1,000).")
@json_option
@click.pass_obj
def tiers(state: CliState, workers: tuple[str, ...], verified: str | None, sentinel: str | None, as_json: bool) -> None:
    """Stake tiers of WORKERS (0x addresses) from their wrapped BOLT on Monad, read in JSON-RPC batches."""
    from web3 import Web3

    bad = [w for w in workers if not Web3.is_address(w)]
    if bad:
        raise InputError(f"not an EVM address: {bad[0]!r}")
    thresholds = {k: _amount(v) for k, v in (("verified", verified), ("sentinel", sentinel)) if v is not None}
    with bridge_errors():
        stakes = state.connections().wrapped_tier_reader(**thresholds).stakes(workers)
    if as_json:
        emit_json({a: {"balance": s.balance, "tier": s.tier.name} for a, s in stakes.items()})
        return
    for address, stake in stakes.items():
        click.echo(f"{address} {stake.tier.name} ({format_bolt(stake.balance)} wBOLT)")
