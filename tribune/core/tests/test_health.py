"""/health/: the database and worker freshness, never a 500; and a real `tribune web`."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from tribune.core import views
from tribune.core.models import WorkerHeartbeat
from tribune.publishing.models import Target, TargetState
from tribune.publishing.tests.support import make_account, scheduled_post
from tribune.testing.fixtures import require
from tribune.testing.services import REDIS_URL, redis_reason
from tribune.workspaces.models import Workspace

from .processes import free_port, get_json, start, stop, tribune, tribune_env, wait_for


def test_it_reports_a_worker_seen_recently(db, django_assert_max_num_queries):
    WorkerHeartbeat.objects.create(worker="host:1")
    WorkerHeartbeat.objects.create(worker="host:2")
    with django_assert_max_num_queries(4):
        response = Client().get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["worker"]) == ("ok", "ok", "ok")
    assert body["workers_seen_recently"] == 2
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_reports_degraded_when_no_worker_ever_ran(db):
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "queue": "ok",
        "worker": "not seen",
        "worker_last_seen": None,
        "workers_seen_recently": 0,
        "publishing": {"late": 0, "oldest_late_seconds": None, "expired_leases": 0},
    }


def test_it_reports_a_stale_worker_as_not_seen(db):
    seen = timezone.now() - views.WORKER_STALE_AFTER - timedelta(seconds=5)
    WorkerHeartbeat.objects.create(worker="host:1", seen_at=seen)
    body = Client().get("/health/").json()
    assert (body["status"], body["worker"]) == ("degraded", "not seen")
    assert body["worker_last_seen"] == seen.isoformat()


def late_target(workspace, author, minutes: int):
    """A target due `minutes` ago that no worker picked up."""
    account = make_account(workspace, remote_id=f"m-{minutes}")
    due = timezone.now() - timedelta(minutes=minutes)
    return scheduled_post(workspace, author, [account], due=due)


def test_it_answers_503_when_publications_are_late(db, workspace, alice, charlie):
    WorkerHeartbeat.objects.create(worker="host:1")
    late_target(workspace, alice, 30)
    late_target(Workspace.objects.get(slug="other"), charlie, 10)
    response = Client().get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["worker"]) == ("degraded", "ok", "ok")
    publishing = body["publishing"]
    # Every workspace counts, and only as a number: nothing names a workspace or a post.
    assert publishing["late"] == 2 and publishing["expired_leases"] == 0
    assert 30 * 60 <= publishing["oldest_late_seconds"] < 31 * 60


def test_it_counts_publications_whose_worker_stopped(db, workspace, alice):
    WorkerHeartbeat.objects.create(worker="host:1")
    post = late_target(workspace, alice, 0)
    Target.objects.filter(post=post).update(
        state=TargetState.PUBLISHING, lease_owner="gone:1", lease_until=timezone.now()
    )
    response = Client().get("/health/")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["publishing"] == {"late": 0, "oldest_late_seconds": None, "expired_leases": 1}


def test_it_answers_200_when_the_targets_table_is_unreadable(db, monkeypatch):
    class Broken:
        def filter(self, *args, **kwargs):
            raise OperationalError("no such table: publishing_target")

    WorkerHeartbeat.objects.create(worker="host:1")
    monkeypatch.setattr(Target, "objects", Broken())
    response = Client(raise_request_exception=False).get("/health/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["publishing"]) == ("degraded", None)


class BrokenConnection:
    def cursor(self):
        raise OperationalError("connection refused")


def test_it_answers_503_not_500_when_the_database_is_down(db, monkeypatch):
    monkeypatch.setattr(views, "connection", BrokenConnection())
    response = Client(raise_request_exception=False).get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_it_answers_200_when_the_heartbeat_table_is_unreadable(db, monkeypatch):
    class Broken:
        def order_by(self, *fields):
            raise OperationalError("no such table: core_workerheartbeat")

    monkeypatch.setattr(WorkerHeartbeat, "objects", Broken())
    response = Client(raise_request_exception=False).get("/health/")
    assert response.status_code == 200
    assert response.json()["worker"] == "not seen"


def test_it_reports_an_unreachable_redis_queue_without_failing(db, settings):
    WorkerHeartbeat.objects.create(worker="host:1")
    settings.HUEY = {**settings.HUEY, "url": "redis://127.0.0.1:1/0"}  # nothing listens there
    response = Client().get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["queue"], body["worker"]) == ("degraded", "unreachable", "ok")


def test_it_reports_a_reachable_redis_queue(db, settings):
    require(redis_reason())
    WorkerHeartbeat.objects.create(worker="host:1")
    settings.HUEY = {**settings.HUEY, "url": REDIS_URL}
    body = Client().get("/health/").json()
    assert (body["status"], body["queue"]) == ("ok", "ok")


def test_it_refuses_writes(db):
    assert Client().post("/health/").status_code == 405


@pytest.mark.slow
def test_it_serves_health_from_a_real_web_process_and_sees_the_worker(tmp_path: Path):
    port = free_port()
    env = tribune_env(tmp_path, TRIBUNE_BIND=f"127.0.0.1:{port}")
    url = f"http://127.0.0.1:{port}/health/"
    migrated = tribune(env, "migrate", "--no-input", "-v0")
    assert migrated.returncode == 0, migrated.stderr

    web = start(env, tmp_path / "web.log", "web")
    worker = None
    try:
        status, body = wait_for(lambda: get_json(url), 60, "tribune web to answer")
        assert (status, body["database"], body["worker"]) == (200, "ok", "not seen")

        # The worker's periodic heartbeat runs at start, then every minute.
        worker = start(env, tmp_path / "worker.log", "worker")
        status, body = wait_for(
            lambda: (r := get_json(url)) and r[1]["worker"] == "ok" and r,
            60,
            "/health/ to report the worker",
        )
        assert (status, body["status"], body["workers_seen_recently"]) == (200, "ok", 1)
    finally:
        codes = [stop(process) for process in (web, worker) if process]
    assert codes == [0, 0], (tmp_path / "web.log").read_text()


@pytest.mark.slow
def test_it_answers_503_from_a_real_web_process_when_the_database_is_unreachable(
    tmp_path: Path,
):
    port = free_port()
    env = tribune_env(
        tmp_path,
        TRIBUNE_BIND=f"127.0.0.1:{port}",
        TRIBUNE_DATABASE_URL="postgresql://nobody@127.0.0.1:1/nothing",
    )
    web = start(env, tmp_path / "web.log", "web")
    try:
        status, body = wait_for(
            lambda: get_json(f"http://127.0.0.1:{port}/health/"), 60, "tribune web to answer"
        )
        # A stale session cookie must not make the middleware touch the database.
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/health/", headers={"Cookie": "sessionid=stale"}
        )
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=5)
    finally:
        code = stop(web)
    assert (status, body["database"], body["status"]) == (503, "unreachable", "degraded")
    assert error.value.code == 503
    assert code == 0
    assert "Traceback" not in (tmp_path / "web.log").read_text()
