"""LiteSVM (solders) with a program's real SBF build, for the Python tests of
dispatch_vesting and dispatch_rewards: ``<name>.so`` in ``DISPATCH_SBF_V0_DIR`` (the
SBF build ./dev setup makes of every program), SPL Token helpers, a settable clock."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
import spl.token.instructions as token_ix
from solders.account import Account
from solders.clock import Clock
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from solders.transaction import Transaction
from solders.transaction_metadata import FailedTransactionMetadata

from dispatch_chain.settings import Settings
from dispatch_chain.solana.client import TOKEN_PROGRAM
from dispatch_chain.solana.programs import BPF_LOADER_UPGRADEABLE, IdlProgram, programdata_address

BOLT = 10**9
MINT_SIZE = 82


def so_path(name: str) -> Path:
    folder = Settings.from_env().sbf_v0_dir
    if not folder:
        pytest.fail("DISPATCH_SBF_V0_DIR is not set: run the tests through ./dev, whose setup builds the programs to SBF")
    return Path(folder) / f"{name}.so"


# The upgrade authority sbf_chain gives every program: the only signer `initialize` accepts.
DEPLOYER = Keypair.from_seed(bytes([0xDE] * 32))


class Chain:
    def __init__(self, svm: LiteSVM) -> None:
        self.svm = svm
        self.deployer = DEPLOYER
        svm.airdrop(DEPLOYER.pubkey(), 100 * 10**9)

    def send(self, instructions: list, signers: list[Keypair]):
        tx = Transaction.new_signed_with_payer(instructions, signers[0].pubkey(), signers, self.svm.latest_blockhash())
        result = self.svm.send_transaction(tx)
        self.svm.expire_blockhash()
        return result

    def ok(self, instructions: list, signers: list[Keypair]) -> None:
        result = self.send(instructions, signers)
        assert not isinstance(result, FailedTransactionMetadata), f"{result.err()}\n" + "\n".join(result.meta().logs)

    def fails(self, instructions: list, signers: list[Keypair], code: int) -> None:
        """The transaction fails with the program's custom error ``code``."""
        result = self.send(instructions, signers)
        assert isinstance(result, FailedTransactionMetadata), "the transaction succeeded"
        assert f"Custom({code})" in str(result.err()), str(result.err())

    def set_time(self, unix_timestamp: int) -> None:
        c = self.svm.get_clock()
        self.svm.set_clock(Clock(c.slot + 1, c.epoch_start_timestamp, c.epoch, c.leader_schedule_epoch,
                                 unix_timestamp))

    def funded(self) -> Keypair:
        keypair = Keypair()
        self.svm.airdrop(keypair.pubkey(), 10 * 10**9)
        return keypair

    def create_mint(self, authority: Keypair) -> Pubkey:
        mint = Keypair()
        rent = self.svm.minimum_balance_for_rent_exemption(MINT_SIZE)
        self.ok([create_account(CreateAccountParams(from_pubkey=authority.pubkey(), to_pubkey=mint.pubkey(),
                                                    lamports=rent, space=MINT_SIZE, owner=TOKEN_PROGRAM)),
                 token_ix.initialize_mint(token_ix.InitializeMintParams(
                     decimals=9, mint=mint.pubkey(), mint_authority=authority.pubkey(), program_id=TOKEN_PROGRAM))],
                [authority, mint])
        return mint.pubkey()

    def mint_to(self, authority: Keypair, mint: Pubkey, account: Pubkey, amount: int) -> None:
        self.ok([token_ix.mint_to(token_ix.MintToParams(program_id=TOKEN_PROGRAM, mint=mint, dest=account,
                                                        mint_authority=authority.pubkey(), amount=amount))],
                [authority])

    def token_balance(self, account: Pubkey) -> int:
        """The token account's balance; 0 when it does not exist (yet)."""
        found = self.svm.get_account(account)
        return 0 if found is None else struct.unpack_from("<Q", bytes(found.data), 64)[0]

    def data(self, address: Pubkey) -> bytes:
        return bytes(self.svm.get_account(address).data)


def sbf_chain(*names: str) -> Chain:
    """A LiteSVM with the SBF builds of ``names`` at their IDL addresses; fails clearly when a build is missing."""
    svm = LiteSVM()
    for name in names:
        path = so_path(name)
        if not path.is_file():
            pytest.fail(f"no SBF build of {name} at {path}: run toolchain/run-tests.sh, or build it as "
                        "docs/solana-programs.md ('Building for SBF') says and set " + f"{name.upper()}_SO")
        deploy_upgradeable(svm, IdlProgram.load(name).program_id, path.read_bytes(), DEPLOYER.pubkey())
    return Chain(svm)


def deploy_upgradeable(svm: LiteSVM, program_id: Pubkey, elf: bytes, authority: Pubkey) -> None:
    """``elf`` at ``program_id`` as a validator holds it: a Program account of the BPF upgradeable
    loader pointing at its ProgramData (header: tag 3, slot, upgrade authority), which ``initialize``'s
    upgrade-authority gate reads. (solders' ``add_program`` uses the non-upgradeable loader.)"""
    data_address = programdata_address(program_id)
    data = struct.pack("<IQB", 3, 0, 1) + bytes(authority) + elf
    rent = svm.minimum_balance_for_rent_exemption
    svm.set_account(data_address, Account(rent(len(data)), data, BPF_LOADER_UPGRADEABLE, False, 0))
    program = struct.pack("<I", 2) + bytes(data_address)
    svm.set_account(program_id, Account(rent(len(program)), program, BPF_LOADER_UPGRADEABLE, True, 0))
