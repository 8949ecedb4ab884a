"""Wiring the governance receiver: initialise dispatch_governance from ProtocolParams, hand it the admin roles.

One function used by ``dispatch-chain gov init-receiver`` (and so
``scripts/solana/init_governance.py``) and by the demo's governance stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.deployments import Manifest, SolanaDeployment, update_manifest
from dispatch_chain.governance.solana import GOVERNANCE, GovernanceReceiver
from dispatch_chain.hashing import keccak256
from dispatch_chain.solana.client import SolanaClient


def init_receiver(
    solana: SolanaClient,
    signer: Keypair,
    *,
    monad_chain: str,
    params_address: str,
    attesters: Sequence[Pubkey],
    threshold: int,
    keep_admin: bool,
    manifest: Path,
    network: str,
) -> GovernanceReceiver:
    """Initialise the receiver (once; resumable) and, unless ``keep_admin``, hand it staking's and
    settlement's admin roles; record it in the manifest.

    ``signer`` is the program's upgrade authority and the current admin of both programs;
    ``monad_chain`` the CAIP-2 id of the chain ProtocolParams (``params_address``) lives on.
    """
    receiver = GovernanceReceiver(solana)
    if receiver.find_config() is None:
        receiver.initialize(
            signer,
            mint=receiver.staked_mint(),
            chain_id=keccak256(solana.caip2.encode()),
            source_chain=keccak256(monad_chain.encode()),
            source_emitter=bytes(12) + bytes.fromhex(params_address[2:]),
            attesters=list(attesters),
            threshold=threshold,
        )
    if not keep_admin:
        receiver.hand_over(signer)

    def change(m: Manifest) -> None:
        m.solana = m.solana or SolanaDeployment(cluster=solana.caip2)
        m.solana.programs[GOVERNANCE] = str(receiver.program.program_id)
        m.solana.accounts["governance_config"] = str(receiver.config_address)
        m.solana.accounts["allocation.treasury"] = str(receiver.config().treasury)

    update_manifest(manifest, network, change)
    return receiver
