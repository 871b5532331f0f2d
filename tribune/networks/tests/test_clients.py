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


def test_threads_starting_together_build_the_tls_context_once(monkeypatch):
    """A worker's publishing threads start together: the first of them builds the
    context, the others wait for it instead of each loading the CA bundle."""
    import ssl
    import threading
    import time

    built = []
    real = ssl.create_default_context

    def slow_context(*args, **kwargs):
        built.append(threading.get_ident())
        time.sleep(0.05)  # long enough for every thread to ask meanwhile
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", slow_context)
    clients.tls_context.cache_clear()
    together = threading.Barrier(8)
    contexts = []

    def first_client() -> None:
        together.wait()
        contexts.append(clients.tls_context())

    threads = [threading.Thread(target=first_client) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        clients.tls_context.cache_clear()
    assert len(built) == 1
    assert len(contexts) == 8
    assert all(context is contexts[0] for context in contexts)
