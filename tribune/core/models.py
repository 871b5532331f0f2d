"""Process-wide state that belongs to no domain: the worker's heartbeat."""

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """Last time each worker process ran its heartbeat task.

    The health endpoint reads it so that "no worker running" is visible
    instead of silently leaving work undone.
    """

    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField(default=timezone.now)
    tasks_done = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.worker
