"""Health endpoint: database reachable, and a worker seen in the last few minutes."""

from datetime import timedelta

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone

from .models import WorkerHeartbeat

WORKER_STALE_AFTER = timedelta(minutes=3)


def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database_ok = True
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        database_ok = False
    last = None
    if database_ok:
        last = (
            WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        )
    worker_ok = last is not None and timezone.now() - last < WORKER_STALE_AFTER
    body = {
        "status": "ok" if database_ok and worker_ok else "degraded",
        "database": "ok" if database_ok else "unreachable",
        "worker": "ok" if worker_ok else "not seen",
        "worker_last_seen": last.isoformat() if last else None,
    }
    return JsonResponse(body, status=200 if database_ok else 503)
