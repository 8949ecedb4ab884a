"""The bridge: gas on Monad, compute on Solana, one attester's rate, and cross-chain latency.

Part 1 runs against anvil with the real deploy script (ape run deploy_bridge;
2-of-3 attesters). Baselines measured in the same run: a plain wrapped-BOLT
ERC-20 transfer for the gas figures, and a plain ETH transfer sent and
confirmed the same way for the attestation rate.

Part 2 joins both local chains: dispatch-solana-node with commitment depths
(50 ms slots, confirm depth 2, finalize depth 24) running dispatch_bridge,
and an anvil running BoltBridge peered with it, 2-of-3 attester services on
each side. It measures lock-to-mint latency in slots against the finalize
depth (the floor: attesters read locks at finalized), burn-to-release
latency in EVM blocks against the configured confirmations (anvil mines a
block every 100 ms here, as a chain would), and the compute units of lock
and release next to a plain SPL transfer_checked sent in the same run.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import REPO, figure, header
from solders.pubkey import Pubkey

from dispatch_chain.bridge.evm import EvmBoltBridge
from dispatch_chain.bridge.message import BridgeMessage, chain_id_hash, evm_address_word
from dispatch_chain.config import EvmNetwork
from dispatch_chain.deployments import load_manifest
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender, send_value
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil

PEER_CHAIN = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
PEER_PROGRAM = "11111111111111111111111111111112"
BOLT = 10**9
ROUNDS = 15


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, Anvil() as anvil:
        manifest = Path(tmp) / "local.json"
        proc = subprocess.run(
            [
                "ape",
                "run",
                "deploy_bridge",
                "--network",
                anvil.url,
                "--manifest",
                str(manifest),
                "--peer-chain",
                PEER_CHAIN,
                "--peer-program",
                PEER_PROGRAM,
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise SystemExit(f"deploy_bridge failed:\n{proc.stdout}\n{proc.stderr}")
        address = load_manifest(manifest).require_evm().contract("BoltBridge").address
        client = EvmClient(EvmNetwork(rpc_url=anvil.url, chain_id=31337, confirmations=0, poll_interval=0.01))
        bridge = EvmBoltBridge(client, address)
        attesters = [TxSender(client, dev_account(i)) for i in (6, 7, 8)]
        holder, other = TxSender(client, dev_account(1)), TxSender(client, dev_account(2))
        peer = (chain_id_hash(PEER_CHAIN), bytes(Pubkey.from_string(PEER_PROGRAM)))
        sequence = iter(range(10**6))

        def message(to: str, amount: int) -> BridgeMessage:
            return BridgeMessage(
                source_chain=peer[0],
                source_bridge=peer[1],
                sequence=next(sequence),
                amount=amount,
                sender=bytes(32),
                recipient=evm_address_word(to),
                destination_chain=chain_id_hash("eip155:31337"),
            )

        def gas(receipt) -> int:
            return int(receipt["gasUsed"])

        first_att, minting, minting_new, burns, transfers, transfers_new = [], [], [], [], [], []
        token = bridge.token
        for i in range(ROUNDS):
            m = message(holder.address, 10 * BOLT)
            first_att.append(gas(bridge.attest(attesters[0], m)))
            minting.append(gas(bridge.attest(attesters[1], m)))
            fresh = dev_account(100 + i).address
            m = message(fresh, BOLT)
            bridge.attest(attesters[0], m)
            minting_new.append(gas(bridge.attest(attesters[1], m)))
            sent = bridge.send_to_solana(holder, BOLT, bytes(range(1, 33)))
            burns.append(gas(client.w3.eth.get_transaction_receipt(sent.tx)))
            transfers.append(gas(bridge.transact(holder, token.functions.transfer(other.address, BOLT))))
            transfers_new.append(
                gas(bridge.transact(holder, token.functions.transfer(dev_account(200 + i).address, BOLT)))
            )

        header(f"BoltBridge gas (anvil, solc 0.8.30, optimizer 10000 runs; medians of {ROUNDS}, 2-of-3 attesters)")
        med = statistics.median
        base = med(transfers)
        figure("baseline: wBOLT ERC-20 transfer (existing holder)", f"{med(transfers):>8,.0f} gas")
        figure("baseline: wBOLT ERC-20 transfer (new holder)", f"{med(transfers_new):>8,.0f} gas")
        figure("attest, below the threshold (1st of 2)", f"{med(first_att):>8,.0f} gas ({med(first_att) / base:.2f}x)")
        figure("attest that reaches the threshold and mints", f"{med(minting):>8,.0f} gas ({med(minting) / base:.2f}x)")
        figure("  same, minting to a new holder", f"{med(minting_new):>8,.0f} gas")
        figure(
            "mint in total: both attestations",
            f"{med(first_att) + med(minting):>8,.0f} gas ({(med(first_att) + med(minting)) / base:.2f}x a transfer)",
        )
        figure("burn: sendToSolana", f"{med(burns):>8,.0f} gas ({med(burns) / base:.2f}x)")

        # one attester's rate: sequential attest transactions (simulate, sign, send, confirm) vs plain transfers
        count = 40
        messages = [message(holder.address, BOLT) for _ in range(count)]
        started = time.perf_counter()
        for m in messages:
            bridge.attest(attesters[2], m)
        attest_time = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(count):
            send_value(attesters[2], other.address, 1)
        plain_time = time.perf_counter() - started
        header("one attester, sequential (simulate, sign, send, wait for the receipt; anvil automine)")
        figure("baseline: ETH transfers sent and confirmed the same way", f"{count / plain_time:>8.1f} tx/s")
        figure("attestations", f"{count / attest_time:>8.1f} /s ({plain_time / attest_time:.2f}x the baseline)")


SLOT_MS, CONFIRM_DEPTH, FINALIZE_DEPTH = 50, 2, 24
EVM_CONFIRMATIONS = 3
LATENCY_ROUNDS = 5
RATE_MESSAGES = 20


def cross_chain() -> None:
    """Lock-to-mint and burn-to-release on both local chains, and CU of lock and release vs an SPL transfer."""
    import spl.token.instructions as token_ix
    from solders.keypair import Keypair
    from solders.signature import Signature

    from dispatch_chain.bridge.attester import AttesterService
    from dispatch_chain.bridge.evm import Status
    from dispatch_chain.bridge.evm_attester import EvmAttestationTarget, EvmMessageSource
    from dispatch_chain.bridge.solana_attester import SolanaAttestationTarget, SolanaMessageSource
    from dispatch_chain.bridge.store import AttesterStore
    from dispatch_chain.config import SolanaNetwork
    from dispatch_chain.localnet import SolanaNode
    from dispatch_chain.protocol import DISTRIBUTION
    from dispatch_chain.solana.bolt import associated_token_account, create_bolt, transfer, whitepaper_allocations
    from dispatch_chain.solana.bridge import BridgeClient, InitParams, chain_id, pad_evm_address
    from dispatch_chain.solana.client import TOKEN_PROGRAM, SolanaClient
    from dispatch_chain.solana.programs import BRIDGE, IdlProgram, error_tables

    with (
        tempfile.TemporaryDirectory() as tmp,
        Anvil() as anvil,
        SolanaNode(slot_ms=SLOT_MS, confirm_depth=CONFIRM_DEPTH, finalize_depth=FINALIZE_DEPTH) as node,
    ):
        program = IdlProgram.load(BRIDGE)
        solana = SolanaClient(SolanaNetwork(rpc_url=node.url), idl_errors=error_tables([program]))
        sol_bridge = BridgeClient(solana, program)
        manifest = Path(tmp) / "local.json"
        proc = subprocess.run(
            ["ape", "run", "deploy_bridge", "--network", anvil.url, "--manifest", str(manifest),
             "--peer-chain", solana.caip2, "--peer-program", str(program.program_id)],
            cwd=REPO, capture_output=True, text=True,
        )  # fmt: skip
        if proc.returncode != 0:
            raise SystemExit(f"deploy_bridge failed:\n{proc.stdout}\n{proc.stderr}")
        address = load_manifest(manifest).require_evm().contract("BoltBridge").address
        client = EvmClient(EvmNetwork(rpc_url=anvil.url, chain_id=31337, confirmations=0, poll_interval=0.01))
        evm_bridge = EvmBoltBridge(client, address, deploy_block=client.w3.eth.block_number)

        def funded() -> Keypair:
            keypair = Keypair()
            solana.airdrop(keypair.pubkey(), 10 * 10**9)
            return keypair

        owners = {name: Keypair() for name, _ in DISTRIBUTION}
        holder, mint = funded(), Keypair()
        owners["community"] = holder
        create_bolt(solana, holder, mint, whitepaper_allocations({n: k.pubkey() for n, k in owners.items()}))
        sol_attesters = [funded() for _ in range(3)]
        sol_bridge.initialize(node.deployer, mint.pubkey(), InitParams(
            pauser=node.deployer.pubkey(), chain_id=chain_id(solana.caip2), peer_chain_id=chain_id("eip155:31337"),
            peer_bridge=pad_evm_address(address), attesters=tuple(k.pubkey() for k in sol_attesters), threshold=2,
            outbound_capacity=10**6 * BOLT, inbound_capacity=10**6 * BOLT, queue_delay=60))  # fmt: skip
        stores = Path(tmp)
        to_monad = [
            AttesterService(AttesterStore(stores / f"m{i}.sqlite"), SolanaMessageSource(sol_bridge),
                            EvmAttestationTarget(evm_bridge, TxSender(client, dev_account(6 + i))))
            for i in range(2)
        ]  # fmt: skip
        to_solana = [
            AttesterService(AttesterStore(stores / f"s{i}.sqlite"),
                            EvmMessageSource(evm_bridge, confirmations=EVM_CONFIRMATIONS),
                            SolanaAttestationTarget(sol_bridge, sol_attesters[i]))
            for i in range(2)
        ]  # fmt: skip
        user = TxSender(client, dev_account(5))

        def cu(signature: str) -> int:
            tx = solana.rpc.get_transaction(Signature.from_string(signature), max_supported_transaction_version=0)
            meta = tx.value.transaction.meta if tx.value is not None else None
            assert meta is not None and meta.compute_units_consumed is not None
            return int(meta.compute_units_consumed)

        lock_slots, lock_secs, lock_cu, burn_blocks, burn_secs, release_cu = [], [], [], [], [], []
        for _ in range(LATENCY_ROUNDS):
            record = sol_bridge.lock(holder, 2 * BOLT, user.address)
            assert record.signature is not None
            lock_cu.append(cu(record.signature))
            started = time.perf_counter()
            while evm_bridge.message_state(record.digest).status is not Status.EXECUTED:
                for service in to_monad:
                    service.run_once()
                time.sleep(SLOT_MS / 1000)
            lock_secs.append(time.perf_counter() - started)
            lock_slots.append(solana.slot("processed") - record.slot)

            owner = Keypair().pubkey()
            sent = evm_bridge.send_to_solana(user, BOLT, bytes(owner))
            started = time.perf_counter()
            while (inbound := sol_bridge.inbound(sent.digest)) is None or inbound.status.value != "Executed":
                client.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]  # a block per 100 ms
                for service in to_solana:
                    service.run_once()
                time.sleep(0.1)
            burn_secs.append(time.perf_counter() - started)
            burn_blocks.append(client.w3.eth.block_number - sent.block)
            releasing = [
                e.signature
                for e in solana.rpc.get_signatures_for_address(sol_bridge.inbound_address(sent.digest)).value
            ]
            release_cu.append(max(cu(str(s)) for s in releasing))  # the attestation that released

        # baseline in the same run: a plain SPL transfer_checked to an existing token account
        other = Keypair().pubkey()
        transfer(solana, holder, other, BOLT, mint.pubkey())  # creates the ATA
        spl = []
        for _ in range(LATENCY_ROUNDS):
            signature, _slot = solana.send([token_ix.transfer_checked(token_ix.TransferCheckedParams(
                program_id=TOKEN_PROGRAM, source=associated_token_account(holder.pubkey(), mint.pubkey()),
                mint=mint.pubkey(), dest=associated_token_account(other, mint.pubkey()), owner=holder.pubkey(),
                amount=BOLT, decimals=9))], [holder])  # fmt: skip
            spl.append(cu(signature))

        # one Solana-side attester's rate: the third attester catches up on RATE_MESSAGES burns it never saw
        for _ in range(RATE_MESSAGES):
            evm_bridge.send_to_solana(user, BOLT // 10, bytes(Keypair().pubkey()))
        for _ in range(EVM_CONFIRMATIONS):
            client.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        third = AttesterService(AttesterStore(stores / "s2.sqlite"),
                                EvmMessageSource(evm_bridge, confirmations=EVM_CONFIRMATIONS),
                                SolanaAttestationTarget(sol_bridge, sol_attesters[2]))  # fmt: skip
        third.scan()
        started = time.perf_counter()
        stats = third.attest_open()
        attest_time = time.perf_counter() - started
        from solders.system_program import TransferParams
        from solders.system_program import transfer as sol_transfer

        started = time.perf_counter()
        for _ in range(RATE_MESSAGES):
            solana.send([sol_transfer(TransferParams(from_pubkey=holder.pubkey(), to_pubkey=sol_attesters[0].pubkey(), lamports=1))],
                        [holder])  # fmt: skip
        plain_time = time.perf_counter() - started

        med = statistics.median
        header(
            f"one Solana-side attester, sequential (simulate, sign, store, send, wait for confirmed at depth "
            f"{CONFIRM_DEPTH}; {stats.attested} attestations)"
        )
        figure("baseline: SOL transfers sent and confirmed the same way", f"{RATE_MESSAGES / plain_time:>8.1f} tx/s")
        figure(
            "attestations",
            f"{stats.attested / attest_time:>8.1f} /s ({plain_time / RATE_MESSAGES * stats.attested / attest_time:.2f}x)",
        )
        header(
            f"cross-chain latency (local chains; {SLOT_MS} ms slots, confirm depth {CONFIRM_DEPTH}, finalize depth "
            f"{FINALIZE_DEPTH}; EVM confirmations {EVM_CONFIRMATIONS}, a block per 100 ms; medians of {LATENCY_ROUNDS})"
        )
        figure("lock -> mint, in Solana slots", f"{med(lock_slots):>8.0f} (floor: finalize depth {FINALIZE_DEPTH})")
        figure("lock -> mint, wall time", f"{med(lock_secs):>8.2f} s (floor {FINALIZE_DEPTH * SLOT_MS / 1000:.2f} s)")
        figure(
            "burn -> release, in EVM blocks after the burn's",
            f"{med(burn_blocks):>8.0f} (floor {EVM_CONFIRMATIONS - 1}: {EVM_CONFIRMATIONS} confirmations)",
        )
        figure("burn -> release, wall time", f"{med(burn_secs):>8.2f} s")
        header("compute units on the local node (SBF builds), same run")
        figure("baseline: SPL Token transfer_checked", f"{med(spl):>8,.0f} CU")
        figure("lock (outbound record + transfer_checked)", f"{med(lock_cu):>8,.0f} CU")
        figure("attest that releases (creates the recipient's ATA)", f"{med(release_cu):>8,.0f} CU")


if __name__ == "__main__":
    main()
    cross_chain()
