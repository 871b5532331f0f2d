"""A post's publishing state follows from its targets.

- every target published (or skipped) → published
- a target publishing, retrying or waiting for a person to post by hand → publishing
- any outcome unknown → outcome unknown (a person must decide)
- some published and some failed → partially published
- all failed → failed
A post outside the publishing states (a draft, say) is left alone.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from tribune.core import fastsql
from tribune.editorial.choices import PostState
from tribune.editorial.models import Post, Transition

from .models import TargetState

PUBLISHING_STATES = frozenset(
    {
        PostState.SCHEDULED,
        PostState.PUBLISHING,
        PostState.PUBLISHED,
        PostState.PARTIALLY_PUBLISHED,
        PostState.FAILED,
        PostState.OUTCOME_UNKNOWN,
    }
)


def derive(states: list[tuple[str, int]]) -> str | None:
    """The post state for its targets' (state, attempts); None when it has no target."""
    if not states:
        return None
    names = {s for s, _ in states}
    started = any(n > 0 for _, n in states) or bool(names - {TargetState.SCHEDULED})
    if names & {TargetState.PUBLISHING, TargetState.AWAITING} or (
        TargetState.SCHEDULED in names and started
    ):
        return PostState.PUBLISHING
    if names == {TargetState.SCHEDULED}:
        return PostState.SCHEDULED
    if TargetState.UNKNOWN in names:
        return PostState.OUTCOME_UNKNOWN
    if TargetState.FAILED in names:
        if TargetState.PUBLISHED in names:
            return PostState.PARTIALLY_PUBLISHED
        return PostState.FAILED
    return PostState.PUBLISHED


# Hand-written: rollup() runs twice for every publication, and the ORM's building of
# these statements was a tenth of a worker's CPU (bench/publishing_profile.py).
# test_rollup checks the table names against the models.
# The post's state and its targets' (state, attempts) in one statement: a row per target,
# or one with NULLs for a post without targets.
POST_AND_TARGETS_SQL = (
    "SELECT p.state, t.state, t.attempt_count FROM editorial_post p "
    "LEFT JOIN publishing_target t ON t.post_id = p.id WHERE p.id = %s"
)
SET_POST_STATE_SQL = "UPDATE editorial_post SET state = %s, updated_at = %s WHERE id = %s"


def _lock_clause(wait: bool) -> str:
    """The post's row only (OF p): the targets are read, not locked."""
    if not connection.features.has_select_for_update:
        return ""  # SQLite: the write transaction already excludes every other
    if not wait and connection.features.has_select_for_update_skip_locked:
        return " FOR UPDATE OF p SKIP LOCKED"
    return " FOR UPDATE OF p"


def rollup(post_id: int, reason: str = "", wait: bool = True) -> str | None:
    """Bring the post's state in line with its targets; return the state.

    With wait=False, return None at once when someone else holds the post's row
    (PostgreSQL), instead of waiting for it."""
    # Inside settle()'s transaction no savepoint is needed: nothing here is caught.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(POST_AND_TARGETS_SQL + _lock_clause(wait), [post_id])
        rows = cursor.fetchall()
        if not rows and not wait:
            return None  # held by someone else (or gone: the waiting call will say)
        if not rows:
            raise Post.DoesNotExist(f"post {post_id}")
        current = rows[0][0]
        if current not in PUBLISHING_STATES:
            return current
        new = derive([(state, attempts) for _, state, attempts in rows if state is not None])
        if new is None or new == current:
            return current
        fastsql.insert(Transition(post_id=post_id, from_state=current, to_state=new, reason=reason))
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(SET_POST_STATE_SQL, [new, now, post_id])
        return new


def rollup_many(post_ids: list[int]) -> None:
    """rollup() for many posts, in three statements whatever their number.

    The posts' rows are locked in the order of their ids, so that two workers settling
    targets of the same posts take the locks in the same order (no deadlock)."""
    if not post_ids:
        return
    where, params = fastsql.among("p.id", post_ids)
    lock = " FOR UPDATE OF p" if connection.features.has_select_for_update else ""
    sql = (
        "SELECT p.id, p.state, t.state, t.attempt_count FROM editorial_post p "  # noqa: S608
        f"LEFT JOIN publishing_target t ON t.post_id = p.id WHERE {where} ORDER BY p.id{lock}"
    )
    current: dict[int, str] = {}
    targets: dict[int, list[tuple[str, int]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for post_id, state, target_state, attempts in cursor.fetchall():
            current[post_id] = state
            targets.setdefault(post_id, [])
            if target_state is not None:
                targets[post_id].append((target_state, attempts))
    moves: dict[int, str] = {}
    for post_id, state in current.items():
        new = derive(targets[post_id]) if state in PUBLISHING_STATES else None
        if new is not None and new != state:
            moves[post_id] = new
    if not moves:
        return
    Transition.objects.bulk_create(
        [Transition(post_id=pk, from_state=current[pk], to_state=new) for pk, new in moves.items()]
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for new in sorted(set(moves.values())):
            where, params = fastsql.among("id", [pk for pk, to in moves.items() if to == new])
            cursor.execute(
                f"UPDATE editorial_post SET state = %s, updated_at = %s WHERE {where}",  # noqa: S608
                [new, now, *params],
            )
