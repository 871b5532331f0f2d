import httpx
import pytest

from tribune.editorial.tests.workflow_support import huey_immediate  # noqa: F401
from tribune.networks import clients, registry

from .connectors import REGISTRY
from .support import ScriptedNetwork


@pytest.fixture
def network(monkeypatch) -> ScriptedNetwork:
    """Install a ScriptedNetwork behind every connector; set its answers in the test."""
    scripted = ScriptedNetwork(httpx.Response(500))
    monkeypatch.setattr(clients, "http_client", scripted.client)
    return scripted


@pytest.fixture
def test_networks(monkeypatch):
    """Register the tests' own connectors (tests/connectors.py) beside the real ones.

    connector_class is functools.cache'd: cleared before and after, so no other test
    sees a made-up network.
    """
    registry.connector_class.cache_clear()
    for key, path in REGISTRY.items():
        monkeypatch.setitem(registry.CONNECTORS, key, path)
    yield
    registry.connector_class.cache_clear()
