"""Gas of a governance round on Monad: propose, vote, queue, execute (a fee + thresholds change).

Runs against anvil with the real deploy scripts (deploy, deploy_bridge, deploy_governance:
the timelock as the only admin). Holders get wrapped BOLT through the bridge (2-of-3
attestations) and delegate; time moves with anvil's evm_mine. Baseline measured in the
same run: a wrapped-BOLT transfer between two delegated holders (it moves vote checkpoints).

Then the time from execution on Monad to the change applied on Solana: the local Solana node,
the receiver holding the staking and settlement admin roles, two watchers of three attesters
stepping back to back (confirmations 0: the floor is the three Solana transactions).
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from common import REPO, figure, header

from dispatch_chain.bridge.evm import EvmBoltBridge
from dispatch_chain.bridge.message import BridgeMessage, chain_id_hash, evm_address_word
from dispatch_chain.config import EvmNetwork
from dispatch_chain.deployments import Manifest, SolanaDeployment, load_manifest
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.governance.evm import EvmGovernance, Support
from dispatch_chain.governance.proposals import ParameterChange, proposal_description
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil

PEER_CHAIN = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
PEER_PROGRAM = "11111111111111111111111111111112"
BOLT = 10**9


def _run(script: str, url: str, manifest: Path) -> None:
    proc = subprocess.run(
        ["ape", "run", script, "--network", url, "--manifest", str(manifest)], cwd=REPO, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"{script} failed:\n{proc.stdout}\n{proc.stderr}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, Anvil() as anvil:
        manifest = Path(tmp) / "local.json"
        manifest.write_text(
            Manifest(
                network="local", solana=SolanaDeployment(cluster=PEER_CHAIN, programs={"dispatch_bridge": PEER_PROGRAM})
            ).model_dump_json()
        )
        for script in ("deploy", "deploy_bridge", "deploy_governance"):
            _run(script, anvil.url, manifest)
        evm = load_manifest(manifest).require_evm()
        client = EvmClient(EvmNetwork(rpc_url=anvil.url, chain_id=31337, confirmations=0, poll_interval=0.01))
        bridge = EvmBoltBridge(client, evm.contract("BoltBridge").address)
        gov = EvmGovernance(client, evm.contract("DispatchGovernor").address, evm.contract("ProtocolParams").address)
        holders = [TxSender(client, dev_account(i)) for i in (1, 2, 3)]
        attesters = [TxSender(client, dev_account(i)) for i in (6, 7)]
        for sequence, holder in enumerate(holders):
            message = BridgeMessage(
                source_chain=chain_id_hash(PEER_CHAIN),
                source_bridge=bytes(31) + b"\x01",
                sequence=sequence,
                amount=(500 - 100 * sequence) * BOLT,
                sender=bytes(32),
                recipient=evm_address_word(holder.address),
                destination_chain=chain_id_hash("eip155:31337"),
            )
            for attester in attesters:
                bridge.attest(attester, message)
            gov.delegate(holder)

        def mine(seconds: int) -> None:
            head = int(client.w3.eth.get_block("latest")["timestamp"])
            client.w3.provider.make_request("evm_mine", [head + seconds])  # type: ignore[arg-type]

        mine(2)
        transfer = gov.transact(holders[2], gov.token.functions.transfer(holders[0].address, BOLT))["gasUsed"]
        governor = gov.governor.functions
        delay, period = int(governor.votingDelay().call()), int(governor.votingPeriod().call())
        change = ParameterChange(fee_bps=400, thresholds=(150 * BOLT, 1_500 * BOLT))
        params_address = gov.params_contract.address
        calls = change.calls(params_address)
        proposal_id, receipt = gov.propose(
            holders[0], calls, proposal_description("bench", change.describe(params_address))
        )
        propose = receipt["gasUsed"]
        mine(delay + 1)
        votes = [gov.cast_vote(h, proposal_id, Support.FOR)["gasUsed"] for h in holders]
        mine(period + 1)
        queue = gov.queue(holders[1], proposal_id)["gasUsed"]
        mine(int(gov.proposal(proposal_id).eta) - int(client.w3.eth.get_block("latest")["timestamp"]))
        execute = gov.execute(holders[1], proposal_id)["gasUsed"]
        assert gov.params().fee_bps == 400

        header("governance gas on anvil (solc 0.8.30, optimizer 10000 runs): fee + thresholds proposal, 2 calls")
        figure("baseline: wBOLT transfer between delegated holders", f"{transfer:>8,} gas")
        figure("propose", f"{propose:>8,} gas ({propose / transfer:.2f}x transfer)")
        figure("castVote (first, then others)", f"{votes[0]:>8,} gas, {', '.join(f'{v:,}' for v in votes[1:])}")
        figure("queue (timelock scheduleBatch)", f"{queue:>8,} gas ({queue / transfer:.2f}x transfer)")
        figure("execute (timelock executeBatch, 2 param changes)", f"{execute:>8,} gas ({execute / transfer:.2f}x)")
        _latency(client, gov, tmp)


def _latency(client: EvmClient, gov: EvmGovernance, tmp: str) -> None:
    """Execution on Monad -> applied on Solana by two watchers (2 of 3 attesters), confirmations 0."""
    from dispatch_chain.config import SolanaNetwork
    from dispatch_chain.governance.solana import GovernanceReceiver
    from dispatch_chain.governance.watcher import GovernanceWatcher, WatcherStore
    from dispatch_chain.hashing import keccak256
    from dispatch_chain.localnet import SolanaNode
    from dispatch_chain.solana.client import SolanaClient
    from dispatch_chain.solana.deploy import ProgramSettings, init_programs
    from dispatch_chain.solana.programs import PROGRAMS, IdlProgram, error_tables

    from support_governance import bolt_mint, funded

    with SolanaNode() as node:
        programs = [IdlProgram.load(name) for name in (*PROGRAMS, "dispatch_governance")]
        solana = SolanaClient(SolanaNetwork(rpc_url=node.url), idl_errors=error_tables(programs))
        mint = bolt_mint(solana)
        init_programs(
            solana,
            node.deployer,
            mint,
            program_ids={},
            anchorers=[node.deployer.pubkey()],
            settings=ProgramSettings(),
            manifest=Path(tmp) / "solana.json",
            network="local",
            progress=lambda message: None,
        )
        receiver = GovernanceReceiver(solana)
        attesters = [funded(solana) for _ in range(3)]
        params = gov.params_contract.address
        receiver.initialize(
            node.deployer,
            mint=mint,
            chain_id=keccak256(solana.caip2.encode()),
            source_chain=keccak256(b"eip155:31337"),
            source_emitter=bytes(12) + bytes.fromhex(params[2:]),
            attesters=[a.pubkey() for a in attesters],
            threshold=2,
        )
        receiver.hand_over(node.deployer)
        watchers = [
            GovernanceWatcher(
                client,
                params,
                receiver,
                attesters[i],
                WatcherStore(Path(tmp) / f"w{i}.sqlite"),
                monad_chain="eip155:31337",
                solana_chain=solana.caip2,
                mint=mint,
            )
            for i in (0, 1)
        ]
        target = gov.params().version
        slot0, started = solana.rpc.get_slot().value, time.perf_counter()
        steps = 0
        while receiver.config().applied_version < target:
            watchers[steps % 2].step()
            steps += 1
        elapsed, slots = time.perf_counter() - started, solana.rpc.get_slot().value - slot0
        header("execution on Monad -> applied on Solana (local chains, confirmations 0, 2-of-3 attesters)")
        figure("floor: 3 Solana transactions (2 attestations + apply)", "3 tx, 0 Monad blocks of waiting")
        figure("measured (watcher steps run back to back)", f"{elapsed * 1000:>8.0f} ms, {slots} slots, {steps} steps")


if __name__ == "__main__":
    main()
