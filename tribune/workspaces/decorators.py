"""`workspace_view`: the one way a view enters a workspace.

It resolves `<slug>` through `access_workspace` (404 for non-members, 403 for
a role that does not allow the action), stores the Access on the request and
activates the workspace's time zone so every date shown is in it.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.utils import timezone

from .actions import access_workspace
from .roles import Action


def workspace_view(action: Action = Action.VIEW_PLAN) -> Callable:
    def decorator(view: Callable) -> Callable:
        @login_required
        @functools.wraps(view)
        def wrapper(request, slug: str, *args, **kwargs):
            access = access_workspace(request.user, slug, action)
            request.access = access
            timezone.activate(zoneinfo.ZoneInfo(access.workspace.time_zone))
            try:
                return view(request, access, *args, **kwargs)
            finally:
                timezone.deactivate()

        return wrapper

    return decorator
