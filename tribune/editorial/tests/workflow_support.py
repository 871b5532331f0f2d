"""Helpers the workflow tests share: posts in a given state, accesses, the queue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tribune.editorial.choices import PostState
from tribune.editorial.models import Post, Transition, Variant
from tribune.workspaces.actions import Access
from tribune.workspaces.models import Membership, User, Workspace


def access_for(user: User, workspace: Workspace) -> Access:
    """The Access a view would get, read fresh so role changes in a test apply."""
    membership = Membership.objects.select_related("workspace", "user").get(
        user=user, workspace=workspace
    )
    return Access(membership.workspace, membership)


def make_post(
    workspace: Workspace,
    author: User | None,
    *,
    networks: tuple[str, ...] = ("linkedin",),
    state: str = PostState.DRAFT,
    text: str = "Our spring workshop opens on Monday.",
    **fields,
) -> Post:
    post = Post.objects.create(
        workspace=workspace, title="Spring workshop", author=author, state=state, **fields
    )
    for network in networks:
        Variant.objects.create(post=post, network=network, text=text)
    if state != PostState.DRAFT:
        # A post past draft has been sent for review at least once: round 1.
        Transition.objects.create(
            post=post, from_state=PostState.DRAFT, to_state=PostState.IN_REVIEW, actor=author
        )
    return post


@pytest.fixture
def huey_immediate() -> Iterator[None]:
    """Run Huey tasks in the test's process, at once, with in-memory storage."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = False


@pytest.fixture
def english() -> Iterator[None]:
    """Messages in English, the source language, whatever the default is."""
    from django.utils import translation

    with translation.override("en"):
        yield
