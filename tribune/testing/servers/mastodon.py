"""mastodon-mock (PyPI), an IMITATION of the Mastodon API, for the Mastodon connector's tests.

No real Mastodon (Ruby on Rails, PostgreSQL, Redis, Sidekiq) can run on the
test machines. mastodon-mock is a FastAPI + SQLite program that answers the
Mastodon REST API in its documented shapes; it runs here as a separate
process spoken to over real HTTP, which is what these tests add to the
documented-response tests. What it does not imitate (PKCE checks, media
processing, the one-hour key window, ...) is listed in
tribune/networks/tests/test_mastodon_mock_server.py.

`start_mastodon_mock(name)` writes a configuration file (SQLite database and
media in a fresh folder under /tmp, two seeded accounts with random tokens:
the brand Tribune publishes as, and a fan who mentions it), starts
`python -m mastodon_mock serve` in its own process group on a free port, and
waits until the API answers. One server per pytest-xdist worker: `name` comes
from the worker id.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BRAND = "brulerie"
FAN = "amelie"
START_TIMEOUT_S = 20.0

CONFIG = """\
domain = "127.0.0.1:{port}"
url_scheme = "http"
media_storage_path = "{media}"

[database]
path = "{database}"

[[seed.accounts]]
username = "{brand}"
display_name = "Brûlerie du Canal"
access_token = "{brand_token}"

[[seed.accounts]]
username = "{fan}"
display_name = "Amélie"
access_token = "{fan_token}"
"""


@dataclass(frozen=True)
class MastodonMockSite:
    """A running imitation server and the two accounts the tests act as."""

    base_url: str
    brand: str
    brand_token: str = field(repr=False)
    fan: str
    fan_token: str = field(repr=False)

    def add_fault(self, method: str, path: str, effect: dict, count: int = 1) -> None:
        """Make the next `count` matching requests fail as `effect` says (mastodon-mock's own
        fault injection: {"type": "status", "status": 500}, {"type": "latency", "delay_ms": N},
        {"type": "ratelimit"}, ...)."""
        rule = {"match": {"methods": [method], "path": path}, "effect": effect, "count": count}
        httpx.post(f"{self.base_url}/api/v1/_mock/faults", json=rule, timeout=5).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.base_url}/api/v1/_mock/faults", timeout=5).raise_for_status()


@dataclass
class MastodonMockServer:
    site: MastodonMockSite
    process: subprocess.Popen
    data_dir: Path
    log_file: Path

    def stop(self) -> None:
        """Stop the server (its whole process group) and remove its database and media."""
        _stop_process(self.process)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def missing_reason() -> str | None:
    """Why mastodon-mock cannot run here (None when it can)."""
    if importlib.util.find_spec("mastodon_mock") is None:
        return "mastodon-mock is not installed (pip install -e '.[dev]')"
    return None


def start_mastodon_mock(name: str) -> MastodonMockServer:
    """Start a fresh server for `name`; raise RuntimeError with its log when it does not answer."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"tribune-mastodon-{name}-"))
    log_file = data_dir / "server.log"
    port = _free_port()
    site = MastodonMockSite(
        base_url=f"http://127.0.0.1:{port}",
        brand=BRAND,
        brand_token=secrets.token_urlsafe(24),
        fan=FAN,
        fan_token=secrets.token_urlsafe(24),
    )
    config_file = data_dir / "mastodon_mock.toml"
    config_file.write_text(CONFIG.format(
        port=port, media=data_dir / "media", database=data_dir / "mastodon.sqlite",
        brand=BRAND, brand_token=site.brand_token, fan=FAN, fan_token=site.fan_token,
    ), encoding="utf-8")  # fmt: skip
    command = [
        sys.executable, "-m", "mastodon_mock", "serve", "--config", str(config_file),
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    with log_file.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=data_dir,  # it would otherwise read [tool.mastodon_mock] from ./pyproject.toml
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, killed as one at the end
        )
    server = MastodonMockServer(site, process, data_dir, log_file)
    try:
        _wait_answering(site, process)
    except Exception as exc:
        log = log_file.read_text(errors="replace")[-4000:]
        server.stop()
        raise RuntimeError(
            f"mastodon-mock did not start: {exc}\n--- {log_file} ---\n{log}"
        ) from exc
    return server


def _wait_answering(site: MastodonMockSite, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    headers = {"Authorization": f"Bearer {site.brand_token}"}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"it exited with {process.returncode}")
        try:
            response = httpx.get(
                f"{site.base_url}/api/v1/accounts/verify_credentials", headers=headers, timeout=1
            )
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"no answer from {site.base_url} after {START_TIMEOUT_S:.0f} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop_process(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
