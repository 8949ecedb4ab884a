"""One attester as its own process, for the SIGKILL test (tests/bridge/test_attester_kill.py).

Environment: SOURCE_URL, SOURCE_CHAIN, SOURCE_BRIDGE, TARGET_URL, TARGET_CHAIN, TARGET_BRIDGE,
ATTESTER (dev account index), STORE (SQLite path). Drains and exits 0.
"""

from __future__ import annotations

import os

from dispatch_chain.bridge.attester import AttesterService
from dispatch_chain.bridge.evm import EvmBoltBridge
from dispatch_chain.bridge.evm_attester import EvmAttestationTarget, EvmMessageSource
from dispatch_chain.bridge.store import AttesterStore
from dispatch_chain.config import EvmNetwork
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account


def client(prefix: str) -> EvmClient:
    return EvmClient(EvmNetwork(rpc_url=os.environ[f"{prefix}_URL"], chain_id=int(os.environ[f"{prefix}_CHAIN"]),
                                confirmations=0, poll_interval=0.02))


def main() -> None:
    import logging
    import time

    logging.basicConfig(filename=os.environ["STORE"] + ".log", level=logging.INFO,
                        format=f"%(asctime)s {os.getpid()} %(name)s %(message)s")
    logging.info("start %.3f", time.time())
    source = EvmBoltBridge(client("SOURCE"), os.environ["SOURCE_BRIDGE"])
    target_client = client("TARGET")
    target = EvmBoltBridge(target_client, os.environ["TARGET_BRIDGE"])
    sender = TxSender(target_client, dev_account(int(os.environ["ATTESTER"])))
    with AttesterStore(os.environ["STORE"]) as store:
        store.claim()
        service = AttesterService(store, EvmMessageSource(source, confirmations=1),
                                  EvmAttestationTarget(target, sender), confirm_timeout=30)
        logging.info("draining; store %s", store.counts())
        stats = service.drain(timeout=120, interval=0.05)
        logging.info("done %s; store %s", stats, store.counts())


if __name__ == "__main__":
    main()
