"""Shared entry points of the editorial domain.

Each area keeps its own rules in its own module (rules.py, workflow.py,
checks.py, calendar.py, links.py, media.py, imports.py); what several areas
need lives here.
"""

from __future__ import annotations

from django.http import Http404

from tribune.workspaces.actions import Access
from tribune.workspaces.models import Workspace

from .models import EditorialSettings, Post


def access_post(access: Access, post_id: int, *, for_update: bool = False) -> Post:
    """Return the workspace's post `post_id`; Http404 for any other workspace's or none.

    With `for_update`, the row is locked until the transaction ends (callers
    must be inside `transaction.atomic`), so two writers cannot interleave.
    """
    queryset = Post.objects.filter(workspace=access.workspace, pk=post_id)
    if for_update:
        queryset = queryset.select_for_update()
    post = queryset.first()
    if post is None:
        raise Http404
    return post


def editorial_settings(workspace: Workspace) -> EditorialSettings:
    """Return the workspace's calendar settings, created with defaults on first use."""
    found, _created = EditorialSettings.objects.get_or_create(workspace=workspace)
    return found


def post_networks(post: Post) -> list[str]:
    """Return the network keys the post has variants for."""
    return list(post.variants.values_list("network", flat=True))
