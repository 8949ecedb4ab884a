"""The Python side of worker rewards against the real dispatch_rewards SBF
build in LiteSVM (solders): an epoch computed in Python, its root posted
with RewardsProgram's instructions, and every worker claiming from its claim
file, so the Python tree and leaves are exactly what the program verifies.

The .so is the one `toolchain/run-tests.sh` builds before the tests
(`$CARGO_TARGET_DIR/sbf-solana-upstream/release/libdispatch_rewards.so`, or
DISPATCH_REWARDS_SO)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sbf_svm import BOLT, Chain, sbf_chain
from solders.transaction_metadata import FailedTransactionMetadata

from dispatch_chain.rewards import RewardTree, SettledJob, compute_epoch, read_claim_file, write_claim_files
from dispatch_chain.rewards.claims import ClaimFile
from dispatch_chain.rewards.program import RewardsProgram
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.programs import IdlProgram

START = 1_800_000_000
WEEK = 7 * 24 * 3600


@pytest.fixture
def chain() -> Chain:
    return sbf_chain("dispatch_rewards")


def test_an_epoch_computed_in_python_is_posted_and_claimed_on_the_sbf_program(chain: Chain, tmp_path: Path) -> None:
    rewards = RewardsProgram(IdlProgram.load("dispatch_rewards"))
    admin, distributor = chain.deployer, chain.funded()
    chain.set_time(START - 60)
    mint = chain.create_mint(admin)
    # Only the upgrade authority initialises: a first caller who is not fails (ConstraintRaw).
    stranger = chain.funded()
    chain.fails(rewards.initialize_instructions(stranger.pubkey(), mint, start_ts=START, epoch_seconds=WEEK,
                                                distributor=stranger.pubkey()), [stranger], 2003)
    chain.ok(rewards.initialize_instructions(admin.pubkey(), mint, start_ts=START, epoch_seconds=WEEK,
                                             distributor=distributor.pubkey()), [admin])
    vault = rewards.vault_address(mint)
    chain.mint_to(admin, mint, vault, 400_000_000 * BOLT)

    workers = [chain.funded() for _ in range(5)]
    jobs = [SettledJob(w.pubkey(), (i + 1) * 7 * BOLT + i, START + 100 * i) for i, w in enumerate(workers)]
    jobs.append(SettledJob(workers[0].pubkey(), 3 * BOLT, START + WEEK))  # epoch 1: not counted
    d = compute_epoch(0, start=START, epoch_seconds=WEEK, settlements=jobs,
                      sentinels={w.pubkey() for w in workers[:4]})  # the fifth is not SENTINEL
    assert len(d.rewards) == 4 and d.total <= d.budget
    tree = RewardTree(0, d.rewards)
    folder = write_claim_files(tmp_path, tree, rewards.program.program_id)

    chain.set_time(START + WEEK)
    chain.ok([rewards.post_root_instruction(distributor.pubkey(), mint, epoch=0, root=tree.root,
                                            total=tree.total, workers=len(tree.rewards))], [distributor])
    epoch = rewards.decode_epoch(rewards.epoch_address(0),
                                 bytes(chain.svm.get_account(rewards.epoch_address(0)).data))
    assert (epoch.epoch, epoch.root, epoch.total, epoch.workers) == (0, tree.root, tree.total, 4)

    for worker in workers[:4]:
        claim = read_claim_file(folder / f"{worker.pubkey()}.json")
        chain.ok(rewards.claim_instructions(claim, mint), [worker])
        assert chain.token_balance(associated_token_account(worker.pubkey(), mint)) == claim.amount
        again = chain.send(rewards.claim_instructions(claim, mint), [worker])
        assert isinstance(again, FailedTransactionMetadata)
        assert "Custom(6009)" in str(again.err())  # AlreadyClaimed, in instruction 1 (0 creates the ATA)
    config = rewards.decode_config(bytes(chain.svm.get_account(rewards.config_address).data))
    assert config.total_claimed == config.total_distributed == tree.total
    assert chain.token_balance(vault) == 400_000_000 * BOLT - tree.total

    # The worker that was not SENTINEL has no claim file; a leaf of its own fails.
    outsider = workers[4]
    forged = read_claim_file(folder / f"{workers[0].pubkey()}.json")
    fake = ClaimFile(forged.program, 0, forged.root, outsider.pubkey(), 5 * BOLT, forged.proof)
    result = chain.send(rewards.claim_instructions(fake, mint), [outsider])
    assert isinstance(result, FailedTransactionMetadata)
    assert "Custom(6008)" in str(result.err())  # InvalidProof
