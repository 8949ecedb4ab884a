"""Pre-funded PDAs: anyone may send lamports to an address before the program creates its account there.

The batch PDA of a root is public once the EVM anchor lands, a worker's stake
PDA and a job's settlement PDA are derived from public keys and job ids. Each
case pre-funds the PDA with a real System transfer on the local node, then
runs the reader, the service or the instruction that used to crash on the
empty data: an address holding only lamports is absent to every reader, the
programs create their account over it, and anything else foreign is a typed
ChainError.
"""

from __future__ import annotations

import os

import pytest
from conftest import funded, holder
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer

from dispatch_chain.anchoring.bundles import bundle_of
from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.audit import Auditor, TrustedDeployments, parse_trust
from dispatch_chain.errors import ChainError
from dispatch_chain.merkle import ReceiptTree, leaf_hash
from dispatch_chain.protocol import BOLT, Tier
from dispatch_chain.solana.audit import SolanaAnchorVerifier
from dispatch_chain.solana.bolt import associated_token_account, token_balance
from dispatch_chain.solana.client import SYSTEM_PROGRAM, SolanaClient
from dispatch_chain.solana.errors import ForeignAccount
from dispatch_chain.solana.programs import ANCHOR, SETTLEMENT, STAKING, IdlProgram
from dispatch_chain.solana.settlement import SettlementClient
from dispatch_chain.solana.staking import StakingClient, TierReader

from support import make_signed, make_worker


def prefund(solana: SolanaClient, address: Pubkey, lamports: int | None = None) -> None:
    """What a griefer does: a plain System transfer to the address.

    By default the least a transfer may leave at a new address (the rent-exempt
    minimum of an empty account), below the rent of any program account.
    """
    if lamports is None:
        lamports = solana.rpc.get_minimum_balance_for_rent_exemption(0).value
    griefer = funded(solana)
    solana.send([transfer(TransferParams(from_pubkey=griefer.pubkey(), to_pubkey=address, lamports=lamports))],
                [griefer])
    found = solana.account(address)
    assert found is not None and found.owner == SYSTEM_PROGRAM and found.data == b"" and found.holds_only_lamports


@pytest.fixture
def store(tmp_path):
    with ReceiptStore(tmp_path / "store.sqlite") as db:
        yield db


def test_a_prefunded_batch_address_is_not_anchored_and_the_service_anchors_over_it(solana, deployed, store) -> None:
    policy = BatchPolicy(max_size=4, max_age=3600)
    service = AnchoringService(store, [deployed.anchor], policy)
    signed = [make_signed(make_worker(21), f"prefunded-{i}") for i in range(4)]
    service.submit(signed)
    batch = service.cut_due_batches()[0]
    # The root is public (e.g. anchored on the EVM first): a griefer funds its PDA.
    prefund(solana, deployed.anchor.batch_address(batch.root))
    assert deployed.anchor.lookup(batch.root) is None
    assert deployed.anchor.batch(batch.root) is None
    first = ReceiptTree([s.leaf_values() for s in signed])
    assert not deployed.anchor.verify(1, first.leaf(0), first.proof(0), root=batch.root)

    # A restarted service reconciles the batch (lookup) and anchors it: the program
    # creates the batch account over the lamports.
    summary = AnchoringService(store, [deployed.anchor], policy).run_once()
    assert [r.leaf_count for r in summary.anchored] == [4] and not summary.errors
    record = deployed.anchor.lookup(batch.root)
    assert record is not None and record.submitter == str(deployed.anchor.authority.pubkey())
    account = solana.account(deployed.anchor.batch_address(batch.root))
    assert account is not None and account.owner == deployed.anchor.program.program_id

    # And the auditor proves its receipts against it.
    trusted = TrustedDeployments([parse_trust(f"{solana.caip2}:{deployed.anchor.contract}")])
    auditor = Auditor({"solana": lambda chain: SolanaAnchorVerifier(solana)}, trusted)
    stored = store.receipt(signed[2].receipt.receipt_hash())
    assert deployed.anchor.verify(record.batch_id, leaf_hash(signed[2].leaf_values()), stored.proof)
    report = auditor.audit(bundle_of(stored, store.anchors_of_batch(stored.batch.id)))
    assert report.ok, report.failures


def test_the_auditor_reports_a_prefunded_batch_address_as_not_anchored(solana, deployed, store) -> None:
    service = AnchoringService(store, [deployed.anchor], BatchPolicy(max_size=2, max_age=3600))
    signed = [make_signed(make_worker(22), f"audit-prefunded-{i}") for i in range(2)]
    service.submit(signed)
    service.drain()
    stored = store.receipt(signed[0].receipt.receipt_hash())
    anchor = bundle_of(stored, store.anchors_of_batch(stored.batch.id)).anchors[0]
    # The same anchor, claiming a root whose batch address only holds lamports.
    other = ReceiptTree([(os.urandom(32), os.urandom(32), os.urandom(32)) for _ in range(2)])
    prefund(solana, deployed.anchor.batch_address(other.root))
    claimed = anchor.model_copy(update={"root": "0x" + other.root.hex()})
    findings, facts = SolanaAnchorVerifier(solana).check(claimed, leaf_hash(signed[0].leaf_values()))
    assert facts is None and [f.ok for f in findings] == [False]
    assert "is not anchored" in findings[0].detail


def test_a_tier_lookup_of_many_workers_survives_prefunded_stake_addresses(solana, deployed) -> None:
    staked = holder(solana, deployed, 150 * BOLT)
    deployed.staking.stake(staked, 150 * BOLT)
    victims = [Keypair() for _ in range(3)]
    for victim in victims:
        prefund(solana, deployed.staking.stake_address(victim.pubkey()))
    workers = [staked.pubkey(), *(v.pubkey() for v in victims), *(Keypair().pubkey() for _ in range(150))]
    reader = TierReader(deployed.staking)
    tiers = reader.tiers(workers)
    assert tiers[staked.pubkey()] is Tier.VERIFIED
    assert all(tiers[w] is Tier.OPEN for w in workers[1:])
    assert deployed.staking.stake_of(victims[0].pubkey()).active == 0

    # The program creates the stake account over the lamports: the worker stakes as usual.
    worker = holder(solana, deployed, 1_000 * BOLT)
    prefund(solana, deployed.staking.stake_address(worker.pubkey()), 10_000_000)
    deployed.staking.stake(worker, 1_000 * BOLT)
    reader.invalidate()
    assert reader.tiers([worker.pubkey(), *workers])[worker.pubkey()] is Tier.SENTINEL
    account = solana.account(deployed.staking.stake_address(worker.pubkey()))
    assert account is not None and account.owner == deployed.staking.program.program_id


def test_a_prefunded_token_account_address_is_created_not_skipped(solana, deployed) -> None:
    owner = Keypair().pubkey()
    address = associated_token_account(owner, deployed.mint)
    prefund(solana, address)
    assert token_balance(solana, address) is None
    payer = funded(solana)
    assert deployed.staking.ensure_token_account(payer, owner) == address
    assert token_balance(solana, address) == 0


def test_a_settlement_over_a_prefunded_record_address(solana, deployed) -> None:
    coordinator = holder(solana, deployed, 10 * BOLT)
    worker = Keypair().pubkey()
    job = "prefunded-job"
    prefund(solana, deployed.settlement.record_address(coordinator.pubkey(), job))
    assert deployed.settlement.record(coordinator.pubkey(), job) is None
    settled = deployed.settlement.settle(coordinator, job, worker, 2 * BOLT, b"\x07" * 32)
    assert (settled.amount, settled.fee, settled.worker) == (2 * BOLT, 2 * BOLT // 20, worker)
    assert settled.signature is not None
    # Idempotent as before: the record is read back, nothing is sent.
    again = deployed.settlement.settle(coordinator, job, worker, 2 * BOLT, b"\x07" * 32)
    assert again.signature is None and again.slot == settled.slot
    assert token_balance(solana, associated_token_account(worker, deployed.mint)) == 2 * BOLT - 2 * BOLT // 20


def test_foreign_accounts_raise_a_chain_error_naming_the_address(solana, deployed) -> None:
    programs = {name: IdlProgram.load(name) for name in (STAKING, SETTLEMENT, ANCHOR)}
    # A client given the wrong program id reads another program's config PDA (the
    # same "config" seed): another account type (discriminator).
    confused = StakingClient(solana, IdlProgram.load(STAKING, programs[SETTLEMENT].program_id))
    with pytest.raises(ForeignAccount) as info:
        confused.config()
    assert isinstance(info.value, ChainError) and "discriminator" in str(info.value)
    assert info.value.address == str(confused.config_address) and info.value.expected == "StakingConfig"
    with pytest.raises(ForeignAccount):
        TierReader(confused).tiers([Keypair().pubkey()])
    mislabelled = SettlementClient(solana, IdlProgram.load(SETTLEMENT, programs[STAKING].program_id))
    with pytest.raises(ForeignAccount):
        mislabelled.config()
    # Owned by another program.
    with pytest.raises(ForeignAccount) as info:
        deployed.staking.program.read("StakingConfig", solana.account(deployed.settlement.config_address))
    assert "not by dispatch_staking" in str(info.value)
    # A stake PDA read as a token account, a mint read as a stake account.
    staked = holder(solana, deployed, BOLT)
    deployed.staking.stake(staked, BOLT)
    with pytest.raises(ForeignAccount):
        token_balance(solana, deployed.staking.stake_address(staked.pubkey()))
    account = solana.account(deployed.mint)
    with pytest.raises(ForeignAccount):
        deployed.staking.decode_stake(staked.pubkey(), account, deployed.staking.config())
