"""Publishing by hand, and the workspace's publishing list.

- The reminder page: what a person posts on a network Tribune cannot post
  to, made for a phone (the text ready to copy, each media file to download
  with its alt text), then "I posted it" with the address, or "Skip".
- The publishing list: what waits for a person first, then what is coming,
  under a banner when publications are late because no worker runs.
- The late banner alone, which the calendar loads.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tribune.editorial.actions import editorial_settings
from tribune.editorial.links import outgoing_link
from tribune.editorial.models import Variant
from tribune.editorial.rules import attached_media, published_text
from tribune.workspaces.actions import Access
from tribune.workspaces.decorators import workspace_view

from .drafts import thread_parts
from .forms_targets import MarkPublishedForm, SkipForm
from .models import NEEDS_PERSON, TargetState
from .views_rows import lateness, polling, target_row, targets_of

# The list shows at most this many targets of each kind; the rest wait their turn.
LIST_LIMIT = 100


def reminder_text(variant: Variant) -> str:
    """The text exactly as the API would have sent it: hashtags, then the tagged link."""
    link = outgoing_link(variant, editorial_settings(variant.post.workspace))
    text = published_text(variant)
    return text.replace(variant.link, link) if link and variant.link else text


@workspace_view()
def reminder(request: HttpRequest, access: Access, target_id: int) -> HttpResponse:
    target = targets_of(access.workspace).select_related("variant__post__workspace")
    target = target.filter(pk=target_id).first()
    if target is None:
        raise Http404
    variant = target.variant
    context = {
        "row": target_row(access, target),
        "target": target,
        "post": target.post,
        "text": reminder_text(variant),
        # (number, text): the thread's replies are parts 2, 3...
        "parts": list(enumerate(thread_parts(variant), start=2)),
        "first_comment": (variant.first_comment or "").strip(),
        "media": list(enumerate(attached_media(variant), start=1)),
        "mark_form": MarkPublishedForm(auto_id="reminder-%s"),
        "skip_form": SkipForm(auto_id="reminder-%s"),
    }
    return render(request, "publishing/reminder.html", context)


@workspace_view()
def queue(request: HttpRequest, access: Access) -> HttpResponse:
    targets = targets_of(access.workspace)
    waiting = list(targets.filter(state__in=NEEDS_PERSON).order_by("due_at", "pk")[:LIST_LIMIT])
    coming = list(
        targets.filter(state__in=(TargetState.SCHEDULED, TargetState.PUBLISHING)).order_by(
            "next_attempt_at", "pk"
        )[:LIST_LIMIT]
    )
    context = {
        "waiting": [target_row(access, t) for t in waiting],
        "coming": [target_row(access, t) for t in coming],
        "late": lateness(access.workspace),
        "poll": polling(coming),
        "limit": LIST_LIMIT,
    }
    template = "publishing/queue_lists.html" if request.htmx else "publishing/queue.html"
    return render(request, template, context)


@workspace_view()
def late_banner(request: HttpRequest, access: Access) -> HttpResponse:
    """The late banner alone (empty when nothing is late), for other pages to load."""
    return render(request, "publishing/late_banner.html", {"late": lateness(access.workspace)})
