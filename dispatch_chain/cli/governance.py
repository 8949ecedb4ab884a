"""``dispatch-chain gov``: BOLT holders' governance on Monad (docs/governance.md).

Proposals are written as parameter changes (``--fee-bps 400``,
``--thresholds 150,1500``, ``--price FAST_LLM=0.008``, ``--treasury-spend 1000
--to <pubkey>``), never as raw calldata; ``status`` reads a proposal back from
the governor's storage and shows the same changes. A refusal of the contracts
prints one line with its error name and exits 2 when the input was at fault (a
value outside ProtocolParams' bounds) or 1 when the proposal's state or the
caller's votes or roles do not allow it. Configuration and node trouble exit 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from dispatch_chain.cli.bridge import NotFound, account_option, json_option
from dispatch_chain.cli.common import EXIT_FAILED, CliState, InputError, chain_errors, emit_json
from dispatch_chain.governance import errors
from dispatch_chain.governance.evm import EvmGovernance, Proposal, ProposalState, Support
from dispatch_chain.governance.params import ParamsError
from dispatch_chain.governance.proposals import (
    ParameterChange,
    TreasurySpend,
    format_usdc,
    parse_usdc,
    proposal_description,
)
from dispatch_chain.governance.solana import GOVERNANCE, GovernanceReceiver
from dispatch_chain.protocol import format_bolt, parse_bolt

#: refusals caused by the input: exit 2
INPUT_ERRORS = (
    errors.FeeAboveCap,
    errors.InvalidThresholds,
    errors.ThresholdAboveSupply,
    errors.CooldownTooLong,
    errors.ZeroJobType,
    errors.ZeroPrice,
    errors.UnknownJobType,
    errors.TooManyJobTypes,
    errors.ZeroSpend,
    errors.ZeroRecipient,
    errors.InvalidVoteType,
)


class GovernanceRefused(NotFound):
    """The contracts refused: exit 1 (state, votes, roles) or 2 (input), one line (NotFound's output)."""

    def __init__(self, error: errors.GovernanceReverted) -> None:
        super().__init__(f"{error.error}: {error}")
        self.exit_code = 2 if isinstance(error, INPUT_ERRORS) else EXIT_FAILED


@contextmanager
def governance_errors() -> Iterator[None]:
    with chain_errors():
        try:
            yield
        except errors.GovernanceReverted as exc:
            raise GovernanceRefused(exc) from exc
        except errors.ProposalNotFound as exc:
            raise NotFound(str(exc)) from exc


def _proposal_id(text: str) -> int:
    try:
        value = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise InputError(f"PROPOSAL_ID: {text!r} is not a decimal or 0x-hex proposal id") from None
    if not 0 <= value < 2**256:
        raise InputError("PROPOSAL_ID: outside uint256")
    return value


def _thresholds(text: str) -> tuple[int, int]:
    parts = text.split(",")
    if len(parts) != 2:
        raise InputError(f"--thresholds: {text!r} is not VERIFIED,SENTINEL in BOLT (e.g. 150,1500)")
    try:
        return parse_bolt(parts[0]), parse_bolt(parts[1])
    except ValueError as exc:
        raise InputError(f"--thresholds: {exc}") from None


def _prices(values: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    found = []
    for value in values:
        job_type, sep, amount = value.partition("=")
        if not sep or not job_type:
            raise InputError(f"--price: {value!r} is not TYPE=USDC (e.g. FAST_LLM=0.008)")
        try:
            found.append((job_type, parse_usdc(amount)))
        except ParamsError as exc:
            raise InputError(f"--price: {exc}") from None
    return tuple(found)


def _solana_pubkey(text: str) -> bytes:
    from solders.pubkey import Pubkey

    try:
        return bytes(Pubkey.from_string(text))
    except ValueError:
        raise InputError(f"--to: {text!r} is not a base58 Solana public key") from None


def build_change(
    fee_bps: int | None,
    thresholds: str | None,
    cooldown: int | None,
    prices: tuple[str, ...],
    removed: tuple[str, ...],
    spend: str | None,
    to: str | None,
) -> ParameterChange:
    """The ParameterChange the options describe; InputError (exit 2) for anything malformed."""
    if (spend is None) != (to is None):
        raise InputError("--treasury-spend and --to go together")
    try:
        treasury = None
        if spend is not None and to is not None:
            treasury = TreasurySpend(parse_bolt(spend), _solana_pubkey(to))
        change = ParameterChange(
            fee_bps=fee_bps,
            thresholds=_thresholds(thresholds) if thresholds is not None else None,
            cooldown=cooldown,
            prices=_prices(prices),
            removed_prices=removed,
            treasury_spend=treasury,
        )
    except ValueError as exc:  # ParamsError, parse_bolt
        raise InputError(str(exc)) from None
    if change.empty:
        raise InputError("nothing to propose: give at least one change (see --help)")
    return change


@click.group()
def gov() -> None:
    """Governance: wrapped-BOLT holders propose, vote, queue and execute parameter changes.

    Votes are wrapped BOLT on Monad, delegated (`gov delegate`) before a proposal's snapshot.
    A passed proposal waits out the timelock delay, then anyone executes it; the timelock
    is the only admin of ProtocolParams, ReceiptAnchor and BoltBridge. On Solana the governance
    receiver (init-receiver) holds the staking and settlement admin roles; each attester runs
    `watch` to carry executed changes there, and pay-spend pays a treasury spend after its
    6-month delay. See docs/governance.md.
    """


@gov.command()
@json_option
@click.pass_obj
def params(state: CliState, as_json: bool) -> None:
    """Show the governed parameters (ProtocolParams) and their version."""
    with governance_errors():
        current = state.connections().governance().params()
    if as_json:
        emit_json(current.to_json())
        return
    click.echo(f"version {current.version}")
    click.echo(f"protocol fee: {current.fee_bps} bps")
    click.echo(
        f"tiers: VERIFIED {format_bolt(current.verified_threshold)} BOLT, "
        f"SENTINEL {format_bolt(current.sentinel_threshold)} BOLT"
    )
    click.echo(f"unstake cooldown: {current.unstake_cooldown} s")
    for job_type, price in current.prices.items():
        click.echo(f"price {job_type}: {format_usdc(price)} USDC")


@gov.command()
@click.option("--to", "delegatee", help="Delegate to this address (default: yourself).")
@account_option
@click.pass_obj
def delegate(state: CliState, delegatee: str | None, account: str | None) -> None:
    """Delegate your wrapped BOLT votes (to yourself by default); undelegated balances do not vote."""
    with governance_errors():
        connections = state.connections(account)
        client = connections.governance()
        client.delegate(connections.evm_sender, delegatee)
        votes = client.votes(delegatee or connections.evm_sender.address)
    click.echo(f"delegated; {delegatee or connections.evm_sender.address} has {format_bolt(votes)} votes")


@gov.command()
@click.option("--fee-bps", type=int, help="New protocol fee in basis points (0..1000).")
@click.option("--thresholds", help="New tier thresholds VERIFIED,SENTINEL in BOLT, e.g. 150,1500.")
@click.option("--cooldown", type=int, help="New unstake cooldown in seconds (at most 90 days).")
@click.option("--price", "prices", multiple=True, help="Set a job price: TYPE=USDC, e.g. FAST_LLM=0.008 (repeatable).")
@click.option("--remove-price", "removed", multiple=True, help="Remove a job type from the price table (repeatable).")
@click.option("--treasury-spend", "spend", help="BOLT to pay from the Solana treasury (with --to).")
@click.option("--to", help="Solana owner (base58) the treasury spend pays.")
@click.option("--title", default="Parameter change", show_default=True, help="The proposal's title.")
@click.option("--dry-run", is_flag=True, help="Print the proposal's changes and calls without sending it.")
@account_option
@json_option
@click.pass_obj
def propose(
    state: CliState,
    fee_bps: int | None,
    thresholds: str | None,
    cooldown: int | None,
    prices: tuple[str, ...],
    removed: tuple[str, ...],
    spend: str | None,
    to: str | None,
    title: str,
    dry_run: bool,
    account: str | None,
    as_json: bool,
) -> None:
    """Propose a parameter change; prints the proposal id.

    The proposer needs the governor's proposal threshold in delegated votes. The title and the
    changes form the description, so the same change can be proposed again under another title.
    """
    change = build_change(fee_bps, thresholds, cooldown, prices, removed, spend, to)
    with governance_errors():
        connections = state.connections(None if dry_run else account)
        client = connections.governance()
        calls = change.calls(client.params_contract.address)
        lines = change.describe(client.params_contract.address)
        description = proposal_description(title, lines)
        proposal_id = client.proposal_id(calls, description)
        tx = None
        if not dry_run:
            proposal_id, receipt = client.propose(connections.evm_sender, calls, description)
            tx = "0x" + bytes(receipt["transactionHash"]).hex()
    if as_json:
        emit_json(
            {
                "id": str(proposal_id),
                "changes": lines,
                "description": description,
                "tx": tx,
                "calls": [{"target": c.target, "data": "0x" + c.data.hex()} for c in calls],
            }
        )
        return
    click.echo(f"{'would propose' if dry_run else 'proposed'} {proposal_id}")
    for line in lines:
        click.echo(f"  {line}")


@gov.command()
@click.argument("proposal_id")
@click.argument("support", type=click.Choice([s.name.lower() for s in Support]))
@click.option("--reason", default="", help="A reason recorded with the vote.")
@account_option
@click.pass_obj
def vote(state: CliState, proposal_id: str, support: str, reason: str, account: str | None) -> None:
    """Vote on an active proposal: for, against or abstain (with your votes at its snapshot)."""
    number = _proposal_id(proposal_id)
    with governance_errors():
        connections = state.connections(account)
        client = connections.governance()
        client.cast_vote(connections.evm_sender, number, Support[support.upper()], reason)
        proposal = client.proposal(number)
    click.echo(f"voted {support}; {_tally(proposal)}")


@gov.command()
@click.argument("proposal_id")
@account_option
@click.pass_obj
def queue(state: CliState, proposal_id: str, account: str | None) -> None:
    """Queue a succeeded proposal in the timelock (anyone may)."""
    number = _proposal_id(proposal_id)
    with governance_errors():
        connections = state.connections(account)
        client = connections.governance()
        client.queue(connections.evm_sender, number)
        proposal = client.proposal(number)
    click.echo(f"queued; executable from {proposal.eta} until {proposal.execute_before} (unix time)")


@gov.command()
@click.argument("proposal_id")
@account_option
@click.pass_obj
def execute(state: CliState, proposal_id: str, account: str | None) -> None:
    """Execute a queued proposal once its timelock delay is over (anyone may)."""
    number = _proposal_id(proposal_id)
    with governance_errors():
        connections = state.connections(account)
        client = connections.governance()
        client.execute(connections.evm_sender, number)
        current = client.params()
    click.echo(f"executed; ProtocolParams is at version {current.version}")


@gov.command()
@click.argument("proposal_id", required=False)
@json_option
@click.pass_obj
def status(state: CliState, proposal_id: str | None, as_json: bool) -> None:
    """A proposal's state, votes against quorum, timelock ETA and changes; without an id, every proposal.

    When the manifest records the Solana governance receiver, also which ProtocolParams version
    Solana has applied (fee, thresholds, cooldown), against Monad's.
    """
    number = None if proposal_id is None else _proposal_id(proposal_id)
    with governance_errors():
        client = state.connections().governance()
        ids = [number] if number is not None else client.proposal_ids()
        proposals = [client.proposal(i) for i in ids]
        solana = _solana_applied(state, client)
    if as_json:
        data = [p.to_json() for p in proposals] if number is None else proposals[0].to_json()
        emit_json(
            {"proposals": data, "solana": solana} if number is None else {**proposals[0].to_json(), "solana": solana}
        )
        return
    if not proposals:
        click.echo("no proposals")
    for proposal in proposals:
        _show(proposal, client)
    if solana is not None:
        state_line = "applied" if solana["applied_version"] >= solana["monad_version"] else "not yet applied"
        click.echo(
            f"solana: {state_line}: receiver at version {solana['applied_version']}, "
            f"ProtocolParams at {solana['monad_version']}; fee {solana['fee_bps']} bps on Solana"
        )


def _solana_applied(state: CliState, client: EvmGovernance) -> dict[str, int] | None:
    """Solana's applied params version against Monad's, when the manifest has the receiver; else None."""
    connections = state.connections()
    solana = connections.manifest.solana
    if solana is None or GOVERNANCE not in solana.programs or connections.profile.solana is None:
        return None
    from dispatch_chain.solana.programs import SETTLEMENT, IdlProgram

    receiver = GovernanceReceiver(connections.solana, IdlProgram.load(GOVERNANCE, solana.programs[GOVERNANCE]))
    config = receiver.find_config()
    if config is None:
        return None
    settlement = IdlProgram.load(SETTLEMENT)
    fee = settlement.read("SettlementConfig", connections.solana.account(settlement.pda(b"config")))
    return {
        "applied_version": config.applied_version,
        "monad_version": client.params().version,
        "fee_bps": int(fee.fee_bps) if fee is not None else -1,
    }


def _tally(proposal: Proposal) -> str:
    quorum = f" of quorum {format_bolt(proposal.quorum)}" if proposal.quorum else ""
    return (
        f"for {format_bolt(proposal.votes_for)}, against {format_bolt(proposal.votes_against)}, "
        f"abstain {format_bolt(proposal.votes_abstain)}{quorum}"
    )


def _show(proposal: Proposal, client: EvmGovernance) -> None:
    click.echo(f"proposal {proposal.id}: {proposal.state.name.lower()}")
    for line in proposal.lines():
        click.echo(f"  {line}")
    click.echo(f"  votes: {_tally(proposal)}")
    if proposal.state in (ProposalState.PENDING, ProposalState.ACTIVE):
        click.echo(f"  voting from {proposal.snapshot} to {proposal.deadline} (unix time)")
    if proposal.state == ProposalState.QUEUED:
        click.echo(f"  executable from {proposal.eta} until {proposal.execute_before} (unix time)")


@gov.command("init-receiver")
@click.option("--attester", "attesters", multiple=True, required=True, help="Attester pubkey (repeatable, 1 to 16).")
@click.option("--threshold", type=click.IntRange(1, 16), required=True, help="Distinct attesters needed to apply.")
@click.option(
    "--keep-admin", is_flag=True, help="Development: do not hand the staking and settlement admin roles over."
)
@click.option(
    "--keypair",
    type=click.Path(dir_okay=False),
    help="The receiver's upgrade authority, also the current "
    "admin of staking and settlement (default: $DISPATCH_SOLANA_KEYPAIR).",
)
@click.pass_obj
def init_receiver(
    state: CliState, attesters: tuple[str, ...], threshold: int, keep_admin: bool, keypair: str | None
) -> None:
    """Initialise dispatch_governance and hand it the admin roles of dispatch_staking and dispatch_settlement.

    The source is the manifest's ProtocolParams on the profile's EVM chain. The signer must be the
    program's upgrade authority and the current admin of both programs. Records the receiver in the
    manifest. With --keep-admin the roles stay with the signer (local development).
    """
    from solders.pubkey import Pubkey

    from dispatch_chain.connect import Connections
    from dispatch_chain.governance.deploy import init_receiver as wire_receiver

    try:
        keys = [Pubkey.from_string(a) for a in attesters]
    except ValueError as exc:
        raise InputError(f"--attester: {exc}") from None
    if threshold > len(keys):
        raise InputError(f"--threshold {threshold} exceeds the {len(keys)} attesters")
    with governance_errors():
        profile = state.profile()
        connections = Connections(profile, solana_keypair_path=keypair)
        evm = connections.manifest.require_evm()
        if profile.evm is None:
            raise InputError("the network profile has no EVM chain (the governance source)")
        wire_receiver(
            connections.solana,
            connections.solana_keypair,
            monad_chain=profile.evm.caip2,
            params_address=evm.contract("ProtocolParams").address,
            attesters=keys,
            threshold=threshold,
            keep_admin=keep_admin,
            manifest=profile.manifest,
            network=profile.name,
        )
    roles = (
        "the signer keeps the staking and settlement admin roles"
        if keep_admin
        else ("it is now the admin of dispatch_staking and dispatch_settlement")
    )
    click.echo(f"dispatch_governance initialised ({threshold} of {len(keys)} attesters); {roles}")


@gov.command()
@click.option(
    "--keypair",
    type=click.Path(dir_okay=False),
    help="This attester's Solana key (solana-keygen JSON; default: $DISPATCH_SOLANA_KEYPAIR).",
)
@click.option(
    "--store",
    type=click.Path(dir_okay=False),
    help="The watcher's cursor database (default: run/<network>/governance-watcher-<attester>.sqlite).",
)
@click.option(
    "--confirmations",
    type=click.IntRange(0),
    default=None,
    help="Monad blocks to wait before carrying a change (default: the profile's confirmations).",
)
@click.option("--interval", type=click.FloatRange(0.1), default=2.0, show_default=True, help="Seconds between steps.")
@click.option("--once", is_flag=True, help="Run one step and exit.")
@click.pass_obj
def watch(
    state: CliState, keypair: str | None, store: str | None, confirmations: int | None, interval: float, once: bool
) -> None:
    """Carry ProtocolParams changes from Monad to Solana as this attester (attest, and apply at the threshold)."""
    import time

    from dispatch_chain.connect import Connections, run_dir
    from dispatch_chain.governance.watcher import GovernanceWatcher, WatcherStore

    with governance_errors():
        profile = state.profile()
        connections = Connections(profile, solana_keypair_path=keypair)
        evm = connections.manifest.require_evm()
        if profile.evm is None:
            raise InputError("the network profile has no EVM chain (the governance source)")
        params = evm.contract("ProtocolParams")
        attester = connections.solana_keypair
        path = store or run_dir(profile) / f"governance-watcher-{attester.pubkey()}.sqlite"
        receiver = GovernanceReceiver(connections.solana)
        watcher = GovernanceWatcher(
            connections.evm,
            params.address,
            receiver,
            attester,
            WatcherStore(path),
            monad_chain=profile.evm.caip2,
            solana_chain=connections.solana.caip2,
            mint=receiver.staked_mint(),
            start_block=params.block or 0,
            confirmations=profile.evm.confirmations if confirmations is None else confirmations,
        )
        while True:
            result = watcher.step()
            if result.version is not None:
                click.echo(f"version {result.version}: attested {result.attested}, applied {result.applied}")
            if once:
                return
            time.sleep(interval)


@gov.command("pay-spend")
@click.argument("spend_id", type=click.IntRange(1, 2**64 - 1))
@click.option("--keypair", type=click.Path(dir_okay=False), help="Pays the fees (default: $DISPATCH_SOLANA_KEYPAIR).")
@click.pass_obj
def pay_spend(state: CliState, spend_id: int, keypair: str | None) -> None:
    """Pay an approved treasury spend on Solana to its recipient, once its 6-month delay has passed (anyone may).

    Exit 1 with the program's error when it is not approved (SpendNotApproved), not due yet
    (SpendNotDue) or paid already (SpendAlreadyPaid).
    """
    from spl.token import instructions as token_ix

    from dispatch_chain.connect import Connections
    from dispatch_chain.solana.bolt import associated_token_account
    from dispatch_chain.solana.errors import ProgramError

    with governance_errors():
        connections = Connections(state.profile(), solana_keypair_path=keypair)
        receiver = GovernanceReceiver(connections.solana)
        record = receiver.spend(spend_id)
        if record is None:
            raise NotFound(f"no treasury spend {spend_id} has been attested on Solana")
        mint = receiver.config().treasury_mint
        payer = connections.solana_keypair
        token = associated_token_account(record.recipient, mint)
        try:
            connections.solana.send(
                [
                    token_ix.create_idempotent_associated_token_account(payer.pubkey(), record.recipient, mint),
                    receiver.pay_spend_instruction(spend_id, token, mint=mint),
                ],
                [payer],
            )
        except ProgramError as exc:
            raise NotFound(f"{exc.name}: {exc}") from exc
    click.echo(f"paid treasury spend {spend_id}: {format_bolt(record.amount)} BOLT to {record.recipient}")
