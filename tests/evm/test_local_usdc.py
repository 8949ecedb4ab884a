"""LocalUsdc on anvil: deployed and funded by `ape run deploy`, 6 decimals, EIP-3009
transferWithAuthorization (replay, expiry, wrong signer refused) and EIP-2612 permit."""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager

import pytest
from ape import chain
from eth_account import Account
from eth_account.messages import encode_typed_data

from dispatch_chain.deployments import load_manifest
from dispatch_chain.keys import dev_account

from support import sign_permit

USDC = 10**6


def _chain_now() -> int:
    """The chain's time, not the wall clock's: ape's isolation rolls anvil back, time included,
    and other tests move it forward, so the two differ by minutes or days in a full run."""
    return int(chain.blocks.head.timestamp)


@contextmanager
def reverts(error: str):
    """The call reverts with the custom error ``error`` (ape raises a class of that name)."""
    with pytest.raises(Exception) as raised:
        yield
    assert type(raised.value).__name__ == error, f"{type(raised.value).__name__}: {raised.value}"


def _authorization(usdc, signer, to: str, value: int, *, valid_after: int = 0, valid_before: int | None = None,
                   nonce: bytes | None = None, chain_id: int = 31337):
    nonce = nonce or os.urandom(32)
    valid_before = valid_before if valid_before is not None else _chain_now() + 3600
    message = {"from": signer.address, "to": to, "value": value, "validAfter": valid_after,
               "validBefore": valid_before, "nonce": nonce}
    typed = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            "TransferWithAuthorization": [
                {"name": "from", "type": "address"}, {"name": "to", "type": "address"},
                {"name": "value", "type": "uint256"}, {"name": "validAfter", "type": "uint256"},
                {"name": "validBefore", "type": "uint256"}, {"name": "nonce", "type": "bytes32"}],
        },
        "primaryType": "TransferWithAuthorization",
        "domain": {"name": "USD Coin", "version": "1", "chainId": chain_id, "verifyingContract": usdc.address},
        "message": message,
    }
    signed = Account.sign_message(encode_typed_data(full_message=typed), signer.key)
    return (signer.address, to, value, valid_after, valid_before, nonce, signed.v, signed.r.to_bytes(32, "big"),
            signed.s.to_bytes(32, "big"))


@pytest.fixture(scope="module")
def usdc(project, accounts):
    owner = accounts[0]
    return owner.deploy(project.LocalUsdc, owner.address), owner


def test_six_decimals_and_only_the_owner_mints(usdc, accounts) -> None:
    token, owner = usdc
    assert (token.decimals(), token.symbol(), token.name()) == (6, "USDC", "USD Coin")
    token.mint(accounts[1], 5 * USDC, sender=owner)
    assert token.balanceOf(accounts[1]) == 5 * USDC
    with reverts("OwnableUnauthorizedAccount"):
        token.mint(accounts[2], USDC, sender=accounts[2])
    with reverts("LocalUsdcZeroAmount"):
        token.mint(accounts[2], 0, sender=owner)


def test_transfer_with_authorization_once_in_its_window(usdc, accounts) -> None:
    token, owner = usdc
    payer, payee, relayer = dev_account(3), accounts[4].address, accounts[5]
    token.mint(payer.address, 10 * USDC, sender=owner)
    args = _authorization(token, payer, payee, 2 * USDC)
    receipt = token.transferWithAuthorization(*args, sender=relayer)  # anyone may submit it
    assert token.balanceOf(payee) == 2 * USDC and token.authorizationState(payer.address, args[5])
    assert [log.event_name for log in receipt.decode_logs()] == ["AuthorizationUsed", "Transfer"]
    with reverts("ERC3009UsedAuthorization"):
        token.transferWithAuthorization(*args, sender=relayer)  # replayed
    expired = _authorization(token, payer, payee, USDC, valid_before=_chain_now() - 10)
    with reverts("ERC3009InvalidAuthorizationTime"):
        token.transferWithAuthorization(*expired, sender=relayer)
    forged = list(_authorization(token, dev_account(6), payee, USDC))
    forged[0] = payer.address  # signed by someone else on the payer's behalf
    with reverts("ERC3009InvalidSignature"):
        token.transferWithAuthorization(*forged, sender=relayer)
    other_chain = _authorization(token, payer, payee, USDC, chain_id=10143)
    with reverts("ERC3009InvalidSignature"):
        token.transferWithAuthorization(*other_chain, sender=relayer)
    assert token.balanceOf(payer.address) == 8 * USDC


def test_permit(usdc, accounts) -> None:
    token, owner = usdc
    holder, spender = dev_account(7), accounts[8]
    deadline = _chain_now() + 3600
    v, r, s = sign_permit("USD Coin", 31337, token.address, holder, spender.address, 3 * USDC,
                          token.nonces(holder.address), deadline)
    token.permit(holder.address, spender.address, 3 * USDC, deadline, v, r, s, sender=owner)
    assert token.allowance(holder.address, spender.address) == 3 * USDC and token.nonces(holder.address) == 1
    with reverts("ERC2612InvalidSigner"):  # the nonce moved on: a replay fails
        token.permit(holder.address, spender.address, 3 * USDC, deadline, v, r, s, sender=owner)


def test_deploy_script_deploys_records_and_funds(repo_root, chain, tmp_path) -> None:
    manifest = tmp_path / "local.json"
    agent = dev_account(9).address
    proc = subprocess.run([shutil.which("ape"), "run", "deploy", "--network", chain.provider.uri, "--manifest",
                           str(manifest), "--fund-usdc", f"{agent}=25.5"], cwd=repo_root, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    usdc = load_manifest(manifest).require_evm().contract("USDC")
    assert not usdc.official and usdc.deployer == dev_account(0).address
    from ape import Contract, project
    token = Contract(usdc.address, contract_type=project.LocalUsdc.contract_type)
    assert token.balanceOf(agent) == 25_500_000 and token.decimals() == 6
    bad = subprocess.run([shutil.which("ape"), "run", "deploy", "--network", chain.provider.uri, "--manifest",
                          str(manifest), "--fund-usdc", f"{agent}=0.0000001"], cwd=repo_root, capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode == 2 and "at most 6 decimals" in bad.stderr
