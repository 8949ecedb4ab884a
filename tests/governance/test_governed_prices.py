"""Job prices from ProtocolParams: the endpoint's price source follows the governed table once the cache expires,
and refuses a job type the table lacks."""

from __future__ import annotations

import pytest

from dispatch_chain.evm.client import EvmClient
from dispatch_chain.governance.evm import EvmGovernance
from dispatch_chain.governance.params import ParamsError, job_type_word
from dispatch_chain.governance.reader import CachedParams
from dispatch_chain.payments.prices import GovernedPrices, JobKind, JobTier, WhitepaperPrices

from support import dev_network
from support_bridge import isolated
from support_governance import deploy_params


def test_governed_prices_follow_protocol_params(project, deployer, governor, chain) -> None:
    owned = deploy_params(project, deployer, deployer)  # owned by the deployer: no vote needed to change it
    now = [0.0]
    client = EvmGovernance(EvmClient(dev_network(chain.provider.uri, chain.chain_id)), governor.address, owned.address)
    prices = GovernedPrices(CachedParams(client, ttl=30.0, clock=lambda: now[0]))
    for tier in JobTier:
        for kind in JobKind:
            assert prices.price(tier, kind) == WhitepaperPrices().price(tier, kind)  # deployed with the defaults
    with isolated(chain):
        owned.setJobPrice(job_type_word("FAST_LLM"), 8_000, sender=deployer)
        owned.removeJobPrice(job_type_word("CHEAP_TASK"), sender=deployer)
        assert prices.price(JobTier.FAST, JobKind.LLM) == 10_000  # cached until the TTL passes
        now[0] = 31.0
        assert prices.price(JobTier.FAST, JobKind.LLM) == 8_000
        with pytest.raises(ParamsError, match="no price"):
            prices.price(JobTier.CHEAP, JobKind.TASK)
