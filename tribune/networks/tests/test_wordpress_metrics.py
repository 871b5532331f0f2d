"""WordPress and MediaWiki keep no counts Tribune could read: their connectors say so."""

import httpx
import pytest

from tribune.networks.base import AccountCredentials, Capability, RemoteRef
from tribune.networks.errors import NotSupported
from tribune.networks.registry import connector_class


@pytest.mark.parametrize("network", ["wordpress", "mediawiki"])
def test_it_offers_no_metrics_and_sends_nothing(network):
    sent: list[httpx.Request] = []
    http = httpx.Client(
        transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(500))
    )
    connector = connector_class(network)(AccountCredentials(base_url="https://site.example"), http)
    assert Capability.METRICS not in connector.capabilities
    with pytest.raises(NotSupported):
        connector.fetch_metrics([RemoteRef("1")])
    with pytest.raises(NotSupported):
        connector.fetch_account_metrics()
    assert sent == []
