"""What people decide about publication targets: retry, publish now, settle a doubt, skip.

Every decision needs the "publish" permission on the target's network (one
layer: access.can), is taken under the target's row lock, recorded as an
audit event and as an attempt row, and never republishes a target that is
already out: retrying touches only targets that failed.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tribune.core.snapshot import snapshot
from tribune.editorial import workflow
from tribune.editorial.choices import PostState
from tribune.editorial.models import Post
from tribune.networks.models import SECRET_FIELDS, AccountStatus
from tribune.strategy.catalog import network_name
from tribune.workspaces.actions import Access, record
from tribune.workspaces.roles import Action

from .models import Attempt, Outcome, Target, TargetState
from .rollup import rollup

# "Publish now" schedules this far ahead, so the calendar checks and the
# worker's claim see an ordinary due target.
NOW_DELAY = timedelta(seconds=2)


def access_target(access: Access, target_id: int) -> Target:
    """The target under a row lock, from this workspace only; 403 without the right."""
    target = (
        Target.objects.select_for_update(of=("self",))
        .select_related("account", "post")
        # A decision never needs the credentials: an unreadable one must not stop it.
        .defer(*(f"account__{name}" for name in SECRET_FIELDS))
        .filter(workspace=access.workspace, pk=target_id)
        .first()
    )
    if target is None:
        raise Http404
    if not access.can(Action.PUBLISH, target.account.network):
        raise PermissionDenied(
            _("Your role does not allow publishing on %(network)s.")
            % {"network": network_name(target.account.network)}
        )
    return target


def _decided(access: Access, target: Target, verb: str, before: dict, message: str = "") -> None:
    now = timezone.now()
    Attempt.objects.create(
        target=target,
        account=target.account,
        number=target.attempt_count,
        worker=access.user.username if access.user else "",
        started_at=now,
        finished_at=now,
        outcome=Outcome.DECIDED,
        url=target.url,
        message=message,
    )
    record(access, access.workspace, verb, target, before, snapshot(target))
    rollup(target.post_id)


def _reschedule(target: Target, when) -> None:
    target.state = TargetState.SCHEDULED
    target.next_attempt_at = when
    target.problem = ""
    target.retries_from = target.attempt_count


@transaction.atomic
def do_retry(access: Access, target_id: int) -> Target:
    """Try a failed target again now (only a failed one: a published target never repeats)."""
    target = access_target(access, target_id)
    if target.state != TargetState.FAILED:
        raise ValidationError(_("Only a failed publication can be retried."))
    if target.account.status != AccountStatus.ACTIVE:
        raise ValidationError(_("Reconnect the account first, then retry."))
    before = snapshot(target)
    # verify_first stays as it is: a doubt left by an earlier attempt (the
    # first publish may be out) is settled by looking before sending again.
    _reschedule(target, timezone.now())
    target.decided_by, target.decided_at = access.user, timezone.now()
    target.save()
    _decided(access, target, "retry_publication", before)
    _enqueue(target)
    return target


@transaction.atomic
def do_retry_post(access: Access, post_id: int) -> list[Target]:
    """Retry every failed target of a post the member may publish; the published ones stay."""
    ids = Target.objects.filter(
        workspace=access.workspace, post_id=post_id, state=TargetState.FAILED
    ).values_list("pk", flat=True)
    retried = []
    for target_id in list(ids):
        try:
            retried.append(do_retry(access, target_id))
        except (PermissionDenied, ValidationError):
            continue
    if not retried:
        raise ValidationError(_("Nothing to retry: no failed publication you may publish."))
    return retried


@transaction.atomic
def do_mark_published(access: Access, target_id: int, url: str) -> Target:
    """A person says the post is on the network (outcome unknown, by hand, or failed)."""
    target = access_target(access, target_id)
    if target.state not in (TargetState.UNKNOWN, TargetState.AWAITING, TargetState.FAILED):
        raise ValidationError(_("This publication is not waiting for a decision."))
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(_("Give the address of the published post (https://…).")) from None
    before = snapshot(target)
    target.state = TargetState.PUBLISHED
    target.url = url[:1000]
    target.published_at = timezone.now()
    target.problem = ""
    target.decided_by, target.decided_at = access.user, timezone.now()
    target.save()
    _decided(access, target, "mark_published", before, _("Marked as published by hand."))
    return target


@transaction.atomic
def do_publish_again(access: Access, target_id: int) -> Target:
    """After checking the network, a person says an unknown outcome did not publish: send again."""
    target = access_target(access, target_id)
    if target.state != TargetState.UNKNOWN:
        raise ValidationError(_("Only a publication whose outcome is unknown can be sent again."))
    if target.account.status != AccountStatus.ACTIVE:
        raise ValidationError(_("Reconnect the account first, then publish again."))
    before = snapshot(target)
    _reschedule(target, timezone.now())
    # The person checked: the next attempt publishes without looking first.
    target.verify_first = False
    target.decided_by, target.decided_at = access.user, timezone.now()
    target.save()
    _decided(access, target, "publish_again", before, _("Not found on the network: sent again."))
    _enqueue(target)
    return target


@transaction.atomic
def do_skip(access: Access, target_id: int, reason: str) -> Target:
    """Give up a publication on purpose, with a reason."""
    target = access_target(access, target_id)
    if target.state not in (TargetState.UNKNOWN, TargetState.AWAITING, TargetState.FAILED):
        raise ValidationError(_("This publication is not waiting for a decision."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why it is skipped."))
    before = snapshot(target)
    target.state = TargetState.SKIPPED
    target.message = reason[:5000]
    target.decided_by, target.decided_at = access.user, timezone.now()
    target.save()
    _decided(access, target, "skip_publication", before, reason)
    return target


def do_publish_now(access: Access, post: Post) -> list:
    """Schedule an approved or scheduled post for right now; return the scheduling warnings."""
    if post.state not in (PostState.APPROVED, PostState.SCHEDULED):
        raise ValidationError(_("Only an approved or scheduled post can be published now."))
    return workflow.do_schedule(access, post, timezone.now() + NOW_DELAY)


def _enqueue(target: Target) -> None:
    from .tasks import enqueue

    enqueue(target.account_id, target.next_attempt_at)
