"""Servers the connectors' tests talk to, started once per session per pytest-xdist worker."""

import os

import pytest

from tribune.testing.fixtures import require


@pytest.fixture(scope="session")
def mastodon_server():
    """mastodon-mock, an imitation of the Mastodon API (no real Mastodon can run here)."""
    from tribune.testing.servers import mastodon

    require(mastodon.missing_reason())
    server = mastodon.start_mastodon_mock(os.environ.get("PYTEST_XDIST_WORKER", "main"))
    yield server.site
    server.stop()
