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
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post_id)
        if post.state not in PUBLISHING_STATES:
            return post.state
        states = list(Target.objects.filter(post_id=post_id).values_list("state", "attempt_count"))
        new = derive(states)
        if new is None or new == post.state:
            return post.state
        Transition.objects.create(post=post, from_state=post.state, to_state=new, reason=reason)
        post.state = new
        post.save(update_fields=["state", "updated_at"])
        return new
