"""x402 payments: the payment reference of a receipt, proven against its chain (issue 15).

- :mod:`.ref`: ``payment_ref`` (``<CAIP-2 chain id>:<tx id>``, ../shared/DESIGN.md) parsed and checked.
- :mod:`.errors`: one exception class, and one exit code, per way a payment fails to verify.
"""
