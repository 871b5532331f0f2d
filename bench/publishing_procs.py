"""The publishing bench's processes: `tribune worker`s to start, kill and watch.

Part of bench/publishing.py. Each worker runs in its own process group
(setsid), its log in the bench's throw-away folder; the bench stops every
group it started, and only those.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY_LINE = "Huey consumer started"
READY_TIMEOUT_S = 60


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path


@dataclass
class Workers:
    """The bench's workers: how to start one, and the ones running."""

    var: Path
    threads: int
    # Options passed through to huey's run_huey (`tribune worker -m 1`, say).
    huey_options: list[str] = field(default_factory=list)
    running: dict[str, Worker] = field(default_factory=dict)
    started: int = 0

    def command(self) -> list[str]:
        # What `tribune run` starts.
        return [sys.executable, "-m", "tribune.cli", "worker", *self.huey_options]

    def start(self, name: str, wait: bool = True) -> Worker:
        self.started += 1
        log = self.var / f"{name}-{self.started}.log"
        env = {**os.environ, "TRIBUNE_WORKER_THREADS": str(self.threads)}
        with log.open("w") as out:
            process = subprocess.Popen(
                self.command(), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        worker = Worker(name, process, log)
        self.running[name] = worker
        if wait:
            wait_ready(worker)
        return worker

    def kill(self, name: str) -> None:
        """kill -9 the worker's whole process group, as a crash or an OOM killer would."""
        worker = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait()

    def stop_all(self, grace: float = 15.0) -> None:
        for worker in self.running.values():
            if worker.process.poll() is None:
                os.killpg(worker.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for worker in self.running.values():
            try:
                worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(worker.process.pid, signal.SIGKILL)
                worker.process.wait()
        self.running.clear()

    def pids(self) -> list[int]:
        return [w.process.pid for w in self.running.values() if w.process.poll() is None]


def wait_ready(worker: Worker) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if READY_LINE in worker.log.read_text(errors="replace"):
            return
        if worker.process.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"worker {worker.name} did not start:\n{worker.log.read_text()[-3000:]}")


def rss_kb(pid: int) -> int:
    """VmRSS of one process, in kB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """The process and every child under it (from /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                todo.extend(int(c) for c in (task / "children").read_text().split())
    return found


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # Fields 14 and 15 of stat(5); the split above starts at field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class MemorySampler(threading.Thread):
    """Samples the resident memory of each worker's process tree every `every` seconds,
    and the CPU time the workers and the network simulator used."""

    def __init__(self, workers: Workers, simulator_pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.workers, self.simulator_pid, self.every = workers, simulator_pid, every
        self.max_kb = 0  # the largest single worker (with its children)
        self.max_total_kb = 0  # all workers together
        self.cpu: dict[int, float] = {}  # worker pid -> CPU seconds, last seen
        self.cpu_start = {pid: cpu_s(pid) for pid in [*workers.pids(), simulator_pid]}
        self.simulator_cpu_s = 0.0
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(self.every)

    def sample(self) -> None:
        pids = self.workers.pids()
        sizes = [sum(rss_kb(p) for p in descendants(pid)) for pid in pids]
        if sizes:
            self.max_kb = max(self.max_kb, *sizes)
            self.max_total_kb = max(self.max_total_kb, sum(sizes))
        for pid in pids:
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu_s(pid) - self.cpu_start.get(pid, 0.0))
        used = cpu_s(self.simulator_pid) - self.cpu_start[self.simulator_pid]
        self.simulator_cpu_s = max(self.simulator_cpu_s, used)

    @property
    def workers_cpu_s(self) -> float:
        return sum(self.cpu.values())

    def stop(self) -> None:
        self.halt.set()
        self.join()
        self.sample()
