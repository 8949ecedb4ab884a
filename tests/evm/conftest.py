"""Fixtures shared by the contract tests (ape's pytest plugin, anvil via ape-foundry)."""

import pytest


@pytest.fixture(scope="session")
def deployer(accounts):
    """The account that deploys contracts and holds their admin roles."""
    return accounts[0]


@pytest.fixture(scope="session")
def outsider(accounts):
    """An account with no role anywhere."""
    return accounts[9]
