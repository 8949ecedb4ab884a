"""Computing an epoch of worker rewards for 10,000 SENTINEL workers.

From 50,000 settlement records (five per worker, plus records outside the
epoch and of non-SENTINEL workers): the deterministic computation, the tree
and the claim files, and computing then posting the root to dispatch_rewards
on the local node (the SBF build, one transaction whatever the epoch's
size), each against building the Merkle tree alone over the same 10,000
leaves, interleaved in the same run. Then one of the 10,000 workers claims
on the node: the compute units, the fee and the rent of its claim record.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import spl.token.instructions as token_ix
from common import figure, header, interleaved
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.system_program import CreateAccountParams, create_account

from dispatch_chain.config import SolanaNetwork
from dispatch_chain.localnet import SolanaNode
from dispatch_chain.merkle import ReceiptTree
from dispatch_chain.rewards import RewardTree, SettledJob, compute_epoch, write_claim_files
from dispatch_chain.rewards.claims import claims_of
from dispatch_chain.rewards.program import REWARDS, RewardsClient
from dispatch_chain.rewards.tree import reward_leaf_values
from dispatch_chain.solana.bolt import MINT_SIZE, mint_instruction
from dispatch_chain.solana.client import TOKEN_PROGRAM, SolanaClient
from dispatch_chain.solana.programs import IdlProgram

WORKERS = 10_000
START = 1_800_000_000
SOL = 1_000_000_000
WEEK = 7 * 24 * 3600
PROGRAM = Pubkey.from_string("A2KkiX1pQGyacrh6HpW94cWhr4DqrEZr3PrWX4TkpDki")


def main() -> None:
    rng = random.Random(14)
    workers = [Pubkey(rng.randbytes(32)) for _ in range(WORKERS)]
    others = [Pubkey(rng.randbytes(32)) for _ in range(WORKERS // 10)]
    epoch = 3
    begin = START + epoch * WEEK
    jobs = [SettledJob(w, rng.randrange(10**6, 10**12), begin + rng.randrange(WEEK)) for w in workers for _ in range(5)]
    jobs += [SettledJob(w, 10**9, begin + rng.randrange(WEEK)) for w in others]
    jobs += [SettledJob(w, 10**9, begin - 1 - rng.randrange(WEEK)) for w in workers[:5_000]]
    sentinels = frozenset(workers)
    distribution = compute_epoch(epoch, start=START, epoch_seconds=WEEK, settlements=jobs, sentinels=sentinels)
    leaves = [reward_leaf_values(epoch, w, a) for w, a in distribution.rewards]

    with tempfile.TemporaryDirectory() as tmp:

        def compute() -> object:
            return compute_epoch(epoch, start=START, epoch_seconds=WEEK, settlements=jobs, sentinels=sentinels)

        def compute_and_tree() -> object:
            return RewardTree(epoch, compute().rewards).root

        def compute_tree_and_files() -> object:
            d = compute()
            return write_claim_files(Path(tmp), RewardTree(epoch, d.rewards), PROGRAM)

        def tree_alone() -> object:
            return ReceiptTree(leaves).root

        times = interleaved(
            {"tree": tree_alone, "compute": compute, "compute+tree": compute_and_tree, "all": compute_tree_and_files},
            rounds=3,
        )

    header(f"rewards epoch: {WORKERS:,} SENTINEL workers, {len(jobs):,} settlement records")
    figure("baseline: Merkle tree alone (10,000 leaves)", f"{times['tree'] * 1e3:>8.0f} ms")
    figure("weights and amounts from the records", f"{times['compute'] * 1e3:>8.0f} ms")
    figure(
        "computation + tree (the root to post)",
        f"{times['compute+tree'] * 1e3:>8.0f} ms ({times['compute+tree'] / times['tree']:.2f}x the tree)",
    )
    figure(
        "computation + tree + 10,000 claim files",
        f"{times['all'] * 1e3:>8.0f} ms ({times['all'] / times['tree']:.2f}x the tree)",
    )
    figure("epoch total / budget (base units)", f"{distribution.total:,} / {distribution.budget:,}")

    on_chain(jobs, sentinels, distribution.rewards)


def _mint(client: SolanaClient, authority: Keypair) -> Pubkey:
    """A 9-decimal SPL mint of ``authority`` (no need for BOLT's whole genesis here)."""
    mint = Keypair()
    rent = client.rpc.get_minimum_balance_for_rent_exemption(MINT_SIZE).value
    create = create_account(
        CreateAccountParams(
            from_pubkey=authority.pubkey(), to_pubkey=mint.pubkey(), lamports=rent, space=MINT_SIZE, owner=TOKEN_PROGRAM
        )
    )
    init = token_ix.initialize_mint(
        token_ix.InitializeMintParams(
            decimals=9, program_id=TOKEN_PROGRAM, mint=mint.pubkey(), mint_authority=authority.pubkey()
        )
    )
    client.send([create, init], [authority, mint])
    return mint.pubkey()


def on_chain(jobs: list[SettledJob], sentinels: frozenset[Pubkey], rewards_of: list[tuple[Pubkey, int]]) -> None:
    """Compute + post epochs on the local node against the tree alone; then the cost of a claim."""
    with SolanaNode() as node:
        client = SolanaClient(SolanaNetwork(rpc_url=node.url))
        admin = node.deployer
        rewards = RewardsClient(client, IdlProgram.load(REWARDS))
        mint = _mint(client, admin)
        # The curve started 20 weeks ago: epochs 0..19 have ended, and their releases are posted one by one.
        now = client.block_time(client.rpc.get_slot().value) or 0
        start = now - 20 * WEEK
        rewards.initialize(admin, mint, start_ts=start, epoch_seconds=WEEK, distributor=admin.pubkey())
        vault = rewards.rewards.vault_address(mint)
        client.send([mint_instruction(admin.pubkey(), mint, vault, 400_000_000 * SOL)], [admin])
        # The workers' records moved into the node's epochs (same weights): epoch 3 of START -> epoch n.
        epochs = iter(range(20))

        def compute_and_post() -> object:
            n = next(epochs)
            shifted = [SettledJob(j.worker, j.amount, j.settled_at - START - 3 * WEEK + start + n * WEEK) for j in jobs]
            d = compute_epoch(n, start=start, epoch_seconds=WEEK, settlements=shifted, sentinels=sentinels)
            tree = RewardTree(n, d.rewards)
            rewards.post(admin, epoch=n, root=tree.root, total=tree.total, workers=len(tree.rewards))
            return tree

        leaves = [reward_leaf_values(0, w, a) for w, a in rewards_of]
        times = interleaved({"tree": lambda: ReceiptTree(leaves).root, "post": compute_and_post}, rounds=3)

        # A claim: the records' workers are random addresses without keys, so epoch 19 gives the same
        # 10,000 amounts to workers whose keys we hold, and one of them claims.
        keys = [Keypair() for _ in range(WORKERS)]
        amounts = [a for _, a in rewards_of]
        tree = RewardTree(19, list(zip((k.pubkey() for k in keys), amounts, strict=True)))
        rewards.post(admin, epoch=19, root=tree.root, total=tree.total, workers=len(tree.rewards))
        worker = keys[WORKERS // 2]
        client.airdrop(worker.pubkey(), SOL)
        claim = next(c for c in claims_of(tree, rewards.rewards.program.program_id) if c.worker == worker.pubkey())
        signature = rewards.claim(worker, claim)
        tx = client.rpc.get_transaction(Signature.from_string(signature), max_supported_transaction_version=0).value
        assert tx is not None and tx.transaction.meta is not None
        meta = tx.transaction.meta
        record = client.account(rewards.rewards.claim_record_address(19, worker.pubkey()))
        assert record is not None

    header(f"rewards on the local node (dispatch_rewards SBF): {WORKERS:,} workers")
    figure("baseline: Merkle tree alone (10,000 leaves)", f"{times['tree'] * 1e3:>8.0f} ms")
    figure(
        "compute the epoch + tree + post the root (1 tx)",
        f"{times['post'] * 1e3:>8.0f} ms ({times['post'] / times['tree']:.2f}x the tree)",
    )
    figure(
        f"claim: {len(claim.proof)}-hash proof, ATA creation + claim",
        f"{meta.compute_units_consumed:,} CU, fee {meta.fee:,} lamports",
    )
    figure("claim record rent (paid once by the worker)", f"{record.lamports:,} lamports ({len(record.data)} bytes)")


if __name__ == "__main__":
    main()
