"""Helpers for tests that run `tribune` commands as real processes.

Each test gets its own folder (TRIBUNE_VAR_DIR), database file and queue name,
so tests can run side by side (pytest -n) and against a shared Redis.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

# Variables of the outer test run (e.g. the PostgreSQL pass of `make test`)
# must not leak into the processes a test starts.
DROPPED_PREFIXES = ("TRIBUNE_", "DJANGO_SETTINGS_MODULE")


def tribune_command() -> list[str]:
    """Return the argv prefix of the installed `tribune` script (or `python -m tribune.cli`)."""
    script = Path(sys.executable).with_name("tribune")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tribune.cli"]


def tribune_env(var: Path, **overrides: str) -> dict[str, str]:
    """Return an environment for a tribune process living in `var` (file SQLite, own queue)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_PREFIXES)}
    env.update(
        TRIBUNE_VAR_DIR=str(var),
        TRIBUNE_DATABASE_URL=f"sqlite:///{var / 'db.sqlite3'}",
        TRIBUNE_QUEUE_NAME=f"test-{uuid.uuid4().hex[:12]}",
        TRIBUNE_SECRET_KEY="test-" + "k" * 40,
        TRIBUNE_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def tribune(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `tribune <args>` to completion and return it (output captured as text)."""
    return subprocess.run(
        [*tribune_command(), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen:
    """Start `tribune <args>` in its own process group, output to `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [*tribune_command(), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
    """Signal the process, wait for it, and kill its whole group if it hangs; returns its code."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise


def wait_for(check: Callable[[], T | None], timeout: float, what: str) -> T:
    """Call `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> tuple[int, dict] | None:
    """GET a JSON URL; returns (status, body), or None while nothing listens."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def children_of(pid: int) -> list[int]:
    """Return the pids of every live descendant of `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces and parentheses: split after the last ')'.
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [child for child, parent in parents.items() if parent == current]
        found.extend(kids)
        frontier.extend(kids)
    return found


def alive(pid: int) -> bool:
    """Return whether a process runs (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def stop_group(process: subprocess.Popen, sig: int, timeout: float = 30) -> int:
    """Signal the process's whole group (as Ctrl-C in a terminal does); returns its code."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
