"""Writes of the link settings and the short-link click counter."""

from __future__ import annotations

import re

from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from tribune.core.snapshot import snapshot
from tribune.workspaces.actions import Access, check_action, record
from tribune.workspaces.roles import Action

from .actions import editorial_settings
from .models import EditorialSettings, ShortLink

LINK_FIELDS = ("utm_medium", "utm_campaign", "utm_sources", "tag_links", "shorten_links")
CODE = re.compile(r"[A-Za-z0-9]{4,16}")


@transaction.atomic
def do_save_link_settings(access: Access, **values: object) -> EditorialSettings:
    """Save the workspace's UTM and short-link settings; other settings are untouched.

    Raises PermissionDenied without MANAGE_WORKSPACE, ValueError for a field
    that is not a link setting.
    """
    check_action(access, Action.MANAGE_WORKSPACE)
    unknown = set(values) - set(LINK_FIELDS)
    if unknown:
        raise ValueError(f"not link settings: {sorted(unknown)}")
    editorial_settings(access.workspace)  # created with defaults on first use
    found = EditorialSettings.objects.select_for_update().get(workspace=access.workspace)
    before = snapshot(found)
    for key, value in values.items():
        setattr(found, key, value)
    found.full_clean()
    found.save(update_fields=list(values))
    record(access, access.workspace, "update", found, before, snapshot(found))
    return found


def follow_short_link(code: str, count: bool = True) -> str:
    """Return the target of a short link and count the click; Http404 for an unknown code.

    The counter is one UPDATE with F(): simultaneous clicks never overwrite each other.
    """
    if not CODE.fullmatch(code):
        raise Http404
    target = ShortLink.objects.filter(code=code).values_list("target_url", flat=True).first()
    if target is None:
        raise Http404
    if count:
        ShortLink.objects.filter(code=code).update(
            clicks=models.F("clicks") + 1, last_clicked_at=timezone.now()
        )
    return target
