"""The Python side of worker rewards against the real dispatch_rewards SBF
build in LiteSVM (solders): an epoch computed in Python, its root posted
with RewardsProgram's instructions, and every worker claiming from its claim
file, so the Python tree and leaves are exactly what the program verifies.

The .so is the one `toolchain/run-tests.sh` builds before the tests
(`$CARGO_TARGET_DIR/sbf-solana-upstream/release/libdispatch_rewards.so`, or
DISPATCH_REWARDS_SO)."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
import spl.token.instructions as token_ix
from solders.clock import Clock
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from solders.transaction import Transaction
from solders.transaction_metadata import FailedTransactionMetadata

from dispatch_chain.rewards import RewardTree, SettledJob, compute_epoch, read_claim_file, write_claim_files
from dispatch_chain.rewards.claims import ClaimFile
from dispatch_chain.rewards.program import RewardsProgram
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.client import TOKEN_PROGRAM
from dispatch_chain.solana.programs import AnchorProgram

START = 1_800_000_000
WEEK = 7 * 24 * 3600
BOLT = 10**9
MINT_SIZE = 82


def so_path() -> Path:
    if "DISPATCH_REWARDS_SO" in os.environ:
        return Path(os.environ["DISPATCH_REWARDS_SO"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", Path(__file__).resolve().parents[2] / "target"))
    return target / "sbf-solana-upstream" / "release" / "libdispatch_rewards.so"


class Chain:
    def __init__(self, svm: LiteSVM) -> None:
        self.svm = svm

    def send(self, instructions: list, signers: list[Keypair]):
        tx = Transaction.new_signed_with_payer(instructions, signers[0].pubkey(), signers, self.svm.latest_blockhash())
        result = self.svm.send_transaction(tx)
        self.svm.expire_blockhash()
        return result

    def ok(self, instructions: list, signers: list[Keypair]) -> None:
        result = self.send(instructions, signers)
        assert not isinstance(result, FailedTransactionMetadata), f"{result.err()}\n" + "\n".join(result.meta().logs)

    def set_time(self, unix_timestamp: int) -> None:
        c = self.svm.get_clock()
        self.svm.set_clock(Clock(c.slot + 1, c.epoch_start_timestamp, c.epoch, c.leader_schedule_epoch,
                                 unix_timestamp))

    def funded(self) -> Keypair:
        keypair = Keypair()
        self.svm.airdrop(keypair.pubkey(), 10 * 10**9)
        return keypair

    def token_balance(self, account: Pubkey) -> int:
        data = bytes(self.svm.get_account(account).data)
        return struct.unpack_from("<Q", data, 64)[0]


@pytest.fixture
def chain() -> Chain:
    path = so_path()
    if not path.is_file():
        pytest.fail(f"no SBF build of dispatch_rewards at {path}: run toolchain/run-tests.sh, or build it as "
                    "docs/solana-programs.md ('Building for SBF') says and set DISPATCH_REWARDS_SO")
    svm = LiteSVM()
    program = AnchorProgram.load("dispatch_rewards")
    svm.add_program(program.program_id, path.read_bytes())
    return Chain(svm)


def test_an_epoch_computed_in_python_is_posted_and_claimed_on_the_sbf_program(chain: Chain, tmp_path: Path) -> None:
    rewards = RewardsProgram(AnchorProgram.load("dispatch_rewards"))
    admin, distributor, mint = chain.funded(), chain.funded(), Keypair()
    chain.set_time(START - 60)
    rent = chain.svm.minimum_balance_for_rent_exemption(MINT_SIZE)
    chain.ok([create_account(CreateAccountParams(from_pubkey=admin.pubkey(), to_pubkey=mint.pubkey(), lamports=rent,
                                                 space=MINT_SIZE, owner=TOKEN_PROGRAM)),
              token_ix.initialize_mint(token_ix.InitializeMintParams(
                  decimals=9, mint=mint.pubkey(), mint_authority=admin.pubkey(), program_id=TOKEN_PROGRAM))],
             [admin, mint])
    chain.ok(rewards.initialize_instructions(admin.pubkey(), mint.pubkey(), start_ts=START, epoch_seconds=WEEK,
                                             distributor=distributor.pubkey()), [admin])
    vault = rewards.vault_address(mint.pubkey())
    chain.ok([token_ix.mint_to(token_ix.MintToParams(program_id=TOKEN_PROGRAM, mint=mint.pubkey(), dest=vault,
                                                     mint_authority=admin.pubkey(), amount=400_000_000 * BOLT))],
             [admin])

    workers = [chain.funded() for _ in range(5)]
    jobs = [SettledJob(w.pubkey(), (i + 1) * 7 * BOLT + i, START + 100 * i) for i, w in enumerate(workers)]
    jobs.append(SettledJob(workers[0].pubkey(), 3 * BOLT, START + WEEK))  # epoch 1: not counted
    d = compute_epoch(0, start=START, epoch_seconds=WEEK, settlements=jobs,
                      sentinels={w.pubkey() for w in workers[:4]})  # the fifth is not SENTINEL
    assert len(d.rewards) == 4 and d.total <= d.budget
    tree = RewardTree(0, d.rewards)
    folder = write_claim_files(tmp_path, tree, rewards.program.program_id)

    chain.set_time(START + WEEK)
    chain.ok([rewards.post_root_instruction(distributor.pubkey(), mint.pubkey(), epoch=0, root=tree.root,
                                            total=tree.total, workers=len(tree.rewards))], [distributor])
    epoch = rewards.decode_epoch(rewards.epoch_address(0),
                                 bytes(chain.svm.get_account(rewards.epoch_address(0)).data))
    assert (epoch.epoch, epoch.root, epoch.total, epoch.workers) == (0, tree.root, tree.total, 4)

    for worker in workers[:4]:
        claim = read_claim_file(folder / f"{worker.pubkey()}.json")
        chain.ok(rewards.claim_instructions(claim, mint.pubkey()), [worker])
        assert chain.token_balance(associated_token_account(worker.pubkey(), mint.pubkey())) == claim.amount
        again = chain.send(rewards.claim_instructions(claim, mint.pubkey()), [worker])
        assert isinstance(again, FailedTransactionMetadata)
        assert "Custom(6009)" in str(again.err())  # AlreadyClaimed, in instruction 1 (0 creates the ATA)
    config = rewards.decode_config(bytes(chain.svm.get_account(rewards.config_address).data))
    assert config.total_claimed == config.total_distributed == tree.total
    assert chain.token_balance(vault) == 400_000_000 * BOLT - tree.total

    # The worker that was not SENTINEL has no claim file; a leaf of its own fails.
    outsider = workers[4]
    forged = read_claim_file(folder / f"{workers[0].pubkey()}.json")
    fake = ClaimFile(forged.program, 0, forged.root, outsider.pubkey(), 5 * BOLT, forged.proof)
    result = chain.send(rewards.claim_instructions(fake, mint.pubkey()), [outsider])
    assert isinstance(result, FailedTransactionMetadata)
    assert "Custom(6008)" in str(result.err())  # InvalidProof
