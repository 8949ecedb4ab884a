"""``dispatch-chain bridge``: the BOLT bridge, both sides (sending, status, attesting, relaying, audit, tiers).

A refusal of either bridge (BoltBridge on Monad, dispatch_bridge on Solana)
prints one line with its own error name and exits 2 when the input was at
fault (amount 0 or over 2**64-1, malformed recipient, a message for another
chain or bridge) or 1 when a check of the bridge's state failed (paused,
insufficient balance, limit exceeded, already executed, delay not over, not an
attester). Configuration and node trouble exit 3.
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
from dispatch_chain.bridge.attester import AttesterService, RoundStats
from dispatch_chain.bridge.evm import EvmBoltBridge, OutboundMessage, Status
from dispatch_chain.bridge.evm_attester import EvmAttestationTarget, EvmMessageSource, EvmRelayer
from dispatch_chain.bridge.solana_attester import SolanaRelayer, solana_attestation_target, solana_message_source
from dispatch_chain.bridge.solana_supply import read_solana_supply
from dispatch_chain.bridge.store import AttesterStore, AttesterStoreError
from dispatch_chain.bridge.supply import executed_on_monad, read_monad_supply, supply_report
from dispatch_chain.cli.common import EXIT_FAILED, CliState, InputError, chain_errors, emit_json, printable
from dispatch_chain.connect import Connections, run_dir
from dispatch_chain.errors import ChainError, ConfigError
from dispatch_chain.protocol import format_bolt, parse_bolt
from dispatch_chain.retry import is_outage
from dispatch_chain.settings import env_var
from dispatch_chain.solana import errors as solana_errors
from dispatch_chain.solana.bridge import BridgeInputError

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

#: dispatch_bridge refusals caused by the input: exit 2
SOLANA_INPUT_ERRORS = (
    solana_errors.ZeroAmount,
    solana_errors.MalformedRecipient,
    solana_errors.UnsupportedVersion,
    solana_errors.UnsupportedKind,
    solana_errors.WrongChain,
    solana_errors.WrongSourceChain,
    solana_errors.WrongSourceBridge,
)

account_option = click.option(
    "--account", envvar=env_var("evm_account"), help="EVM account spec (env:VAR, keystore:PATH, dev:N)."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
keypair_option = click.option(
    "--keypair",
    envvar=env_var("solana_keypair"),
    type=click.Path(dir_okay=False),
    help="Solana keypair file (solana-keygen JSON; default DISPATCH_SOLANA_KEYPAIR).",
)


class BridgeRefused(click.ClickException):
    """The bridge refused: exit 1 (state) or 2 (input), one line."""

    def __init__(self, error: errors.BridgeReverted) -> None:
        super().__init__(f"{error.error}: {error}")
        self.exit_code = 2 if isinstance(error, INPUT_ERRORS) else EXIT_FAILED

    def show(self, file: object = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class SolanaRefused(click.ClickException):
    """dispatch_bridge refused: exit 1 (state) or 2 (input), one line with the program's error name."""

    def __init__(self, error: solana_errors.ProgramError) -> None:
        name = getattr(error, "name", None) or type(error).__name__
        super().__init__(f"dispatch_bridge {name}: {printable(str(error))}")
        self.exit_code = 2 if isinstance(error, SOLANA_INPUT_ERRORS) else EXIT_FAILED

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
        except solana_errors.ProgramError as exc:
            raise SolanaRefused(exc) from exc
        except BridgeInputError as exc:
            raise InputError(str(exc)) from exc


def _solana_pubkey(text: str) -> bytes:
    from solders.pubkey import Pubkey

    try:
        return bytes(Pubkey.from_string(text))
    except ValueError:
        raise InputError(f"--recipient: {text!r} is not a base58 Solana public key") from None


def _evm_recipient(text: str) -> str:
    from web3 import Web3

    if not Web3.is_address(text) or int(text, 16) == 0:
        raise InputError(f"--recipient: {text!r} is not a non-zero 0x EVM address (40 hex digits)")
    return Web3.to_checksum_address(text)


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
    """The BOLT bridge between Solana (canonical BOLT) and Monad (wrapped BOLT): both sides.

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


def _connections(state: CliState, account: str | None = None, keypair: str | None = None) -> Connections:
    return Connections(state.profile(), evm_account_spec=account, solana_keypair_path=keypair)


@bridge.command("to-monad")
@click.argument("amount")
@click.option("--recipient", required=True, help="The EVM address (0x...) that receives wrapped BOLT on Monad.")
@keypair_option
@json_option
@click.pass_obj
def to_monad(state: CliState, amount: str, recipient: str, keypair: str | None, as_json: bool) -> None:
    """Lock AMOUNT BOLT on Solana (dispatch_bridge::lock) for RECIPIENT on Monad.

    The attesters carry the lock once it is finalized on Solana; follow it with
    `bridge status SEQ --from solana --wait`.
    """
    base_units = _amount(amount)
    evm_recipient = _evm_recipient(recipient)
    with bridge_errors():
        connections = _connections(state, keypair=keypair)
        record = connections.solana_bridge().lock(connections.solana_keypair, base_units, evm_recipient)
    data = {
        "sequence": record.message.sequence,
        "digest": "0x" + record.digest.hex(),
        "amount": record.message.amount,
        "recipient": evm_recipient,
        "tx": record.signature,
        "slot": record.slot,
        "message": "0x" + record.message.encode().hex(),
    }
    if as_json:
        emit_json(data)
        return
    click.echo(
        f"locked: sequence {record.message.sequence}, {format_bolt(record.message.amount)} BOLT for {evm_recipient}, "
        f"digest 0x{record.digest.hex()}, tx {record.signature} (slot {record.slot})"
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
    "--from",
    "source",
    type=click.Choice(["monad", "solana"]),
    default=None,
    help="The chain SEQ was sent from (default monad; a base58 TX is always a Solana lock).",
)
@click.option(
    "--wait",
    is_flag=True,
    help="Print progress until the transfer is complete on the destination chain.",
)
@click.option("--timeout", type=click.FloatRange(1), default=600.0, show_default=True, help="Limit for --wait.")
@json_option
@click.pass_obj
def status(state: CliState, ref: str, source: str | None, wait: bool, timeout: float, as_json: bool) -> None:
    """Where a transfer stands, on both chains.

    Monad -> Solana: SEQ (an outbound sequence) or TX (a sendToSolana 0x hash): the burn, then its
    attestations and release (or queue) on Solana. Solana -> Monad: SEQ with --from solana, or TX (a
    base58 lock signature): the lock's commitment (processed, confirmed, finalized), then its
    attestations and mint (or queue) on Monad. DIGEST: a Solana -> Monad message on Monad. Complete
    means released on Solana / minted on Monad. Exit 1 when nothing matches, or when --wait times out.
    """
    solana_ref = source == "solana" or _is_signature(ref)
    with bridge_errors():
        connections = _connections(state)
        deadline = time.monotonic() + timeout
        last = None
        while True:
            if solana_ref:
                data, line, done = _solana_status_once(connections, ref)
            else:
                data, line, done = _status_once(connections, ref)
            if line != last and not as_json:
                click.echo(line)
                last = line
            if not wait or done:
                break
            if time.monotonic() > deadline:
                raise NotFound(f"not complete within {timeout:.0f} s: {line}")
            time.sleep(connections.evm.network.poll_interval or 1.0)
    if as_json:
        emit_json(data)


def _is_signature(text: str) -> bool:
    from solders.signature import Signature

    if text.isdigit() or text.startswith("0x"):
        return False
    try:
        Signature.from_string(text)
    except ValueError:
        return False
    return True


def _solana_side(connections: Connections, digest: bytes) -> tuple[dict[str, object], str, bool] | None:
    """The release of a Monad message on Solana: (data, words, released); None without a Solana side."""
    try:
        bridge = connections.solana_bridge()
        threshold = bridge.config().threshold
        record = bridge.inbound(digest)
    except ConfigError:
        return None
    except Exception as exc:  # no Solana node for this profile, or it is down: Monad's side still answers
        if not isinstance(exc, ChainError) and not is_outage(exc):
            raise
        return {"status": "unknown", "error": str(exc)}, "Solana side unreadable", False
    if record is None:
        return {"status": "none", "attestations": 0, "threshold": threshold}, f"0 of {threshold} on Solana", False
    status_name = record.status.value.lower()
    data: dict[str, object] = {
        "status": status_name,
        "attestations": len(record.attesters),
        "threshold": threshold,
        "release_after": record.release_after or None,
    }
    words = {"executed": "released on Solana", "queued": f"queued on Solana until {record.release_after}"}.get(
        status_name, f"{len(record.attesters)} of {threshold} attestations on Solana"
    )
    return data, words, status_name == "executed"


def _status_once(connections: Connections, ref: str) -> tuple[dict[str, object], str, bool]:
    """(JSON data, one line, complete) for a Monad sequence, transaction or inbound digest."""
    client = connections.bolt_bridge()
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
            f"{'queued on Monad until ' + str(found.ready_at) if found.queued else 'sent to Solana'}; "
            f"digest 0x{found.digest.hex()}"
        )
        data: dict[str, object] = {"direction": "monad-to-solana", **_outbound_json(found)}
        done = not found.queued
        solana = None if found.queued else _solana_side(connections, found.digest)
        if solana is not None:
            data["solana"], words, done = solana
            line += f"; {words}"
        return data, line, done
    digest = _digest(ref)
    data, line, done = _monad_side(client, digest)
    return {"direction": "solana-to-monad", "digest": "0x" + digest.hex(), **data}, f"0x{digest.hex()}: {line}", done


def _monad_side(client: EvmBoltBridge, digest: bytes) -> tuple[dict[str, object], str, bool]:
    message_state = client.message_state(digest)
    threshold = client.config().threshold
    status_name = message_state.status.name.lower()
    data: dict[str, object] = {
        "status": status_name,
        "attestations": message_state.attestations,
        "threshold": threshold,
        "ready_at": message_state.ready_at or None,
    }
    words = f"{status_name}, {message_state.attestations} of {threshold} attestations" + (
        f", ready at {message_state.ready_at}" if message_state.ready_at else ""
    )
    return data, words, message_state.status is Status.EXECUTED


def _solana_status_once(connections: Connections, ref: str) -> tuple[dict[str, object], str, bool]:
    """(JSON data, one line, complete) for a Solana lock, by sequence or signature."""
    bridge = connections.solana_bridge()
    record = bridge.outbound(int(ref)) if ref.isdigit() else _lock_of_signature(connections, ref)
    if record is None:
        raise NotFound(f"no lock with {'sequence' if ref.isdigit() else 'signature'} {ref} on dispatch_bridge")
    solana = connections.solana
    level = next(
        (c for c in ("finalized", "confirmed") if solana.slot(c) >= record.slot),
        "processed",
    )
    monad, words, done = _monad_side(connections.bolt_bridge(), record.digest)
    data: dict[str, object] = {
        "direction": "solana-to-monad",
        "sequence": record.message.sequence,
        "digest": "0x" + record.digest.hex(),
        "amount": record.message.amount,
        "recipient": "0x" + record.message.recipient[12:].hex(),
        "slot": record.slot,
        "commitment": level,
        "monad": monad,
    }
    line = (
        f"sequence {record.message.sequence}: {format_bolt(record.message.amount)} BOLT locked at slot "
        f"{record.slot} ({level}); on Monad: {words}; digest 0x{record.digest.hex()}"
    )
    return data, line, done


def _lock_of_signature(connections: Connections, signature: str):  # -> OutboundRecord | None
    """The outbound record a lock transaction created (the one account of it that is one)."""
    from solders.signature import Signature

    solana, bridge = connections.solana, connections.solana_bridge()
    from solders.transaction import VersionedTransaction

    found_tx = solana.rpc.get_transaction(
        Signature.from_string(signature), encoding="base64", max_supported_transaction_version=0
    ).value
    if found_tx is None:
        return None
    tx = found_tx.transaction.transaction
    assert isinstance(tx, VersionedTransaction), "base64 encoding decodes to a VersionedTransaction"
    keys = list(tx.message.account_keys)
    for found in solana.accounts(keys):
        if (
            found is not None
            and found.owner == bridge.program.program_id
            and found.data[:8] == bridge.program.discriminator("OutboundMessage")
        ):
            return bridge.decode_outbound(found.pubkey, found.data)
    raise NotFound(f"transaction {signature} created no dispatch_bridge lock")


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
@click.option("--monad-only", is_flag=True, help="Report Monad's side only (no Solana reads, no invariant check).")
@json_option
@click.pass_obj
def audit(state: CliState, monad_only: bool, as_json: bool) -> None:
    """Check the supply invariant: Solana custody >= wrapped supply + BOLT burned on Monad not yet released.

    Reads Solana (custody, releases, locks at the profile's commitment), then Monad (at one block), and
    reports custody, wrapped supply and the messages in flight each way; exit 1 when the invariant is broken.
    """
    with bridge_errors():
        connections = state.connections()
        solana = None if monad_only else read_solana_supply(connections)  # Solana first: docs/bridge.md
        monad = read_monad_supply(connections.bolt_bridge())
        if solana is None:
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
        report = supply_report(
            monad,
            custody=solana.custody,
            released_on_solana=solana.released,
            locked_on_solana=solana.locked,
            minted_on_monad=executed_on_monad(connections.bolt_bridge(), solana.locked),
        )
    if as_json:
        emit_json({**report.to_json(), "monad_block": monad.block, "solana_next_sequence": solana.next_sequence})
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
    type=click.Choice(["monad", "solana", "both"]),
    default="both",
    show_default=True,
    help="The chain whose outbound messages to attest (on the other chain); both runs the two directions.",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False),
    help="This attester's SQLite store for one direction (default: run/<network>/attester-<from>.sqlite).",
)
@click.option(
    "--confirmations",
    type=click.IntRange(0),
    default=None,
    help="Monad safety depth in blocks (default: the profile's confirmations). Solana locks wait for finalized.",
)
@account_option
@keypair_option
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
    keypair: str | None,
    drain: bool,
    timeout: float,
    interval: float,
) -> None:
    """Run one attester: attest each final source message exactly once with this key, across restarts.

    --from solana attests Solana lock messages (finalized) on Monad with --account (an attester of
    BoltBridge); --from monad attests Monad burns on Solana with --keypair (an attester of dispatch_bridge);
    --from both (the default) runs both, each direction with its own store.
    """
    sources = ["solana", "monad"] if source == "both" else [source]
    if store_path and len(sources) > 1:
        raise InputError("--store names one direction's store: give --from solana or --from monad with it")
    stores = [_store(state, store_path, f"attester-{s}.sqlite") for s in sources]
    try:
        with bridge_errors():
            connections = _connections(state, account, keypair)
            services = [_attester(connections, s, st, confirmations) for s, st in zip(sources, stores, strict=True)]
            total = RoundStats()
            if drain:
                for service in services:
                    total.add(service.drain(timeout=timeout, interval=interval))
            else:
                stop = threading.Event()
                for signum in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(signum, lambda *_: stop.set())
                while not stop.is_set():
                    for service in services:
                        total.add(service.run_once())
                    stop.wait(interval)
            counts = {s: st.counts() for s, st in zip(sources, stores, strict=True)}
    finally:
        for store in stores:
            store.close()
    click.echo(
        f"found {total.found}, attested {total.attested}, already settled {total.settled}, "
        f"refused {total.failed}; stores {counts}"
    )
    for error in total.errors[-5:]:
        click.echo(f"warning: {error}", err=True)


def _attester(
    connections: Connections, source: str, store: AttesterStore, confirmations: int | None
) -> AttesterService:
    if source == "solana":
        target = EvmAttestationTarget(connections.bolt_bridge(), connections.evm_sender)
        return AttesterService(store, solana_message_source(connections), target)
    monad = EvmMessageSource(connections.bolt_bridge(), confirmations=confirmations)
    return AttesterService(store, monad, solana_attestation_target(connections))


@bridge.command()
@click.option(
    "--chain",
    "chains",
    type=click.Choice(["monad", "solana", "both"]),
    default="both",
    show_default=True,
    help="Whose queued transfers to complete.",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False),
    help="An attester store that saw Monad's inbound messages (default: run/<network>/attester-solana.sqlite).",
)
@account_option
@keypair_option
@click.option("--once", is_flag=True, help="One round, then exit.")
@click.option(
    "--interval", type=click.FloatRange(0.05), default=10.0, show_default=True, help="Seconds between rounds."
)
@click.pass_obj
def relay(
    state: CliState,
    chains: str,
    store_path: str | None,
    account: str | None,
    keypair: str | None,
    once: bool,
    interval: float,
) -> None:
    """Complete queued transfers once their delay is over (any account may; costs fees only).

    Monad: BoltBridge's queued mints (message bytes from an attester store) and queued sends, with
    --account. Solana: dispatch_bridge's queued releases (read from the program), paid by --keypair.
    """
    store = _store(state, store_path, "attester-solana.sqlite") if chains in ("monad", "both") else None
    found = completed = waiting = 0
    try:
        with bridge_errors():
            connections = _connections(state, account, keypair)
            monad = EvmRelayer(connections.bolt_bridge(), connections.evm_sender, store) if store else None
            solana = (
                SolanaRelayer(connections.solana_bridge(), connections.solana_keypair)
                if chains in ("solana", "both")
                else None
            )
            stop = threading.Event()
            if not once:
                for signum in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(signum, lambda *_: stop.set())
            while True:
                for relayer in (monad, solana):
                    if relayer is None:
                        continue
                    stats = relayer.run_once()
                    found, completed = found + stats.found, completed + stats.completed
                    for error in stats.errors[-3:]:
                        click.echo(f"warning: {error}", err=True)
                if once or stop.wait(interval):
                    break
            waiting = store.pending_queued() if store else 0
            if solana is not None:
                waiting += sum(r.status.value == "Queued" for r in solana.bridge.inbound_records())
    finally:
        if store is not None:
            store.close()
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
