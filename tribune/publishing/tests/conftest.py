import httpx
import pytest

from tribune.networks import clients

from .support import ScriptedNetwork


@pytest.fixture
def network(monkeypatch) -> ScriptedNetwork:
    """Install a ScriptedNetwork behind every connector; set its answers in the test."""
    scripted = ScriptedNetwork(httpx.Response(500))
    monkeypatch.setattr(clients, "http_client", scripted.client)
    return scripted
