"""The lock-and-mint bridge between BOLT on Solana and wrapped BOLT on Monad (docs/bridge.md)."""
