"""The sweepers: leases that ran out (a worker died) and targets nobody published in time.

Expired lease: the worker may have sent the request before it died, so the
target goes back to "scheduled" with verify_first set, and the next attempt
settles the doubt the safe way (the idempotency key, find_published, or a
person), exactly as after a timeout.

Missed: a target still "scheduled" well after its time means no worker ran.
Under MAX_LATENESS late it simply goes out now (the dispatcher picks it up);
beyond, it fails as "missed" and people are told, rather than a post about
yesterday's news going out today unannounced. Either way `late_targets`
reports it to the UI and /health/ while it waits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tribune.editorial.choices import PostState
from tribune.editorial.models import Post, Transition

from . import retry
from .alerts import after_settled
from .models import Attempt, Outcome, Problem, Target, TargetState
from .rollup import PUBLISHING_STATES, rollup

# A target this late is reported as late (the dispatcher runs every minute).
LATE_AFTER = timedelta(minutes=2)
# Past this, a missed target is not published any more without a person.
MAX_LATENESS = timedelta(hours=1)


def late_targets(now: datetime | None = None) -> QuerySet[Target]:
    now = now or timezone.now()
    return Target.objects.filter(
        state=TargetState.SCHEDULED, next_attempt_at__lt=now - LATE_AFTER,
        post__state__in=PUBLISHING_STATES,  # a post back in draft is waiting for nobody
    )  # fmt: skip


def sweep_expired_leases(now: datetime | None = None) -> int:
    """Return targets whose worker stopped mid-attempt to "scheduled, verify first".

    A target whose workers keep dying (a crash on that very post) is not tried for
    ever: past retry.MAX_ATTEMPTS it goes to "outcome unknown" and people are told.
    """
    now = now or timezone.now()
    swept = 0
    expired = Target.objects.filter(state=TargetState.PUBLISHING, lease_until__lt=now)
    for target in expired.only("pk", "lease_owner", "post_id", "attempt_count", "retries_from"):
        gave_up = retry.gave_up(target.attempt_count - target.retries_from)
        if gave_up:
            fields = {"state": TargetState.UNKNOWN, "problem": Problem.UNKNOWN,
                      "message": _("The worker stopped during every attempt; it may or may not "
                                   "have been published.")}  # fmt: skip
        else:
            fields = {"state": TargetState.SCHEDULED, "next_attempt_at": now,
                      "message": _("The worker stopped during an attempt; checking before "
                                   "trying again.")}  # fmt: skip
        with transaction.atomic():
            moved = Target.objects.filter(
                pk=target.pk, state=TargetState.PUBLISHING, lease_owner=target.lease_owner,
                lease_until__lt=now,
            ).update(lease_owner="", lease_until=None, verify_first=True, **fields)  # fmt: skip
            if moved:
                Attempt.objects.filter(target_id=target.pk, finished_at__isnull=True).update(
                    finished_at=now, outcome=Outcome.LEASE_EXPIRED
                )
                swept += 1
                if gave_up:
                    rollup(target.post_id)
                    after_settled(target.pk, TargetState.UNKNOWN)
    return swept


def sweep_missed(now: datetime | None = None) -> int:
    """Fail targets (and posts without any target) missed by more than MAX_LATENESS."""
    now = now or timezone.now()
    failed = 0
    missed = Target.objects.filter(
        state=TargetState.SCHEDULED, attempt_count=0, next_attempt_at__lt=now - MAX_LATENESS,
        post__state__in=PUBLISHING_STATES,
    )  # fmt: skip
    for target in missed.select_related("workspace").only(
        "pk", "post_id", "due_at", "workspace__time_zone"
    ):
        # In the workspace's time zone, as people planned it (not the worker's).
        due = timezone.localtime(target.due_at, ZoneInfo(target.workspace.time_zone))
        with transaction.atomic():
            moved = Target.objects.filter(
                pk=target.pk, state=TargetState.SCHEDULED, attempt_count=0
            ).update(
                state=TargetState.FAILED, problem=Problem.MISSED,
                message=_("It was due at %(due)s and no worker was running. Publish it now or "
                          "choose a new time.") % {"due": due.strftime("%Y-%m-%d %H:%M %Z")},
            )  # fmt: skip
            if moved:
                rollup(target.post_id)
                after_settled(target.pk, TargetState.FAILED)
                failed += 1
    failed += _posts_without_targets(now)
    return failed


def _posts_without_targets(now: datetime) -> int:
    """A scheduled post whose time passed with no account to publish on fails, visibly."""
    orphans = Post.objects.filter(
        state=PostState.SCHEDULED, scheduled_at__lt=now - LATE_AFTER, targets__isnull=True
    )
    count = 0
    for post in orphans:
        with transaction.atomic():
            if Post.objects.filter(pk=post.pk, state=PostState.SCHEDULED).update(
                state=PostState.FAILED
            ):
                Transition.objects.create(
                    post=post, from_state=PostState.SCHEDULED, to_state=PostState.FAILED,
                    reason=_("No account was connected on its networks at the due time."),
                )  # fmt: skip
                count += 1
    return count
