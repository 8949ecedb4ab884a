"""``dispatch-chain receipt``: offline checks of receipts (no chain needed)."""

from __future__ import annotations

import click

from dispatch_chain.cli.common import EXIT_FAILED, InputError, emit_json, printable, read_json
from dispatch_chain.receipts import JobComplete, ReceiptError, SignedReceipt


@click.group()
def receipt() -> None:
    """Check receipts offline: signatures, hashes (no chain needed)."""


def _parse(document: object) -> tuple[SignedReceipt, JobComplete | None]:
    if isinstance(document, dict) and "type" in document:
        message = JobComplete.from_message(document)
        return message.signed, message
    if isinstance(document, dict) and set(document) >= {"receipt", "receipt_signature"}:
        return SignedReceipt.from_parts(document["receipt"], document["receipt_signature"]), None
    raise ReceiptError(None, "expected a job_complete message or an object with receipt and receipt_signature")


@receipt.command()
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify(file: str, as_json: bool) -> None:
    """Verify the ed25519 signature of a job_complete message in FILE ('-' for stdin).

    Also accepts {"receipt": ..., "receipt_signature": ...}. Exit 0 when the
    signature verifies, 1 when it does not, 2 when the input is malformed.
    """
    document = read_json(file)
    try:
        signed, _ = _parse(document)
    except ReceiptError as exc:
        if as_json:
            emit_json({"valid": False, "error": str(exc), "field": exc.field})
        raise InputError(str(exc)) from None
    valid = signed.is_valid()
    result = {
        "valid": valid,
        "job_id": signed.receipt.job_id,
        "provider": signed.receipt.provider_id,
        "receipt_hash": "0x" + signed.receipt.receipt_hash().hex(),
    }
    if as_json:
        emit_json(result)
    elif valid:
        click.echo(printable(f"valid: receipt {signed.receipt.job_id!r} signed by {result['provider']}"))
        click.echo(f"receipt_hash {result['receipt_hash']}")
    else:
        click.echo("invalid: receipt_signature: ed25519 signature does not verify for provider_pubkey", err=True)
    if not valid:
        raise SystemExit(EXIT_FAILED)


@receipt.command("hash")
@click.argument("file", type=click.Path(allow_dash=True))
def hash_(file: str) -> None:
    """Print receipt_hash, the Merkle leaf values and leaf hash of the receipt in FILE."""
    from dispatch_chain.merkle import leaf_hash

    try:
        signed, _ = _parse(read_json(file))
    except ReceiptError as exc:
        raise InputError(str(exc)) from None
    values = signed.leaf_values()
    click.echo(f"receipt_hash    0x{values[0].hex()}")
    click.echo(f"provider_key    0x{values[1].hex()}")
    click.echo(f"signature_hash  0x{values[2].hex()}")
    click.echo(f"leaf            0x{leaf_hash(values).hex()}")
