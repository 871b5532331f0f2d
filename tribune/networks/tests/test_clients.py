"""The connectors' HTTP client: proxies from the environment, read once per process."""

from __future__ import annotations

import pytest

from tribune.networks import clients


@pytest.fixture
def fresh_environment_check():
    clients.environment_names_a_proxy.cache_clear()
    yield
    clients.environment_names_a_proxy.cache_clear()


@pytest.mark.usefixtures("fresh_environment_check")
def test_it_follows_a_proxy_named_in_the_environment(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    with clients.http_client() as client:
        assert client.trust_env
        # httpx mounts a proxy transport for the scheme the environment names.
        assert [pattern.pattern for pattern in client._mounts] == ["https://"]


@pytest.mark.usefixtures("fresh_environment_check")
def test_it_skips_reading_the_environment_when_no_proxy_is_named(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    with clients.http_client() as client:
        assert not client.trust_env
        assert client._mounts == {}
        assert client.headers["User-Agent"] == clients.USER_AGENT
