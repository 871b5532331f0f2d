"""Background tasks with no domain: the heartbeat that proves a worker runs."""

from __future__ import annotations

import os
import socket

from django.db.models import F
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import WorkerHeartbeat


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@db_task()
def record_heartbeat(label: str = "") -> str:
    """Record that a worker executed a task; returns the worker's name.

    Enqueued by the web process (and the tests) to prove the queue works end
    to end: whoever runs it writes its own process name.
    """
    name = label or worker_name()
    # Update first: after the first beat of a worker, one query does it, and
    # concurrent beats of one worker (it has several threads) never lose a count.
    mine = WorkerHeartbeat.objects.filter(worker=name)
    if not mine.update(seen_at=timezone.now(), tasks_done=F("tasks_done") + 1):
        _, created = WorkerHeartbeat.objects.get_or_create(worker=name, defaults={"tasks_done": 1})
        if not created:  # another thread of this worker created it in between
            mine.update(seen_at=timezone.now(), tasks_done=F("tasks_done") + 1)
    return name


@db_periodic_task(crontab(minute="*"))
def heartbeat_every_minute() -> None:
    record_heartbeat.call_local()
