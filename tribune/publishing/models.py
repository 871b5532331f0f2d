"""Publication targets (one variant on one account) and every attempt to publish them.

The database is the source of truth: a target's state says where it stands,
whatever worker or machine handles it. See docs/publishing.md for the state
machine and the retry rules.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribune.editorial.models import Post, Variant
from tribune.networks.models import Account
from tribune.workspaces.models import Workspace


class TargetState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Outcome unknown")
    # Reminder publishing: a person was told to post it by hand.
    AWAITING = "awaiting", _("Waiting to be posted by hand")
    SKIPPED = "skipped", _("Skipped")


# States a target never leaves by itself (a person may still act on failed/unknown).
SETTLED = frozenset({TargetState.PUBLISHED, TargetState.SKIPPED})
NEEDS_PERSON = frozenset({TargetState.FAILED, TargetState.UNKNOWN, TargetState.AWAITING})


class Problem(models.TextChoices):
    """Why a target failed or waits for a decision; each has its own advice (see advice.py)."""

    AUTH = "auth", _("The account must be reconnected")
    REJECTED = "rejected", _("The network refused the post")
    INVALID = "invalid", _("The post breaks a rule of the network")
    GAVE_UP = "gave_up", _("The network kept failing")
    MISSED = "missed", _("No worker was running at the due time")
    UNKNOWN = "unknown", _("The network may or may not have published it")
    ACCOUNT = "account", _("The account is not usable")
    MEDIA = "media", _("A media file could not be read")


class Target(models.Model):
    """One variant of a post, to be published on one account."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="targets")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="targets")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="targets")
    state = models.CharField(
        _("state"), max_length=12, choices=TargetState.choices, default=TargetState.SCHEDULED
    )
    due_at = models.DateTimeField(_("due"))
    # When the next attempt may start (due_at, or later after a retryable failure).
    next_attempt_at = models.DateTimeField()
    # Stable across every attempt: the network deduplicates on it, or
    # find_published searches for it.
    idempotency_key = models.CharField(max_length=64, unique=True, default="")
    # A previous attempt's outcome is unknown: check before publishing again.
    verify_first = models.BooleanField(default=False)
    lease_owner = models.CharField(max_length=120, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    # attempt_count when a person last asked for a retry: the give-up budget counts from here.
    retries_from = models.PositiveSmallIntegerField(default=0)
    remote_id = models.CharField(max_length=500, blank=True)
    url = models.URLField(_("published address"), max_length=1000, blank=True)
    remote_extra = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    problem = models.CharField(max_length=10, choices=Problem.choices, blank=True)
    message = models.TextField(_("network's message"), blank=True)
    # Thread parts published so far ([{remote_id, url, extra}]), so a retry resumes.
    thread_refs = models.JSONField(default=list, blank=True)
    first_comment_url = models.URLField(max_length=1000, blank=True)
    first_comment_problem = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("publication target")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "account"], name="one_target_per_account")
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="target_due"),
            models.Index(fields=["account", "state"], name="target_account_state"),
            models.Index(fields=["state", "lease_until"], name="target_lease"),
            # What went out in a period: the analytics overview's published vs planned.
            models.Index(fields=["workspace", "published_at"], name="target_published"),
        ]

    def __str__(self) -> str:
        return f"{self.variant} → {self.account}"

    def save(self, *args, **kwargs):
        if not self.idempotency_key:
            self.idempotency_key = uuid.uuid4().hex
        super().save(*args, **kwargs)


class Outcome(models.TextChoices):
    PUBLISHED = "published", _("Published")
    FOUND = "found", _("Found already published")
    RETRY = "retry", _("Will retry")
    RATE_LIMITED = "rate_limited", _("Rate limited")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Outcome unknown")
    LEASE_EXPIRED = "lease_expired", _("Worker stopped during the attempt")
    REMINDED = "reminded", _("Reminder sent")
    DECIDED = "decided", _("Decided by a person")


class Attempt(models.Model):
    """One try at publishing a target: who, when, what the network answered."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="attempts")
    # Kept beside the target so an account's request budget is one indexed count.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    worker = models.CharField(max_length=120, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    remote_id = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["target", "number", "pk"]
        indexes = [
            models.Index(fields=["target", "number"]),
            models.Index(fields=["account", "started_at"], name="attempt_account_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.outcome}"
