"""Pages of the media library: list, upload, alt text, delete, the composer's picker,
and the files themselves, served to the workspace's members only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from .actions_media import (
    access_media,
    do_delete_media,
    do_update_alt_text,
    do_upload_media,
    media_for,
)
from .choices import MediaKind
from .forms_media import AltTextForm, MediaUploadForm

PAGE_SIZE = 48
PICKER_SIZE = 60


def _filters(request) -> tuple[str, str]:
    kind = request.GET.get("kind", "")
    return (kind if kind in MediaKind.values else ""), request.GET.get("q", "").strip()[:100]


@workspace_view()
def media_list(request, access):
    kind, query = _filters(request)
    page = Paginator(
        media_for(access, kind, query).select_related("uploaded_by"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "editorial/media_list.html",
        {
            "page": page,
            "kinds": MediaKind.choices,
            "kind": kind,
            "q": query,
            "can_write": access.can(Action.WRITE_POSTS),
        },
    )


def _add_error(form, error: ValidationError, field: str) -> None:
    form.add_error(None if hasattr(error, "error_dict") else field, error)


@workspace_view(Action.WRITE_POSTS)
def media_upload(request, access):
    form = MediaUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            media = do_upload_media(
                access, form.cleaned_data["file"], form.cleaned_data["alt_text"]
            )
        except ValidationError as error:
            _add_error(form, error, "file")
        else:
            if request.htmx:
                # From the composer: give back the picker with the new media ticked.
                return _picker(request, access, selected={media.pk})
            messages.success(request, _("Media added to the library."))
            return redirect("media-list", access.workspace.slug)
    template = "editorial/media_upload_form.html" if request.htmx else "editorial/media_upload.html"
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


@workspace_view(Action.WRITE_POSTS)
def media_edit(request, access, media_id: int):
    media = access_media(access, media_id)
    form = AltTextForm(request.POST or None, initial={"alt_text": media.alt_text})
    if request.method == "POST" and form.is_valid():
        try:
            do_update_alt_text(access, media, form.cleaned_data["alt_text"])
        except ValidationError as error:
            _add_error(form, error, "alt_text")
        else:
            messages.success(request, _("Alternative text saved."))
            return redirect("media-list", access.workspace.slug)
    return render(request, "editorial/media_edit.html", {"form": form, "media": media})


@require_POST
@workspace_view(Action.WRITE_POSTS)
def media_delete(request, access, media_id: int):
    media = access_media(access, media_id)
    try:
        do_delete_media(access, media)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Media deleted."))
    return redirect("media-list", access.workspace.slug)


def _selected_ids(request) -> set[int]:
    values = request.GET.getlist("media") + request.GET.getlist("selected")
    return {int(v) for v in values if v.isdigit()}


def _picker_context(request, access, selected: set[int] | None = None) -> dict:
    kind, query = _filters(request)
    query = request.GET.get("media_q", query).strip()[:100]
    selected = selected if selected is not None else _selected_ids(request)
    found = list(media_for(access, kind, query)[:PICKER_SIZE])
    # Ticked media stay listed while searching, so a search never loses a choice.
    shown = {m.pk for m in found}
    missing = selected - shown
    if missing:
        found = list(media_for(access).filter(pk__in=missing)) + found
    return {"media": found, "selected": selected, "media_q": query, "kind": kind}


def _picker(request, access, selected: set[int] | None = None):
    context = _picker_context(request, access, selected)
    return render(request, "editorial/media_picker.html", context)


@require_GET
@workspace_view(Action.WRITE_POSTS)
def media_picker(request, access):
    """The composer's picker: checkboxes named `media`; a full page when not asked by htmx."""
    if request.htmx:
        return _picker(request, access)
    return render(request, "editorial/media_picker_page.html", _picker_context(request, access))


def _serve(name: str, content_type: str, filename: str) -> FileResponse:
    if not name:
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline"
    )
    # Members only: no shared cache may keep a copy; a media file runs no script.
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@workspace_view()
def media_file(request, access, media_id: int):
    media = access_media(access, media_id)
    return _serve(media.file.name, media.mime_type, media.original_name)


@require_GET
@workspace_view()
def media_thumbnail(request, access, media_id: int):
    media = access_media(access, media_id)
    return _serve(media.thumbnail.name, "image/jpeg", f"thumbnail-{media.pk}.jpg")
