"""Building a connector for a stored account: its HTTP client and decrypted credentials."""

from __future__ import annotations

import ssl
import threading
import urllib.request
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

import certifi
import httpx

from tribune import __version__

from .base import Connector
from .models import Account
from .registry import connector_class, has_connector

# Connect quickly or not at all (then the request never left: safe to retry);
# give the network time to answer once it has the request.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
USER_AGENT = f"Tribune/{__version__}"


T = TypeVar("T")


def once_per_process(build: Callable[[], T]) -> Callable[[], T]:
    """Build the value on the first call and keep it; concurrent first calls wait for the
    one build. functools.cache lets each of them build it: a worker's 32 publishing
    threads, starting together, built 32 TLS contexts (0.8 s of CPU) just as the first
    posts fell due. `.cache_clear()` forgets the value (tests)."""
    lock = threading.Lock()
    kept: list[T] = []

    @wraps(build)
    def get() -> T:
        if not kept:
            with lock:
                if not kept:
                    kept.append(build())
        return kept[0]

    get.cache_clear = kept.clear  # type: ignore[attr-defined]
    return get


@once_per_process
def tls_context() -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle costs tens of milliseconds of
    CPU, which a new context per publish would pay every time (measured in
    bench/publishing.py: half a worker's CPU per target). Contexts are thread-safe."""
    return ssl.create_default_context(cafile=certifi.where())


@once_per_process
def environment_names_a_proxy() -> bool:
    """Whether HTTP_PROXY, HTTPS_PROXY, ALL_PROXY (or the like) is set, read once per process.

    httpx reads the whole environment for every client it builds when asked to trust it,
    a twelfth of a worker's CPU per publication (bench/publishing_profile.py): clients
    trust the environment only when it names a proxy."""
    return bool(urllib.request.getproxies_environment())


def http_client() -> httpx.Client:
    return httpx.Client(
        timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}, verify=tls_context(),
        trust_env=environment_names_a_proxy())  # fmt: skip


def connector_for(account: Account, http: httpx.Client | None = None) -> Connector:
    """Return the account's connector; the caller closes `http` (or the returned .http)."""
    return connector_class(account.network)(account.credentials(), http or http_client())


def publishes_by_api(account: Account) -> bool:
    """Whether posts for this account go out through an API (else: reminder publishing)."""
    return account.mode == "api" and has_connector(account.network)


def can_find_published(connector: Connector) -> bool:
    return type(connector).find_published is not Connector.find_published
