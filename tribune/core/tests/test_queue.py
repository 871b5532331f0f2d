"""A task enqueued by one process is run by a separate `tribune worker`, on both storages.

These start real processes: `tribune migrate`, `tribune worker`, and a
`tribune shell` standing in for the web process that enqueues the task.
"""

from __future__ import annotations

import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tribune.core.config import queue_config
from tribune.core.env import SettingsError
from tribune.core.models import WorkerHeartbeat
from tribune.core.tasks import record_heartbeat, worker_name
from tribune.testing.fixtures import require
from tribune.testing.services import POSTGRES_URL, REDIS_URL, postgres_reason, redis_reason

from .processes import free_port, get_json, start, stop, tribune, tribune_env, wait_for

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
    env = tribune_env(tmp_path, TRIBUNE_LOG_LEVEL="INFO")
    prove_a_worker_runs_what_another_process_enqueued(env, tmp_path, "SqliteStorage")
    assert (tmp_path / "queue.sqlite3").exists()
    # Each line once, in the same format as the rest of Tribune's logs.
    log = (tmp_path / "worker.log").read_text()
    assert log.count("Huey consumer started") == 1, log
    assert log.count("INFO huey: Executing tribune.core.tasks.record_heartbeat") == 1, log


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
        "consumer": {"max_delay": 0.5},
    }
    redis = queue_config(
        {"TRIBUNE_REDIS_URL": "redis://cache:6379/2", "TRIBUNE_QUEUE_NAME": "brand-a"}, tmp_path
    )
    assert (redis["huey_class"], redis["url"], redis["name"]) == (
        "huey.RedisHuey",
        "redis://cache:6379/2",
        "brand-a",
    )


class _Waits:
    """A consumer's stop flag that records each wait instead of sleeping through it."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return False

    def is_set(self) -> bool:
        return False


def test_an_idle_worker_looks_at_the_sqlite_queue_at_least_twice_a_second(tmp_path: Path):
    """Huey's default lets an idle thread back off to 10 s between looks; on SQLite, which
    cannot block until a task arrives, a task queued after a quiet minute waited that long.

    A consumer built as `tribune worker` builds it (run_huey: the settings' consumer
    options) polls an empty queue two hundred times, well past a minute of backing off."""
    from huey import SqliteHuey
    from huey.consumer_options import ConsumerConfig

    settings = queue_config({}, tmp_path)
    queue = SqliteHuey(settings["name"], filename=settings["filename"], utc=True)
    config = ConsumerConfig(**settings["consumer"])
    config.validate()
    consumer = queue.create_consumer(**config.values)
    consumer.stop_flag = flag = _Waits()
    worker = consumer._create_worker()
    for _look in range(200):
        worker.loop()
    assert len(flag.waits) == 200
    assert max(flag.waits) == pytest.approx(0.5)
    # Without the setting, the same loop backs off to Huey's 10 s.
    default = SqliteHuey("default", filename=str(tmp_path / "default.sqlite3"))
    consumer = default.create_consumer(**ConsumerConfig().values)
    consumer.stop_flag = flag = _Waits()
    worker = consumer._create_worker()
    for _look in range(200):
        worker.loop()
    assert max(flag.waits) == pytest.approx(10.0)


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


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """Return the URL of a new, empty PostgreSQL database, dropped afterwards."""
    require(postgres_reason())
    import psycopg

    base = urlsplit(POSTGRES_URL)
    name = f"tribune_scale_{uuid.uuid4().hex[:10]}"
    admin = base._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield base._replace(path=f"/{name}").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_heartbeats(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT worker, tasks_done FROM core_workerheartbeat")
        return dict(rows.fetchall())


@pytest.mark.slow
def test_it_runs_several_web_servers_and_workers_on_one_postgresql_and_one_redis(
    tmp_path: Path, postgres_url: str, redis_env: dict[str, str]
):
    env = {**redis_env, "TRIBUNE_DATABASE_URL": postgres_url}
    prepared = tribune(env, "prepare", "--no-demo")
    assert prepared.returncode == 0, prepared.stderr
    ports = [free_port(), free_port()]
    webs = [
        start({**env, "TRIBUNE_BIND": f"127.0.0.1:{port}"}, tmp_path / f"web-{port}.log", "web")
        for port in ports
    ]
    workers = [
        start(env, tmp_path / f"worker-{n}.log", "worker", "--no-periodic") for n in range(2)
    ]
    try:
        shell(
            env, "from tribune.core.tasks import record_heartbeat\n" + "record_heartbeat()\n" * 20
        )
        beats = wait_for(
            lambda: (b := postgres_heartbeats(postgres_url)) and sum(b.values()) >= 20 and b,
            60,
            "the workers to run 20 tasks",
        )
        time.sleep(1)  # a task run twice would show up now
        assert postgres_heartbeats(postgres_url) == beats
        assert sum(beats.values()) == 20
        assert set(beats) <= {f"{socket.gethostname()}:{worker.pid}" for worker in workers}
        for port in ports:
            status, body = wait_for(
                lambda port=port: get_json(f"http://127.0.0.1:{port}/health/"), 60, "tribune web"
            )
            assert (status, body["status"], body["database"]) == (200, "ok", "ok")
    finally:
        codes = [stop(process) for process in [*webs, *workers]]
    assert codes == [0, 0, 0, 0]
