"""Health endpoint: database and queue reachable, a worker seen in the last few minutes,
publications going out on time.

Monitoring probes it, so it must answer even when everything else is broken:
it never raises, it answers 503 when the database is unreachable or
publications are late, and 200 otherwise, with a JSON body saying what is wrong.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import WorkerHeartbeat

# The heartbeat runs every minute: three missed beats mean no worker runs.
WORKER_STALE_AFTER = timedelta(minutes=3)
QUEUE_TIMEOUT = 2  # seconds

log = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        # One line, not a traceback: a probe may ask every few seconds.
        log.warning("health: database unreachable: %s", exc)
        return False


def _workers(now: datetime) -> tuple[datetime | None, int]:
    """Return when a worker was last seen and how many were seen recently.

    Raises nothing: a missing table (not migrated yet) reads as "never seen".
    """
    try:
        beats = WorkerHeartbeat.objects.order_by("-seen_at")
        last = beats.values_list("seen_at", flat=True).first()
        fresh = beats.filter(seen_at__gte=now - WORKER_STALE_AFTER).count() if last else 0
        return last, fresh
    except Exception as exc:  # noqa: BLE001 - reported as "not seen", never as a 500
        log.warning("health: cannot read worker heartbeats: %s", exc)
        return None, 0


def _queue_ok() -> bool:
    """Return whether the queue's storage answers; a Redis probe gives up after 2 s."""
    try:
        url = settings.HUEY.get("url") if isinstance(settings.HUEY, dict) else None
        if url:
            import redis

            # A client of our own: the queue's has no timeouts, and a Redis
            # host that drops packets must not hang the probe.
            client = redis.Redis.from_url(
                url, socket_connect_timeout=QUEUE_TIMEOUT, socket_timeout=QUEUE_TIMEOUT
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            from huey.contrib.djhuey import HUEY

            HUEY.pending_count()
        return True
    except Exception as exc:  # noqa: BLE001 - reported as "unreachable", never as a 500
        log.warning("health: queue unreachable: %s", exc)
        return False


def _publishing(now: datetime) -> dict | None:
    """Late targets (every workspace: a count only), the oldest lateness, expired leases.

    One query. Returns None when the table cannot be read (not migrated yet).
    """
    # Imported here: core holds no domain, and /health/ must load even if an app cannot.
    from tribune.publishing.models import Target, TargetState
    from tribune.publishing.sweeper import LATE_AFTER

    late = Q(state=TargetState.SCHEDULED, next_attempt_at__lt=now - LATE_AFTER)
    expired = Q(state=TargetState.PUBLISHING, lease_until__lt=now)
    try:
        found = Target.objects.filter(late | expired).aggregate(
            late=Count("pk", filter=late),
            oldest=Min("next_attempt_at", filter=late),
            expired=Count("pk", filter=expired),
        )
    except Exception as exc:  # noqa: BLE001 - reported as "unknown", never as a 500
        log.warning("health: cannot read publication targets: %s", exc)
        return None
    oldest = found["oldest"]
    return {
        "late": found["late"],
        "oldest_late_seconds": int((now - oldest).total_seconds()) if oldest else None,
        "expired_leases": found["expired"],
    }


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Return the state of the database, the queue, the workers and publishing.

    A web process can still serve pages without the queue or a worker, so
    those make the status "degraded" but keep the answer 200. Late
    publications are the product failing its promise (posts not going out on
    time), so they answer 503 too: monitoring must page someone.
    """
    now = timezone.now()
    database_ok = _database_ok()
    last, fresh = _workers(now) if database_ok else (None, 0)
    worker_ok = fresh > 0
    queue_ok = _queue_ok()
    publishing = _publishing(now) if database_ok else None
    on_time = publishing is not None and publishing["late"] == 0
    body = {
        "status": "ok" if database_ok and worker_ok and queue_ok and on_time else "degraded",
        "database": "ok" if database_ok else "unreachable",
        "queue": "ok" if queue_ok else "unreachable",
        "worker": "ok" if worker_ok else "not seen",
        "worker_last_seen": last.isoformat() if last else None,
        "workers_seen_recently": fresh,
        "publishing": publishing,
    }
    late = publishing is not None and publishing["late"] > 0
    return JsonResponse(body, status=200 if database_ok and not late else 503)
