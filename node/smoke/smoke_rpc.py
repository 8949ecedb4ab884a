"""Smoke test of dispatch-solana-node with the real Python clients.

Starts the node on a free port with dispatch_settlement's SBF build deployed
(upgrade authority: the payer) and drives it with solana-py's Client, the
spl-token helpers and the project's IDL coder (IdlProgram) exactly as code aimed
at devnet would: airdrop, an SPL mint and token accounts, a transfer, balances,
confirmation, getTransaction with logs, getProgramAccounts with a memcmp filter,
an Anchor instruction, and an Anchor custom error refused in preflight.

    python node/smoke/smoke_rpc.py [path/to/dispatch-solana-node]

Needs solana-py and solders as toolchain/requirements.lock pins them (the
project's venv has them) and $DISPATCH_SBF_DIR (./dev sets it; run it with ./dev run).
The binary defaults to $DISPATCH_SOLANA_NODE_BIN, else the debug build in
$CARGO_TARGET_DIR (~/.cache/dispatch-chain/cargo-target).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from solana.exceptions import SolanaRpcException
from solana.rpc.api import Client
from solana.rpc.commitment import Confirmed
from solana.rpc.core import RPCException
from solana.rpc.types import MemcmpOpts, TokenAccountOpts, TxOpts
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import ID as SYSTEM_PROGRAM_ID
from solders.transaction import Transaction
from solders.transaction_status import TransactionConfirmationStatus
from spl.token.client import Token
from spl.token.constants import TOKEN_PROGRAM_ID

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from dispatch_chain.solana.programs import IdlProgram  # noqa: E402

SOL = 1_000_000_000
BPF_LOADER_UPGRADEABLE = Pubkey.from_string("BPFLoaderUpgradeab1e11111111111111111111111")


def node_binary() -> str:
    if len(sys.argv) > 1:
        return sys.argv[1]
    if os.environ.get("DISPATCH_SOLANA_NODE_BIN"):
        return os.environ["DISPATCH_SOLANA_NODE_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", str(Path.home() / ".cache/dispatch-chain/cargo-target"))
    return str(Path(target) / "debug" / "dispatch-solana-node")


def start_node(authority: Pubkey) -> tuple[subprocess.Popen, str]:
    program_id = IdlProgram.load("dispatch_settlement").program_id
    so = Path(os.environ["DISPATCH_SBF_DIR"]) / "dispatch_settlement.so"
    proc = subprocess.Popen([node_binary(), "--port", "0", "--upgradeable-program", str(program_id), str(so),
                             str(authority)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    prefix = "dispatch-solana-node ready "
    assert line.startswith(prefix), f"unexpected first line: {line!r}"
    return proc, line[len(prefix):]


def check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)
    print(f"ok  {what}")


def spl_flow(client: Client, payer: Keypair) -> tuple[Keypair, Pubkey]:
    sig = client.request_airdrop(payer.pubkey(), 10 * SOL).value
    client.confirm_transaction(sig, commitment=Confirmed)
    check(client.get_balance(payer.pubkey()).value == 10 * SOL, "airdrop credited 10 SOL")

    token = Token.create_mint(client, payer, payer.pubkey(), 9, TOKEN_PROGRAM_ID)
    source = token.create_account(payer.pubkey())
    receiver = Keypair()
    dest = token.create_account(receiver.pubkey())
    token.mint_to(source, payer, 1_000 * 10**9, opts=TxOpts(preflight_commitment=Confirmed))
    resp = token.transfer(source, dest, payer, 250 * 10**9, opts=TxOpts(preflight_commitment=Confirmed))
    client.confirm_transaction(resp.value, commitment=Confirmed)
    check(token.get_balance(dest).value.ui_amount == 250.0, "transfer moved 250 tokens")
    check(token.get_balance(source).value.amount == str(750 * 10**9), "sender keeps 750 tokens")
    check(token.get_mint_info().supply == 1_000 * 10**9, "mint supply is 1000 tokens")

    status = client.get_signature_statuses([resp.value], search_transaction_history=True).value[0]
    check(status is not None and status.err is None
          and status.confirmation_status == TransactionConfirmationStatus.Finalized, "transfer is final")
    tx = client.get_transaction(resp.value, max_supported_transaction_version=0).value
    check(tx is not None and tx.transaction.meta is not None, "getTransaction returns the transfer")
    meta = tx.transaction.meta
    check(any(str(TOKEN_PROGRAM_ID) in line for line in meta.log_messages or []), "transfer logs name SPL Token")
    check(meta.fee == 5000 and meta.pre_token_balances and meta.post_token_balances, "fee and token balances in meta")

    owned = client.get_program_accounts(
        TOKEN_PROGRAM_ID, filters=[165, MemcmpOpts(offset=32, bytes=str(receiver.pubkey()))]
    ).value
    check([a.pubkey for a in owned] == [dest], "getProgramAccounts memcmp finds the receiver's account")
    by_owner = client.get_token_accounts_by_owner_json_parsed(
        receiver.pubkey(), TokenAccountOpts(mint=token.pubkey)
    ).value
    check(len(by_owner) == 1, "getTokenAccountsByOwner (jsonParsed) finds it too")
    return payer, token.pubkey


def anchor_flow(client: Client, payer: Keypair, mint: Pubkey) -> None:
    settlement = IdlProgram.load("dispatch_settlement")
    config = settlement.pda(b"config")
    accounts = {"admin": payer.pubkey(), "config": config, "mint": mint, "system_program": SYSTEM_PROGRAM_ID}

    def send(fee_bps: int):  # type: ignore[no-untyped-def]
        ix = settlement.instruction("initialize", fee_bps, accounts=accounts)
        blockhash = client.get_latest_blockhash().value.blockhash
        return client.send_transaction(Transaction.new_signed_with_payer([ix], payer.pubkey(), [payer], blockhash))

    try:
        send(20_000)
    except (RPCException, SolanaRpcException) as err:
        check("0x1771" in str(err) or "6001" in str(err),
              "Anchor custom error 6001 (FeeTooHigh) refused in preflight")
    else:
        raise AssertionError("initialize with a fee above the cap must fail")
    client.confirm_transaction(send(500).value, commitment=Confirmed)
    info = client.get_account_info(config).value
    check(info is not None, "the config account exists")
    assert info is not None
    fetched = settlement.decode("SettlementConfig", bytes(info.data))
    check(fetched.fee_bps == 500 and fetched.admin == payer.pubkey() and fetched.mint == mint,
          "Anchor initialize wrote the config")


def main() -> int:
    payer = Keypair()  # also the program's upgrade authority: only it may initialise
    proc, url = start_node(payer.pubkey())
    try:
        client = Client(url)
        check(client.is_connected(), f"node answers at {url}")
        payer, mint = spl_flow(client, payer)
        anchor_flow(client, payer, mint)
        print("smoke: all checks passed")
        return 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
