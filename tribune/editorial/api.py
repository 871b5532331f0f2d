"""API of the editorial calendar: posts and their variants, media, queue slots,
comments and workflow transitions, under /api/v1/workspaces/{slug}/.

Reads filter by workspace like the pages; writes go through the same actions
the pages call (composer, calendar, workflow), so permission checks, rules and
audit events are the same. Errors are problem details (tribune/api.py).
"""

from datetime import UTC, datetime
from datetime import time as Time
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ConfigDict, Field

from tribune.core.api_input import (
    LONG_TEXT,
    NetworkKey,
    ObjectId,
    ObjectIdPath,
    Page,
    SlugPath,
    bind_form,
)
from tribune.core.api_input import (
    text as text_field,
)
from tribune.core.problems import ERRORS, READ_ERRORS, Problem, form_problem
from tribune.workspaces.actions import Access, access_workspace
from tribune.workspaces.roles import Action

from . import actions_calendar, actions_media, actions_posts, actions_workflow, workflow
from .actions import access_post
from .choices import PostFormat, PostState
from .forms_posts import PostForm, VariantForm
from .media import MediaError
from .models import MediaAsset, Post, PostComment, QueueSlot, Transition, Variant

router = Router(tags=["editorial"])

# ---- schemas ----


class VariantOut(Schema):
    id: int
    network: str
    text: str
    link: str
    first_comment: str
    hashtags: list[str]
    mentions: list[str]
    options: dict[str, Any]
    media: list[int]
    updated_at: datetime

    @staticmethod
    def resolve_media(obj: Variant) -> list[int]:
        return [row.media_id for row in obj.variantmedia_set.all()]


class PostOut(Schema):
    id: int
    title: str
    body: str
    state: str
    format: str
    tags: list[str]
    persona: int | None = Field(None, alias="persona_id")
    pillar: int | None = Field(None, alias="pillar_id")
    objectives: list[int]
    scheduled_at: datetime | None
    author: int | None = Field(None, alias="author_id")
    variants: list[VariantOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_objectives(obj: Post) -> list[int]:
        return [o.pk for o in obj.objectives.all()]

    @staticmethod
    def resolve_variants(obj: Post) -> list[Variant]:
        return list(obj.variants.all())


class PostIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: text_field(200)
    body: text_field(LONG_TEXT) = ""
    persona: ObjectId | None = None
    pillar: ObjectId | None = None
    objectives: list[ObjectId] = Field(default_factory=list, max_length=100)
    format: PostFormat = PostFormat.ORGANIC
    tags_text: text_field(500) = ""
    networks: list[NetworkKey] = Field(min_length=1, max_length=40)


class PostPatch(PostIn):
    title: text_field(200) | None = None
    networks: list[NetworkKey] | None = Field(None, min_length=1, max_length=40)


class VariantIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: text_field(LONG_TEXT) = ""
    title: text_field(500) = ""
    link: text_field(2000) = ""
    first_comment: text_field(LONG_TEXT) = ""
    hashtags: text_field(2000) = ""
    mentions: text_field(2000) = ""
    media: list[ObjectId] = Field(default_factory=list, max_length=40)


class MediaOut(Schema):
    id: int
    original_name: str
    kind: str
    mime_type: str
    size_bytes: int
    width: int | None
    height: int | None
    duration_s: float | None
    alt_text: str
    url: str
    created_at: datetime

    @staticmethod
    def resolve_url(obj: MediaAsset) -> str:
        return obj.file.url


class SlotOut(Schema):
    id: int
    network: str
    weekday: int
    time: Time


class SlotIn(Schema):
    model_config = ConfigDict(extra="forbid")

    network: NetworkKey
    weekdays: list[int] = Field(min_length=1, max_length=7)
    time: Time


class CommentOut(Schema):
    id: int
    author: int | None = Field(None, alias="author_id")
    client_name: str
    body: str
    created_at: datetime


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: text_field(LONG_TEXT) = Field(min_length=1)


class TransitionOut(Schema):
    id: int
    from_state: str
    to_state: str
    actor: int | None = Field(None, alias="actor_id")
    client_name: str
    reason: str
    at: datetime


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to_state: PostState
    reason: text_field(LONG_TEXT) = ""


class ScheduleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    when: datetime = Field(description="With an offset (e.g. +02:00) or Z.")


class ScheduleOut(Schema):
    post: PostOut
    warnings: list[str]


# ---- posts and variants ----


def _posts(access: Access) -> QuerySet[Post]:
    variants = Variant.objects.prefetch_related("variantmedia_set").order_by("network")
    return (
        Post.objects.filter(workspace=access.workspace)
        .prefetch_related("objectives", Prefetch("variants", queryset=variants))
        .order_by("scheduled_at", "id")
    )


def _post(access: Access, post_id: int) -> Post:
    post = _posts(access).filter(pk=post_id).first()
    if post is None:
        raise Http404
    return post


@router.get("/workspaces/{slug}/posts", response={200: list[PostOut], **READ_ERRORS})
@paginate(Page)
def list_posts(
    request: HttpRequest,
    slug: SlugPath,
    state: PostState | None = None,
    network: NetworkKey | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[Post]:
    """The workspace's posts by publication time; `start`/`end` bound `scheduled_at`."""
    access = access_workspace(request.auth, slug)
    queryset = _posts(access)
    if state is not None:
        queryset = queryset.filter(state=state.value)
    if network:
        queryset = queryset.filter(variants__network=network).distinct()
    if start is not None:
        queryset = queryset.filter(scheduled_at__gte=_aware(start))
    if end is not None:
        queryset = queryset.filter(scheduled_at__lt=_aware(end))
    return queryset


def _aware(moment: datetime) -> datetime:
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


@router.post("/workspaces/{slug}/posts", response={201: PostOut, **ERRORS})
def create_post(request: HttpRequest, slug: SlugPath, payload: PostIn) -> Any:
    access = access_workspace(request.auth, slug, Action.WRITE_POSTS)
    form = bind_form(PostForm, payload, workspace=access.workspace)
    post = actions_posts.do_create_post(access, form)
    return Status(201, _post(access, post.pk))


@router.get("/workspaces/{slug}/posts/{post_id}", response={200: PostOut, **READ_ERRORS})
def get_post(request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath) -> Any:
    return _post(access_workspace(request.auth, slug), post_id)


def _post_form_data(post: Post) -> dict[str, Any]:
    return {
        "title": post.title,
        "body": post.body,
        "persona": post.persona_id,
        "pillar": post.pillar_id,
        "objectives": [o.pk for o in post.objectives.all()],
        "format": post.format,
        "tags_text": ", ".join(post.tags),
        "networks": [v.network for v in post.variants.all()],
    }


def _post_form(access: Access, post: Post, changes: dict[str, Any]) -> PostForm:
    data = _post_form_data(post) | changes
    form = PostForm(data=data, instance=post, workspace=access.workspace)
    if not form.is_valid():
        raise form_problem(form, _("The request has invalid values."))
    return form


@router.patch("/workspaces/{slug}/posts/{post_id}", response={200: PostOut, **ERRORS})
def update_post(
    request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath, payload: PostPatch
) -> Any:
    """Change the post; networks added get a variant from the body, networks left out lose it."""
    access = access_workspace(request.auth, slug, Action.WRITE_POSTS)
    post = _post(access, post_id)
    form = _post_form(access, post, payload.model_dump(mode="json", exclude_unset=True))
    actions_posts.do_update_post(access, post, form, [])
    return _post(access, post_id)


@router.get(
    "/workspaces/{slug}/posts/{post_id}/variants",
    response={200: list[VariantOut], **READ_ERRORS},
)
def list_variants(request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath) -> Any:
    return list(_post(access_workspace(request.auth, slug), post_id).variants.all())


@router.put(
    "/workspaces/{slug}/posts/{post_id}/variants/{network}",
    response={200: VariantOut, **ERRORS},
)
def put_variant(
    request: HttpRequest,
    slug: SlugPath,
    post_id: ObjectIdPath,
    network: NetworkKey,
    payload: VariantIn,
) -> Any:
    """Write one network's version; the network is added to the post if it was not on it."""
    access = access_workspace(request.auth, slug, Action.WRITE_POSTS)
    post = _post(access, post_id)
    networks = [v.network for v in post.variants.all()]
    form = _post_form(access, post, {"networks": [*networks, network]})
    prefix = f"v-{network}"
    data = {f"{prefix}-{k}": v for k, v in payload.model_dump(mode="json").items()}
    variant = post.variants.filter(network=network).first()
    variant_form = VariantForm(
        data=data, network=network, workspace=access.workspace, variant=variant
    )
    if not variant_form.is_valid():
        raise form_problem(variant_form, _("The request has invalid values."))
    actions_posts.do_update_post(access, post, form, [variant_form])
    found = _post(access, post_id).variants.all()
    return next(v for v in found if v.network == network)


@router.delete("/workspaces/{slug}/posts/{post_id}", response={204: None, **ERRORS})
def delete_post(request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath) -> Any:
    """Delete a post; 409 while it is scheduled (unschedule it first)."""
    access = access_workspace(request.auth, slug, Action.WRITE_POSTS)
    actions_posts.do_delete_post(access, access_post(access, post_id))
    return HttpResponse(status=204)


# ---- media: upload (multipart), read, alt text, delete ----


class AltTextIn(Schema):
    model_config = ConfigDict(extra="forbid")
    alt_text: text_field(2000)


@router.post("/workspaces/{slug}/media", response={201: MediaOut, **ERRORS})
def upload_media(
    request: HttpRequest,
    slug: SlugPath,
    file: File[UploadedFile],
    alt_text: Form[text_field(2000)],
) -> Any:
    """Upload an image or a video (multipart: `file` and `alt_text`), checked by its content."""
    access = access_workspace(request.auth, slug, Action.WRITE_POSTS)
    try:
        return Status(201, actions_media.do_upload_media(access, file, alt_text))
    except MediaError as refused:
        # A refused file is a bad input (422), not a clash with stored data.
        raise ValidationError({"file": refused.messages}) from None


@router.patch("/workspaces/{slug}/media/{media_id}", response={200: MediaOut, **ERRORS})
def update_media(
    request: HttpRequest, slug: SlugPath, media_id: ObjectIdPath, payload: AltTextIn
) -> Any:
    access = access_workspace(request.auth, slug, Action.WRITE_POSTS)
    media = actions_media.access_media(access, media_id)
    return actions_media.do_update_alt_text(access, media, payload.alt_text)


@router.delete("/workspaces/{slug}/media/{media_id}", response={204: None, **ERRORS})
def delete_media(request: HttpRequest, slug: SlugPath, media_id: ObjectIdPath) -> Any:
    """Delete a media item; 409 while a post variant uses it."""
    access = access_workspace(request.auth, slug, Action.WRITE_POSTS)
    actions_media.do_delete_media(access, actions_media.access_media(access, media_id))
    return HttpResponse(status=204)


@router.get("/workspaces/{slug}/media", response={200: list[MediaOut], **READ_ERRORS})
@paginate(Page)
def list_media(request: HttpRequest, slug: SlugPath) -> QuerySet[MediaAsset]:
    access = access_workspace(request.auth, slug)
    return MediaAsset.objects.filter(workspace=access.workspace).order_by("-created_at", "-id")


@router.get("/workspaces/{slug}/media/{media_id}", response={200: MediaOut, **READ_ERRORS})
def get_media(request: HttpRequest, slug: SlugPath, media_id: ObjectIdPath) -> Any:
    access = access_workspace(request.auth, slug)
    media = MediaAsset.objects.filter(workspace=access.workspace, pk=media_id).first()
    if media is None:
        raise Http404
    return media


# ---- queue slots ----


@router.get("/workspaces/{slug}/slots", response={200: list[SlotOut], **READ_ERRORS})
@paginate(Page)
def list_slots(request: HttpRequest, slug: SlugPath) -> QuerySet[QueueSlot]:
    access = access_workspace(request.auth, slug)
    return QueueSlot.objects.filter(workspace=access.workspace).order_by(
        "network", "weekday", "time", "id"
    )


@router.post("/workspaces/{slug}/slots", response={201: list[SlotOut], **ERRORS})
def create_slots(request: HttpRequest, slug: SlugPath, payload: SlotIn) -> Any:
    """One slot per weekday (0 = Monday) at `time`, in the workspace's time zone."""
    access = access_workspace(request.auth, slug)
    if any(not 0 <= day <= 6 for day in payload.weekdays):
        raise Problem(
            422,
            _("The request has invalid values."),
            [
                {
                    "loc": ["body", "weekdays"],
                    "msg": _("Days run from 0 (Monday) to 6."),
                    "type": "range",
                }
            ],
        )
    slots = actions_calendar.do_create_slots(
        access, payload.network, sorted(set(payload.weekdays)), payload.time
    )
    return Status(201, slots)


@router.delete("/workspaces/{slug}/slots/{slot_id}", response={204: None, **ERRORS})
def delete_slot(request: HttpRequest, slug: SlugPath, slot_id: ObjectIdPath) -> Any:
    access = access_workspace(request.auth, slug)
    actions_calendar.do_delete_slot(access, actions_calendar.access_slot(access, slot_id))
    return HttpResponse(status=204)


# ---- comments and the workflow ----


@router.get(
    "/workspaces/{slug}/posts/{post_id}/comments",
    response={200: list[CommentOut], **READ_ERRORS},
)
@paginate(Page)
def list_comments(
    request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath
) -> QuerySet[PostComment]:
    post = access_post(access_workspace(request.auth, slug), post_id)
    return PostComment.objects.filter(post=post).order_by("created_at", "id")


@router.post("/workspaces/{slug}/posts/{post_id}/comments", response={201: CommentOut, **ERRORS})
def create_comment(
    request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath, payload: CommentIn
) -> Any:
    """An internal comment; @username mentions notify those members."""
    access = access_workspace(request.auth, slug)
    post = access_post(access, post_id)
    return Status(201, actions_workflow.do_add_comment(access, post, payload.body))


@router.get(
    "/workspaces/{slug}/posts/{post_id}/transitions",
    response={200: list[TransitionOut], **READ_ERRORS},
)
@paginate(Page)
def list_transitions(
    request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath
) -> QuerySet[Transition]:
    post = access_post(access_workspace(request.auth, slug), post_id)
    return Transition.objects.filter(post=post).order_by("at", "id")


@router.post("/workspaces/{slug}/posts/{post_id}/transitions", response={200: PostOut, **ERRORS})
def create_transition(
    request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath, payload: TransitionIn
) -> Any:
    """Move the post through the workflow (send for review, approve, request changes...)."""
    access = access_workspace(request.auth, slug)
    post = access_post(access, post_id)
    workflow.do_transition(access, post, payload.to_state.value, payload.reason)
    return _post(access, post_id)


@router.post("/workspaces/{slug}/posts/{post_id}/schedule", response={200: ScheduleOut, **ERRORS})
def schedule_post(
    request: HttpRequest, slug: SlugPath, post_id: ObjectIdPath, payload: ScheduleIn
) -> Any:
    """Schedule an approved post at `when`; the answer lists the calendar's warnings."""
    access = access_workspace(request.auth, slug)
    post = access_post(access, post_id)
    if timezone.is_naive(payload.when):
        raise Problem(
            422,
            _("The request has invalid values."),
            [{"loc": ["body", "when"], "msg": _("Give the time with an offset."), "type": "naive"}],
        )
    warnings = workflow.do_schedule(access, post, payload.when)
    return {
        "post": _post(access, post_id),
        "warnings": [f"{w.message} {w.fix}".strip() for w in warnings],
    }
