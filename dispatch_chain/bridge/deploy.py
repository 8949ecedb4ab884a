"""Deployment helpers shared by the EVM deploy script and the tests.

WrappedBolt names its bridge immutably and BoltBridge checks that binding in
its constructor, so the token is deployed first with the address the bridge
will get: the CREATE address of the deployer's next nonce.
"""

from __future__ import annotations

import rlp
from eth_utils import to_canonical_address, to_checksum_address

from dispatch_chain.hashing import keccak256


def create_address(sender: str, nonce: int) -> str:
    """The address a contract created by ``sender`` with ``nonce`` gets (CREATE)."""
    return to_checksum_address(keccak256(rlp.encode([to_canonical_address(sender), nonce]))[12:])
