"""A task enqueued by one process is run by a separate `tribune worker`, on both storages.

These start real processes: `tribune migrate`, `tribune worker`, and a
`tribune shell` standing in for the web process that enqueues the task.
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tribune.core.config import queue_config
from tribune.core.env import SettingsError
from tribune.core.models import WorkerHeartbeat
from tribune.core.tasks import record_heartbeat, worker_name
from tribune.testing.fixtures import require
from tribune.testing.services import REDIS_URL, redis_reason

from .processes import start, stop, tribune, tribune_env, wait_for

PENDING = (
    "from huey.contrib.djhuey import HUEY; "
    "print(type(HUEY.storage).__name__, HUEY.name, HUEY.pending_count())"
)
ENQUEUE = (
    "import os; from tribune.core.tasks import record_heartbeat; "
    "record_heartbeat(); print(os.getpid())"
)


def heartbeats(database: Path) -> list[str]:
    """Return the worker names in the heartbeat table, read straight from the file."""
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT worker FROM core_workerheartbeat")]


def shell(env: dict[str, str], code: str) -> str:
    done = tribune(env, "shell", "-v", "0", "-c", code)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def prove_a_worker_runs_what_another_process_enqueued(
    env: dict[str, str], var: Path, storage: str
) -> None:
    migrated = tribune(env, "migrate", "--no-input", "-v0")
    assert migrated.returncode == 0, migrated.stderr

    # Enqueue before any worker runs: the task must wait in the shared storage.
    enqueuer_pid = int(shell(env, ENQUEUE))
    assert shell(env, PENDING) == f"{storage} {env['TRIBUNE_QUEUE_NAME']} 1"
    assert heartbeats(var / "db.sqlite3") == []

    # No periodic heartbeat: the only row can come from the task we enqueued.
    worker = start(env, var / "worker.log", "worker", "--no-periodic")
    try:
        rows = wait_for(lambda: heartbeats(var / "db.sqlite3"), 60, "the worker to run the task")
    finally:
        code = stop(worker)
    log = (var / "worker.log").read_text()
    assert rows == [f"{socket.gethostname()}:{worker.pid}"], log
    assert worker.pid != enqueuer_pid
    assert code == 0, log
    assert shell(env, PENDING) == f"{storage} {env['TRIBUNE_QUEUE_NAME']} 0"


@pytest.mark.slow
def test_it_runs_a_task_in_a_separate_worker_with_the_sqlite_queue(tmp_path: Path):
    env = tribune_env(tmp_path)
    prove_a_worker_runs_what_another_process_enqueued(env, tmp_path, "SqliteStorage")
    assert (tmp_path / "queue.sqlite3").exists()


@pytest.fixture
def redis_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    require(redis_reason())
    import redis

    env = tribune_env(tmp_path, TRIBUNE_REDIS_URL=REDIS_URL)
    yield env
    # Only this test's keys: other runs may share the database.
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"huey.*{env['TRIBUNE_QUEUE_NAME']}*"))
    if keys:
        client.delete(*keys)


@pytest.mark.slow
def test_it_runs_a_task_in_a_separate_worker_with_the_redis_queue(
    tmp_path: Path, redis_env: dict[str, str]
):
    prove_a_worker_runs_what_another_process_enqueued(redis_env, tmp_path, "RedisStorage")
    assert not (tmp_path / "queue.sqlite3").exists()


def test_it_picks_the_queue_storage_and_name_from_the_environment(tmp_path: Path):
    assert queue_config({}, tmp_path) == {
        "name": "tribune",
        "immediate": False,
        "results": False,
        "utc": True,
        "huey_class": "huey.SqliteHuey",
        "filename": str(tmp_path / "queue.sqlite3"),
    }
    redis = queue_config(
        {"TRIBUNE_REDIS_URL": "redis://cache:6379/2", "TRIBUNE_QUEUE_NAME": "brand-a"}, tmp_path
    )
    assert (redis["huey_class"], redis["url"], redis["name"]) == (
        "huey.RedisHuey",
        "redis://cache:6379/2",
        "brand-a",
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [("TRIBUNE_QUEUE_NAME", "a b"), ("TRIBUNE_QUEUE_NAME", ""), ("TRIBUNE_REDIS_URL", "http://x")],
)
def test_it_refuses_a_bad_queue_setting(tmp_path: Path, variable: str, value: str):
    with pytest.raises(SettingsError, match=variable):
        queue_config({variable: value}, tmp_path)


def test_it_counts_the_heartbeats_of_each_worker(db):
    assert record_heartbeat.call_local() == worker_name()
    record_heartbeat.call_local()
    record_heartbeat.call_local("probe")
    beats = dict(WorkerHeartbeat.objects.values_list("worker", "tasks_done"))
    assert beats == {worker_name(): 2, "probe": 1}
