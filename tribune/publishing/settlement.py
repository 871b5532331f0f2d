"""Recording how an attempt ended: the attempt row, the target's move, the post's state.

settle() records one outcome in its own transaction. settle_many() records the
outcomes a worker's loop gathered (runner.py) in one transaction: the same
conditional writes, but the targets in a statement or two, the attempts in one,
the posts' states in three, and one commit, instead of a transaction and five
statements per target. Both move a target only while this worker still holds its lease.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, transaction
from django.utils import timezone

from tribune.core import fastsql
from tribune.networks.base import RemoteRef

from .alerts import after_settled, needs_people
from .claims import Claim
from .models import Attempt, Target, TargetState
from .rollup import rollup, rollup_many

log = logging.getLogger(__name__)


@dataclass
class Settlement:
    """How an attempt ended, and what the target becomes."""

    state: str
    outcome: str
    message: str = ""
    problem: str = ""
    ref: RemoteRef | None = None
    next_at: datetime | None = None
    verify_first: bool = False
    status_code: int | None = None
    extra: dict = field(default_factory=dict)


def _notify(target_id: int, state: str) -> None:
    """Tell people, in a savepoint: a failed notification must not undo the settlement,
    or the target would stay "publishing" and be retried as a doubt."""
    if not needs_people(state):
        return
    try:
        with transaction.atomic():
            after_settled(target_id, state)
    except Exception:  # noqa: BLE001 - logged; the target's state is what matters
        log.exception("notifying about target %s failed", target_id)


def _target_fields(claim: Claim, result: Settlement, now: datetime) -> dict:
    target = claim.target
    # A doubt left open by an earlier attempt stays open until a publication settles it
    # (a 401 from the check itself, say): whoever retries must still look first.
    doubt = result.state != TargetState.PUBLISHED and target.verify_first
    fields = {
        "state": result.state,
        "lease_owner": "",
        "lease_until": None,
        "message": result.message[:5000],
        "problem": result.problem,
        "verify_first": result.verify_first or doubt,
        **result.extra,
    }
    if result.ref is not None:
        fields.update(
            remote_id=result.ref.remote_id[:500],
            url=result.ref.url[:1000],
            remote_extra=result.ref.extra,
            published_at=now,
            # Every part's reference; the last one was not saved on its own (engine._attempt).
            thread_refs=target.thread_refs,
        )
    if result.next_at is not None:
        fields["next_attempt_at"] = result.next_at
    return fields


def _attempt_fields(result: Settlement, now: datetime) -> dict:
    return {
        "finished_at": now,
        "outcome": result.outcome,
        "status_code": result.status_code,
        "remote_id": result.ref.remote_id[:500] if result.ref else "",
        "url": result.ref.url[:1000] if result.ref else "",
        "message": result.message[:5000],
    }


def _published_anyway(target_id: int, result: Settlement, fields: dict) -> int:
    """Our lease ran out and the sweeper took the target back, but we saw the network
    publish it: that fact wins over any later doubt."""
    if result.state != TargetState.PUBLISHED:
        return 0
    return Target.objects.filter(pk=target_id).exclude(state=TargetState.PUBLISHED).update(**fields)


def _write(claim: Claim, result: Settlement, now: datetime) -> int:
    """Move the target if this worker still holds it, and finish the attempt row; return
    how many target rows moved (0 or 1)."""
    target, attempt = claim.target, claim.attempt
    fields = _target_fields(claim, result, now)
    mine = {"id": target.pk, "state": TargetState.PUBLISHING, "lease_owner": attempt.worker}
    moved = fastsql.update(Target, mine, fields) or _published_anyway(target.pk, result, fields)
    fastsql.update(Attempt, {"id": attempt.pk}, _attempt_fields(result, now))
    return moved


def _write_many(outcomes: list[tuple[Claim, Settlement]], now: datetime) -> list:
    """_write() for many outcomes in a few statements: the targets that set the same
    columns (and were claimed by the same worker) in one, the attempts in one. Returns the
    outcomes whose target moved."""
    groups: dict[tuple, dict[int, dict]] = defaultdict(dict)
    fields_of = {}
    for claim, result in outcomes:
        fields = fields_of[claim.target.pk] = _target_fields(claim, result, now)
        groups[(claim.attempt.worker, *fields)][claim.target.pk] = fields
    moved = set()
    for (worker, *_names), rows in groups.items():
        mine = {"state": TargetState.PUBLISHING, "lease_owner": worker}
        moved.update(fastsql.update_rows(Target, rows, mine))
    for claim, result in outcomes:
        pk = claim.target.pk
        if pk not in moved and _published_anyway(pk, result, fields_of[pk]):
            moved.add(pk)
    fastsql.update_rows(Attempt, {c.attempt.pk: _attempt_fields(r, now) for c, r in outcomes})
    return [(c, r) for c, r in outcomes if c.target.pk in moved]


def _queue_retry(claim: Claim, result: Settlement) -> None:
    if result.next_at is not None:
        from .tasks import enqueue

        enqueue(claim.target.account_id, result.next_at)


def settle(claim: Claim, result: Settlement) -> Settlement:
    """Record how the attempt ended and move the target, if this worker still holds it."""
    with transaction.atomic():
        moved = _write(claim, result, timezone.now())
        if moved:
            rollup(claim.target.post_id)
            _notify(claim.target.pk, result.state)
    if moved:
        _queue_retry(claim, result)
    return result


def settle_many(outcomes: list[tuple[Claim, Settlement]]) -> None:
    """settle() for many outcomes at once, in one transaction.

    Should the batch fail (a deadlock with a person's action on one of the posts, say),
    nothing of it was written: each outcome is then settled on its own. One that still
    fails is logged and left to the lease: the sweeper resolves it the safe way."""
    if not outcomes:
        return
    try:
        with transaction.atomic():
            moved = _write_many(outcomes, timezone.now())
            rollup_many(sorted({c.target.post_id for c, _r in moved}))
            for claim, result in moved:
                _notify(claim.target.pk, result.state)
    except DatabaseError:
        log.warning("settling %d outcomes together failed; settling each", len(outcomes))
        for claim, result in outcomes:
            try:
                settle(claim, result)
            except DatabaseError:
                log.exception("settling target %s failed", claim.target.pk)
        return
    for claim, result in moved:
        _queue_retry(claim, result)
