"""Governance: BOLT holders set the protocol parameters through a Governor and a timelock (docs/governance.md)."""
