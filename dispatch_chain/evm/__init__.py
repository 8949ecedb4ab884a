"""EVM (Monad) side of dispatch_chain: web3.py clients for the Dispatch contracts."""
