"""A post's publishing state follows from its targets.

- every target published (or skipped) → published
- a target publishing, retrying or waiting for a person to post by hand → publishing
- any outcome unknown → outcome unknown (a person must decide)
- some published and some failed → partially published
- all failed → failed
A post outside the publishing states (a draft, say) is left alone.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tribune.editorial.choices import PostState
from tribune.editorial.models import Post, Transition

from .models import Target, TargetState

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


def rollup(post_id: int, reason: str = "") -> str:
    """Bring the post's state in line with its targets; return the state."""
    # Inside settle()'s transaction no savepoint is needed: nothing here is caught.
    with transaction.atomic(savepoint=False):
        # The state alone, locked: this runs twice for every publication.
        state = Post.objects.select_for_update().filter(pk=post_id).values_list("state", flat=True)
        current = state.get()
        if current not in PUBLISHING_STATES:
            return current
        states = list(Target.objects.filter(post_id=post_id).values_list("state", "attempt_count"))
        new = derive(states)
        if new is None or new == current:
            return current
        Transition.objects.create(post_id=post_id, from_state=current, to_state=new, reason=reason)
        Post.objects.filter(pk=post_id).update(state=new, updated_at=timezone.now())
        return new
