"""The post's publishing panel, and the buttons people press about its targets.

The panel is a page of its own, an htmx partial (it refreshes itself while
something is being published) and a short summary the post's page loads.
Every button posts a form to a view that calls one action of actions.py; a
refused decision comes back as a message on the page, never as an error page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tribune.editorial.actions import access_post
from tribune.editorial.choices import PostState
from tribune.editorial.models import Post
from tribune.workspaces.actions import Access
from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from . import actions
from .forms_targets import MarkPublishedForm, SkipForm
from .models import Target, TargetState
from .views_rows import polling, target_row, targets_of, with_attempts

RETRYABLE_POSTS = (PostState.PARTIALLY_PUBLISHED, PostState.FAILED)


def _may_publish_now(access: Access, post: Post) -> bool:
    if post.state not in (PostState.APPROVED, PostState.SCHEDULED):
        return False
    networks = list(post.variants.values_list("network", flat=True))
    return bool(networks) and all(access.can(Action.PUBLISH, n) for n in networks)


def panel_context(access: Access, post: Post, attempts: bool = True) -> dict:
    targets = targets_of(access.workspace).filter(post=post)
    targets = list(with_attempts(targets) if attempts else targets)
    rows = [target_row(access, t, attempts) for t in targets]
    return {
        "post": post,
        "rows": rows,
        "poll": polling(targets),
        "can_retry_all": post.state in RETRYABLE_POSTS and any(r.can_retry for r in rows),
        "can_publish_now": _may_publish_now(access, post),
        "published_count": sum(t.state == TargetState.PUBLISHED for t in targets),
    }


@workspace_view()
def post_publishing(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    """The full panel; to htmx, the panel alone; with ?summary=1, the post page's summary."""
    post = access_post(access, post_id)
    if request.GET.get("summary"):
        context = panel_context(access, post, attempts=False)
        return render(request, "publishing/post_summary.html", context)
    template = "publishing/panel.html" if request.htmx else "publishing/post_publishing.html"
    return render(request, template, panel_context(access, post))


def _post_of(access: Access, target_id: int) -> int:
    post_id = (
        Target.objects.filter(workspace=access.workspace, pk=target_id)
        .values_list("post_id", flat=True)
        .first()
    )
    if post_id is None:
        raise Http404
    return post_id


def back_to(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    """Where the form came from (a page of this workspace), else the post's panel."""
    wanted = request.POST.get("next", "")
    if wanted.startswith(f"/w/{access.workspace.slug}/") and url_has_allowed_host_and_scheme(
        wanted, {request.get_host()}, request.is_secure()
    ):
        return redirect(wanted)
    return redirect("post-publishing", access.workspace.slug, post_id)


def _say_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _decide(
    request: HttpRequest, access: Access, target_id: int, decide: Callable[[], object], done: str
) -> HttpResponse:
    post_id = _post_of(access, target_id)
    try:
        decide()
    except ValidationError as error:
        _say_errors(request, error)
    else:
        messages.success(request, done)
    return back_to(request, access, post_id)


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


@require_POST
@workspace_view(Action.PUBLISH)
def target_retry(request: HttpRequest, access: Access, target_id: int) -> HttpResponse:
    return _decide(
        request, access, target_id, lambda: actions.do_retry(access, target_id),
        _("It will be published again in a moment."))  # fmt: skip


@require_POST
@workspace_view(Action.PUBLISH)
def target_publish_again(request: HttpRequest, access: Access, target_id: int) -> HttpResponse:
    return _decide(
        request, access, target_id, lambda: actions.do_publish_again(access, target_id),
        _("It will be sent again in a moment."))  # fmt: skip


@require_POST
@workspace_view(Action.PUBLISH)
def target_mark_published(request: HttpRequest, access: Access, target_id: int) -> HttpResponse:
    form = MarkPublishedForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return back_to(request, access, _post_of(access, target_id))
    url = form.cleaned_data["url"]
    return _decide(
        request, access, target_id, lambda: actions.do_mark_published(access, target_id, url),
        _("Marked as published."))  # fmt: skip


@require_POST
@workspace_view(Action.PUBLISH)
def target_skip(request: HttpRequest, access: Access, target_id: int) -> HttpResponse:
    form = SkipForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return back_to(request, access, _post_of(access, target_id))
    reason = form.cleaned_data["reason"]
    return _decide(
        request, access, target_id, lambda: actions.do_skip(access, target_id, reason),
        _("Skipped: it will not be published there."))  # fmt: skip


@require_POST
@workspace_view(Action.PUBLISH)
def post_retry_failed(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    post = access_post(access, post_id)
    try:
        retried = actions.do_retry_post(access, post.pk)
    except ValidationError as error:
        _say_errors(request, error)
    else:
        count = len(retried)
        messages.success(
            request,
            ngettext(
                "%(n)d failed publication will be tried again in a moment.",
                "%(n)d failed publications will be tried again in a moment.",
                count,
            )
            % {"n": count},
        )
    return back_to(request, access, post.pk)


@require_POST
@workspace_view(Action.PUBLISH)
def post_publish_now(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    post = access_post(access, post_id)
    try:
        warnings = actions.do_publish_now(access, post)
    except ValidationError as error:
        _say_errors(request, error)
    else:
        messages.success(request, _("The post is going out now."))
        for finding in warnings:
            messages.warning(request, f"{finding.message} {finding.fix}".strip())
    return back_to(request, access, post.pk)
