"""API of publishing: a post's targets with their attempts, and people's decisions about them,
under /api/v1/workspaces/{slug}/posts/{post_id}/.

Decisions call the same actions as the panel's buttons (actions.py), so the
permission checks, the state rules and the audit are the same. A decision the
target's state does not allow is a 409; a missing or non-web address a 422.
"""

# No `from __future__ import annotations`: ninja reads the path parameters' types
# (SlugPath, ObjectIdPath) at import time to build the OpenAPI document.
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from tribune.core.api_input import LONG_TEXT, ObjectIdPath, SlugPath
from tribune.core.api_input import text as text_field
from tribune.core.problems import ERRORS, READ_ERRORS, form_problem
from tribune.editorial.actions import access_post
from tribune.workspaces.actions import Access, access_workspace
from tribune.workspaces.roles import Action

from . import actions
from .advice import advice_for
from .forms_targets import MarkPublishedForm, SkipForm
from .models import Attempt, Target
from .views_rows import targets_of, with_attempts

router = Router(tags=["publishing"])


class AccountOut(Schema):
    id: int
    network: str
    name: str
    handle: str
    status: str


class AttemptOut(Schema):
    number: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    status_code: int | None
    remote_id: str
    url: str
    message: str
    worker: str


class ThreadPartOut(Schema):
    remote_id: str
    url: str


class TargetOut(Schema):
    id: int
    post: int = Field(alias="post_id")
    variant: int = Field(alias="variant_id")
    account: AccountOut
    state: str
    due_at: datetime
    next_attempt_at: datetime
    published_at: datetime | None
    url: str
    remote_id: str
    problem: str
    message: str
    advice: str | None
    attempt_count: int
    first_comment_url: str
    first_comment_problem: str
    thread: list[ThreadPartOut]
    attempts: list[AttemptOut]

    @staticmethod
    def resolve_advice(obj: Target) -> str | None:
        advice = advice_for(obj, obj.workspace.slug)
        return advice.text if advice else None

    @staticmethod
    def resolve_thread(obj: Target) -> list[dict]:
        refs = obj.thread_refs if isinstance(obj.thread_refs, list) else []
        return [
            {"remote_id": str(r.get("remote_id", "")), "url": str(r.get("url", ""))}
            for r in refs
            if isinstance(r, dict)
        ]

    @staticmethod
    def resolve_attempts(obj: Target) -> list[Attempt]:
        return list(obj.attempts.all())


class UrlIn(Schema):
    model_config = ConfigDict(extra="forbid")

    url: text_field(2000)


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: text_field(LONG_TEXT)


class PublishNowOut(Schema):
    post: int
    state: str
    scheduled_at: datetime | None
    warnings: list[str]
    targets: list[TargetOut]


def _access(request: HttpRequest, slug: str, action: Action = Action.VIEW_PLAN) -> Access:
    return access_workspace(request.auth, slug, action)


def _targets(access: Access, post_id: int) -> list[Target]:
    return list(with_attempts(targets_of(access.workspace).filter(post_id=post_id)))


def _target(access: Access, post_id: int, target_id: int) -> Target:
    found = with_attempts(targets_of(access.workspace).filter(post_id=post_id, pk=target_id))
    target = found.first()
    if target is None:
        raise Http404
    return target


def _check_in_post(access: Access, post_id: int, target_id: int) -> None:
    """404 unless the target belongs to this post of this workspace (before any decision)."""
    if not Target.objects.filter(
        workspace=access.workspace, post_id=post_id, pk=target_id
    ).exists():
        raise Http404


TARGET = "/workspaces/{slug}/posts/{post_id}/targets/{target_id}"


@router.get(
    "/workspaces/{slug}/posts/{post_id}/targets", response={200: list[TargetOut], **READ_ERRORS}
)
def list_targets(request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath) -> Any:
    """Where the post goes (one target per account), each with its attempts and advice."""
    access = _access(request, slug)
    post = access_post(access, post_id)
    return _targets(access, post.pk)


@router.post(TARGET + "/retry", response={200: TargetOut, **ERRORS})
def retry_target(
    request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath, target_id: ObjectIdPath
) -> Any:
    """Try a failed target again now."""
    access = _access(request, slug, Action.PUBLISH)
    _check_in_post(access, post_id, target_id)
    actions.do_retry(access, target_id)
    return _target(access, post_id, target_id)


@router.post(TARGET + "/mark-published", response={200: TargetOut, **ERRORS})
def mark_target_published(
    request: HttpRequest,
    slug: SlugPath,
    post_id: ObjectIdPath,
    target_id: ObjectIdPath,
    payload: UrlIn,
) -> Any:
    """Say the post is on the network, at `url` (failed, unknown, or posted by hand)."""
    access = _access(request, slug, Action.PUBLISH)
    _check_in_post(access, post_id, target_id)
    form = MarkPublishedForm({"url": payload.url})
    if not form.is_valid():
        raise form_problem(form, _("The request has invalid values."))
    actions.do_mark_published(access, target_id, form.cleaned_data["url"])
    return _target(access, post_id, target_id)


@router.post(TARGET + "/publish-again", response={200: TargetOut, **ERRORS})
def publish_target_again(
    request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath, target_id: ObjectIdPath
) -> Any:
    """After checking the network: an unknown outcome did not publish, send it again."""
    access = _access(request, slug, Action.PUBLISH)
    _check_in_post(access, post_id, target_id)
    actions.do_publish_again(access, target_id)
    return _target(access, post_id, target_id)


@router.post(TARGET + "/skip", response={200: TargetOut, **ERRORS})
def skip_target(
    request: HttpRequest,
    slug: SlugPath,
    post_id: ObjectIdPath,
    target_id: ObjectIdPath,
    payload: ReasonIn,
) -> Any:
    """Give up this publication on purpose, saying why."""
    access = _access(request, slug, Action.PUBLISH)
    _check_in_post(access, post_id, target_id)
    form = SkipForm({"reason": payload.reason})
    if not form.is_valid():
        raise form_problem(form, _("The request has invalid values."))
    actions.do_skip(access, target_id, form.cleaned_data["reason"])
    return _target(access, post_id, target_id)


@router.post(
    "/workspaces/{slug}/posts/{post_id}/retry-failed", response={200: list[TargetOut], **ERRORS}
)
def retry_failed_targets(request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath) -> Any:
    """Retry every failed target of the post you may publish; the published ones stay."""
    access = _access(request, slug, Action.PUBLISH)
    post = access_post(access, post_id)
    actions.do_retry_post(access, post.pk)
    return _targets(access, post.pk)


@router.post(
    "/workspaces/{slug}/posts/{post_id}/publish-now", response={200: PublishNowOut, **ERRORS}
)
def publish_post_now(request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath) -> Any:
    """Schedule an approved or scheduled post for right now; the answer lists the warnings."""
    access = _access(request, slug, Action.PUBLISH)
    post = access_post(access, post_id)
    warnings = actions.do_publish_now(access, post)
    post.refresh_from_db()
    return {
        "post": post.pk,
        "state": post.state,
        "scheduled_at": post.scheduled_at,
        "warnings": [f"{w.message} {w.fix}".strip() for w in warnings],
        "targets": _targets(access, post.pk),
    }
