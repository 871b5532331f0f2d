"""`{% unread_notifications as n %}`: the header's count of unread notifications."""

from __future__ import annotations

from django import template

from tribune.editorial.notifications import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """Return the user's unread notifications in the page's workspace (0 outside one)."""
    request = context.get("request")
    workspace = context.get("workspace")
    user = getattr(request, "user", None)
    if workspace is None or user is None or not user.is_authenticated:
        return 0
    return unread_count(user, workspace)
