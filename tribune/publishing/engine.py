"""Publishing one claimed target, and deciding what happens after each answer.

The rules (docs/publishing.md explains why):
- published → the target is published; its remote id and address are kept.
- the request never left, or the network said "later" (429 after Retry-After)
  → scheduled again after a backoff.
- a 5xx, a timeout, a dropped connection → retried only when a repeat cannot
  duplicate: the network honours the idempotency key (within its window), or
  `find_published` can look first. Otherwise "outcome unknown": a person decides.
- the credentials are refused → failed, and the account needs reconnecting.
- the network refuses the content → failed, with the network's own message.

Every write that ends an attempt is conditional on this worker still holding
the lease, so a worker that was presumed dead cannot overwrite what another
settled, except to record a publication it saw succeed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from tribune.core import fastsql
from tribune.core.crypto import CredentialsUnreadable
from tribune.editorial.models import Variant, VariantMedia
from tribune.editorial.rules_table import rules_for
from tribune.networks.base import Capability, Connector, PostDraft, RemoteRef
from tribune.networks.clients import can_find_published, connector_for, publishes_by_api
from tribune.networks.errors import (
    AuthExpired,
    ConnectorError,
    NotSupported,
    OutcomeUnknown,
    RateLimited,
    Rejected,
)
from tribune.networks.models import Account, AccountStatus
from tribune.networks.tokens import mark_reconnect, refresh_if_due

from . import retry
from .claims import Claim, claim_next, worker_id
from .drafts import MediaUnreadable, build_draft, part_draft, thread_parts
from .models import Attempt, Outcome, Problem, Target, TargetState
from .rollup import PUBLISHING_STATES, rollup
from .settlement import Settlement, settle

log = logging.getLogger(__name__)

_network_slots: dict[tuple[str, str], threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


@contextmanager
def network_slot(network: str, server: str = ""):
    """At most the network's declared concurrency of calls at once from this worker process,
    per server: two Mastodon instances (or WordPress sites) are two servers."""
    key = (network, urlsplit(server).netloc.lower())
    with _slots_lock:
        slot = _network_slots.get(key)
        if slot is None:
            slot = threading.BoundedSemaphore(rules_for(network).pace.network_concurrency)
            _network_slots[key] = slot
    with slot:
        yield


# What build_draft reads, in one statement compiled once (fastsql's reason).
# has_media: a variant without media (most of them) needs no query for its media.
_VARIANT = fastsql.ByPk(
    Variant.objects.select_related("post__workspace__editorial_settings").annotate(
        has_media=Exists(VariantMedia.objects.filter(variant=OuterRef("pk")))
    )
)


def drain(account_id: int, worker: str | None = None, limit: int = 100) -> int:
    """Publish the account's due targets one after another; return how many were handled.

    It stops when the next waiting target is not due yet: that one has a task of its own
    for its time (plan_targets and settle queue one), so claiming again would cost a
    claim for nothing. One that fell due while this ran is taken now, since its task
    may have found the account busy."""
    worker = worker or worker_id()
    handled = 0
    while handled < limit:
        claim = claim_next(account_id, worker, timezone.now())
        if claim is None:
            break
        execute(claim)
        handled += 1
        if claim.next_due is None or claim.next_due > timezone.now():
            break
    return handled


def execute(claim: Claim, record: Callable[[Claim, Settlement], Settlement] = settle) -> Settlement:
    """Run one claimed attempt to its end and record it: with settle() at once, or as the
    worker's loop records outcomes (gathered, then settled many at a time)."""
    target = claim.target
    account = target.account
    # Under the post's lock: a post taken back to draft or unscheduled between the claim
    # and now must not go out (once it is "publishing", the workflow cannot take it back).
    # The claim did it already unless someone held the post at that moment.
    if (claim.post_state or rollup(target.post_id)) not in PUBLISHING_STATES:
        return _withdrawn(claim)
    if not publishes_by_api(account):
        from .reminders import remind

        return record(claim, remind(target))
    if account.status != AccountStatus.ACTIVE:
        return record(claim, _account_unusable(account))
    try:
        account = refresh_if_due(account)
    except CredentialsUnreadable:
        return record(claim, _credentials_unreadable())
    if account.status != AccountStatus.ACTIVE:
        return record(claim, _account_unusable(account))
    try:
        variant = _VARIANT.get(target.variant_id)
        draft = build_draft(variant)
    except MediaUnreadable as exc:
        return record(claim, Settlement(
            TargetState.FAILED, Outcome.FAILED, problem=Problem.MEDIA,
            message=str(exc)))  # fmt: skip
    try:
        connector = connector_for(account)
    except CredentialsUnreadable:
        return record(claim, _credentials_unreadable())
    try:
        with network_slot(account.network, account.base_url):
            result = _attempt(claim, connector, variant, draft)
    except Exception:  # noqa: BLE001 - a bug must not leave the target "publishing"
        log.exception("publishing target %s failed unexpectedly", target.pk)
        # We cannot tell whether the request left: treat it like a timeout.
        result = _after_unknown(claim, connector, "internal error", None)
    finally:
        connector.http.close()
    return record(claim, result)


def _withdrawn(claim: Claim) -> Settlement:
    """Take back the claim of a target whose post left the schedule; nothing was sent.

    A target that never started goes, as cancel_targets would have done. One with
    earlier attempts stays "scheduled" as it was (its key, thread parts and any doubt
    matter if the post is scheduled again); claims skip it while the post is out.
    """
    target, attempt = claim.target, claim.attempt
    mine = Target.objects.filter(
        pk=target.pk, state=TargetState.PUBLISHING, lease_owner=attempt.worker
    )
    with transaction.atomic():
        if target.attempt_count <= 1:
            mine.delete()
        elif mine.update(
            state=TargetState.SCHEDULED, lease_owner="", lease_until=None,
            attempt_count=F("attempt_count") - 1,
        ):  # fmt: skip
            Attempt.objects.filter(pk=attempt.pk).delete()
    return Settlement(TargetState.SCHEDULED, Outcome.DECIDED, message="withdrawn")


def _credentials_unreadable() -> Settlement:
    """A lost or rotated-away key: only reconnecting the account helps."""
    return Settlement(
        TargetState.FAILED, Outcome.FAILED, problem=Problem.ACCOUNT,
        message=_("The account's stored credentials cannot be read: reconnect it."))  # fmt: skip


def _account_unusable(account: Account) -> Settlement:
    problem = Problem.AUTH if account.status == AccountStatus.RECONNECT else Problem.ACCOUNT
    message = account.status_message or str(AccountStatus(account.status).label)
    return Settlement(TargetState.FAILED, Outcome.FAILED, problem=problem, message=message)


def _first_started(target: Target) -> datetime:
    first = Attempt.objects.filter(target=target).order_by("number", "pk").first()
    return first.started_at if first else timezone.now()


def _key(target: Target, part: int) -> str:
    return target.idempotency_key if part == 0 else f"{target.idempotency_key}-{part}"


def idempotent_now(connector: Connector, target: Target) -> bool:
    """Whether the network will still deduplicate a repeat of this target's key."""
    if not connector.idempotent_publish:
        return False
    window = connector.idempotency_window_s
    if window is None:
        return True
    # Keep a margin: the first attempt's request left a little after it started.
    age = timezone.now() - _first_started(target)
    return age < timedelta(seconds=window) - timedelta(minutes=5)


def _check_first(connector: Connector, target: Target, part: int) -> RemoteRef | None | bool:
    """Before repeating a publish whose outcome is unknown: the ref found, None, or False.

    False means nothing can settle the doubt (no idempotency, no search).
    """
    if idempotent_now(connector, target):
        return None
    if not can_find_published(connector):
        return False
    since = _first_started(target) - timedelta(minutes=1)
    return connector.find_published(_key(target, part), since)


def _attempt(claim: Claim, connector: Connector, variant: Variant, draft: PostDraft) -> Settlement:
    target = claim.target
    steps = [draft] + thread_parts(variant)
    refs = [
        RemoteRef(r["remote_id"], r.get("url", ""), r.get("extra", {})) for r in target.thread_refs
    ]
    if len(steps) > 1 and Capability.THREAD not in connector.capabilities:
        steps = steps[:1]
    last_status = None
    # Every part may already be out: a worker saved them all, then died before settling.
    published_now = False
    try:
        for part in range(len(refs), len(steps)):
            step = steps[part]
            if part > 0:
                step = part_draft(step, parent=refs[-1], root=refs[0])
            found = _check_first(connector, target, part) if target.verify_first else None
            if found is False:
                return Settlement(
                    TargetState.UNKNOWN, Outcome.UNKNOWN, problem=Problem.UNKNOWN,
                    message=target.message)  # fmt: skip
            if found:
                ref = found
            else:
                result = connector.publish(step, _key(target, part))
                ref, last_status = result.ref, result.status
                published_now = True
            refs.append(ref)
            if len(refs) == len(steps):
                # The last part: settle() writes every reference with the publication, one
                # write less. Should this worker die first, the next attempt checks first.
                claim.target.thread_refs = _ref_rows(refs)
            elif not _save_progress(claim, refs):
                # Our lease ran out and the sweeper took the target back: the next attempt
                # resumes from what was saved, checking first. Sending more parts would race it.
                return _lease_lost()
            target.verify_first = False
    except RateLimited as exc:
        _pause(target.account, exc.retry_after)
        return _retry_or_give_up(claim, Outcome.RATE_LIMITED, exc, delay=exc.retry_after)
    except AuthExpired as exc:
        mark_reconnect(target.account, exc.message)
        return _failed(Problem.AUTH, exc)
    except Rejected as exc:
        return _failed(Problem.REJECTED, exc)
    except OutcomeUnknown as exc:
        return _after_unknown(claim, connector, exc.message, exc.status)
    except NotSupported as exc:
        return _failed(Problem.REJECTED, exc)
    except ConnectorError as exc:
        if exc.permanent:
            return _failed(Problem.REJECTED, exc)
        return _retry_or_give_up(claim, Outcome.RETRY, exc)
    first_comment = _first_comment(connector, variant, refs[0])
    return Settlement(
        TargetState.PUBLISHED, Outcome.PUBLISHED if published_now else Outcome.FOUND,
        ref=refs[0], status_code=last_status, extra=first_comment)  # fmt: skip


def _first_comment(connector: Connector, variant: Variant, ref: RemoteRef) -> dict:
    """Post the variant's first comment under the published post; a failure never unpublishes."""
    text = (variant.first_comment or "").strip()
    if not text or Capability.REPLY not in connector.capabilities:
        return {}
    try:
        return {"first_comment_url": connector.reply(ref, text).url[:1000]}
    except ConnectorError as exc:
        return {"first_comment_problem": exc.message[:1000]}
    except Exception:  # noqa: BLE001 - the post is out: a bug here must not put it in doubt
        log.exception("first comment under %s failed unexpectedly", ref.remote_id)
        return {"first_comment_problem": "internal error"}


def _lease_lost() -> Settlement:
    """Recorded on the attempt only: settle() moves no target this worker lost."""
    return Settlement(
        TargetState.SCHEDULED, Outcome.LEASE_EXPIRED,
        message=_("The lease ran out during a thread; another attempt resumes it."))  # fmt: skip


def _ref_rows(refs: list[RemoteRef]) -> list[dict]:
    return [{"remote_id": r.remote_id, "url": r.url, "extra": r.extra} for r in refs]


def _save_progress(claim: Claim, refs: list[RemoteRef]) -> bool:
    """Save the parts published so far; False when this worker no longer holds the target."""
    rows = _ref_rows(refs)
    saved = Target.objects.filter(pk=claim.target.pk, lease_owner=claim.attempt.worker).update(
        thread_refs=rows
    )
    claim.target.thread_refs = rows
    return bool(saved)


def _pause(account: Account, seconds: float) -> None:
    until = timezone.now() + timedelta(seconds=seconds)
    Account.objects.filter(pk=account.pk).update(paused_until=until)


def _failed(problem: str, exc: ConnectorError) -> Settlement:
    return Settlement(
        TargetState.FAILED, Outcome.FAILED, problem=problem, message=exc.message,
        status_code=exc.status)  # fmt: skip


def _after_unknown(
    claim: Claim, connector: Connector, message: str, status: int | None
) -> Settlement:
    """A publish that may have arrived: retry only when a repeat cannot duplicate."""
    target = claim.target
    if idempotent_now(connector, target) or can_find_published(connector):
        exc = ConnectorError(message, status=status)
        return _retry_or_give_up(claim, Outcome.RETRY, exc, verify_first=True)
    return Settlement(
        TargetState.UNKNOWN, Outcome.UNKNOWN, problem=Problem.UNKNOWN, message=message,
        status_code=status, verify_first=True)  # fmt: skip


def _retry_or_give_up(
    claim: Claim,
    outcome: str,
    exc: ConnectorError,
    delay: float | None = None,
    verify_first: bool = False,
) -> Settlement:
    target = claim.target
    verify_first = verify_first or target.verify_first
    if retry.gave_up(target.attempt_count - target.retries_from):
        # Out of attempts with a doubt still open: a person must decide.
        if verify_first:
            return Settlement(
                TargetState.UNKNOWN, Outcome.UNKNOWN, problem=Problem.UNKNOWN,
                message=exc.message, status_code=exc.status, verify_first=True)  # fmt: skip
        return Settlement(
            TargetState.FAILED, Outcome.FAILED, problem=Problem.GAVE_UP, message=exc.message,
            status_code=exc.status)  # fmt: skip
    wait = (
        timedelta(seconds=delay)
        if delay is not None
        else retry.backoff(target.attempt_count - target.retries_from)
    )
    return Settlement(
        TargetState.SCHEDULED, outcome, message=exc.message, next_at=timezone.now() + wait,
        verify_first=verify_first, status_code=exc.status)  # fmt: skip
