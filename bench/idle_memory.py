"""Resident memory of an idle `tribune run`, against the 250 MB target.

    .venv/bin/python bench/idle_memory.py [--idle SECONDS]

Starts `tribune run` on a free port with a temporary var folder (SQLite
database and SQLite queue: the embedded default), waits until it serves and
has answered a couple of pages, waits idle, then sums the resident memory
(VmRSS from /proc) of the whole process tree. Shared pages are counted once
per process, as RSS does, so the figure is pessimistic; PSS is printed too.
Exits 1 when over the target.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

TARGET_MB = 250
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree(pid: int) -> list[int]:
    """Return `pid` and every live descendant, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [pid], [pid]
    while frontier:
        current = frontier.pop()
        kids = [child for child, parent in parents.items() if parent == current]
        found.extend(kids)
        frontier.extend(kids)
    return found


def field_kb(path: Path, name: str) -> int:
    """Return a `Name:  123 kB` field of a /proc status-like file, 0 when absent."""
    try:
        for line in path.read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    words = [w.decode(errors="replace") for w in raw.split(b"\0") if w]
    # "python -m tribune.cli web" reads better as "tribune web".
    if "-m" in words and "tribune.cli" in words:
        return "tribune " + " ".join(words[words.index("tribune.cli") + 1 :])
    return " ".join(Path(w).name if i == 0 else w for i, w in enumerate(words[:3]))


def wait_until_serving(base: str, process: subprocess.Popen, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            sys.exit(f"tribune run exited with code {process.returncode} before serving")
        try:
            with urllib.request.urlopen(base + "/health/", timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    sys.exit(f"tribune run did not serve within {timeout:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=5.0, help="seconds to wait idle")
    args = parser.parse_args()

    tribune = Path(sys.executable).with_name("tribune")
    command = [str(tribune)] if tribune.exists() else [sys.executable, "-m", "tribune.cli"]
    with tempfile.TemporaryDirectory(prefix="tribune-bench-") as var:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRIBUNE_")}
        env.update(TRIBUNE_VAR_DIR=var, TRIBUNE_BIND=f"127.0.0.1:{port}")
        log = Path(var) / "run.log"
        with log.open("wb") as out:
            run = subprocess.Popen(
                [*command, "run"],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            seconds = wait_until_serving(base, run, 300)
            print(f"tribune run served after {seconds:.1f} s (first start, empty database)")
            # Load the URL configuration and the templates as a first visitor would.
            for page in ("/health/", "/accounts/login/"):
                with urllib.request.urlopen(base + page, timeout=10) as response:
                    response.read()
            time.sleep(args.idle)
            pids = tree(run.pid)
            rows = [
                (
                    pid,
                    field_kb(Path(f"/proc/{pid}/status"), "VmRSS"),
                    field_kb(Path(f"/proc/{pid}/smaps_rollup"), "Pss"),
                    command_line(pid),
                )
                for pid in pids
            ]
        finally:
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGINT)
            try:
                code = run.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(run.pid, signal.SIGKILL)
                code = run.wait()

    print(f"{'pid':>8} {'RSS MB':>8} {'PSS MB':>8}  process")
    for pid, rss, pss, name in rows:
        print(f"{pid:>8} {rss / 1024:>8.1f} {pss / 1024:>8.1f}  {name}")
    total_rss = sum(r[1] for r in rows) / 1024
    total_pss = sum(r[2] for r in rows) / 1024
    verdict = "within" if total_rss <= TARGET_MB else "OVER"
    print(
        f"idle tribune run: {total_rss:.0f} MB RSS over {len(rows)} processes "
        f"({total_pss:.0f} MB PSS) -- {verdict} the {TARGET_MB} MB target"
    )
    print(f"tribune run stopped with exit code {code}")
    return 0 if total_rss <= TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
