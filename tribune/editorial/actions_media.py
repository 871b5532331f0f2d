"""The media library's reads and writes: every file checked, every change audited.

Files go through Django's storage API (the file system or an S3-compatible
store, see TRIBUNE_MEDIA_STORAGE_URL). Storage is not transactional: a failed
database write removes the files it had just saved, and a deletion removes the
files only once the database change is committed.
"""

from __future__ import annotations

import os
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tribune.workspaces.actions import Access, check_action, record
from tribune.workspaces.roles import Action

from .media import LIMITS, MediaLimits, prepare
from .models import MediaAsset, VariantMedia

ALT_TEXT_MAX = 2000
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
}


def access_media(access: Access, media_id: int) -> MediaAsset:
    """Return the workspace's media `media_id`; Http404 for any other workspace's or none."""
    found = MediaAsset.objects.filter(workspace=access.workspace, pk=media_id).first()
    if found is None:
        raise Http404
    return found


def media_for(access: Access, kind: str = "", query: str = "") -> models.QuerySet[MediaAsset]:
    """Return the workspace's media, newest first, each with `uses` (variants it is in)."""
    found = MediaAsset.objects.filter(workspace=access.workspace)
    if kind:
        found = found.filter(kind=kind)
    if query:
        found = found.filter(
            models.Q(original_name__icontains=query) | models.Q(alt_text__icontains=query)
        )
    return found.annotate(uses=models.Count("variantmedia")).order_by("-created_at", "-id")


def media_snapshot(media: MediaAsset) -> dict:
    """Return the audit log's view of a media: core.snapshot cannot encode file fields."""
    fields = ["original_name", "kind", "mime_type", "size_bytes", "width", "height"]
    data = {name: getattr(media, name) for name in [*fields, "duration_s", "alt_text"]}
    return {**data, "file": media.file.name, "thumbnail": media.thumbnail.name or ""}


def clean_alt_text(text: str) -> str:
    """Return the alt text stripped; raises ValidationError when it is empty or too long."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(
            {
                "alt_text": _(
                    "Describe the media for people who cannot see it: alt text is required."
                )
            }
        )
    if len(text) > ALT_TEXT_MAX:
        raise ValidationError(
            {
                "alt_text": _("Alt text is %(n)s characters, %(over)s over the %(max)s allowed.")
                % {"n": len(text), "over": len(text) - ALT_TEXT_MAX, "max": ALT_TEXT_MAX}
            }
        )
    return text


def _stored_name(mime_type: str) -> str:
    # A random name: the original name is kept in the row, never trusted as a path.
    return f"{secrets.token_hex(12)}.{EXTENSIONS[mime_type]}"


def do_upload_media(
    access: Access, upload: UploadedFile, alt_text: str, limits: MediaLimits = LIMITS
) -> MediaAsset:
    """Check the upload by its content, store it with its thumbnail, return the new media.

    Raises PermissionDenied without WRITE_POSTS, ValidationError (MediaError)
    when the file or the alt text is refused.
    """
    check_action(access, Action.WRITE_POSTS)
    alt_text = clean_alt_text(alt_text)
    prepared = prepare(upload, getattr(upload, "content_type", "") or "", limits)
    info = prepared.info
    asset = MediaAsset(
        workspace=access.workspace,
        original_name=os.path.basename(upload.name or "")[:200] or _stored_name(info.mime_type),
        kind=info.kind,
        mime_type=info.mime_type,
        size_bytes=info.size_bytes,
        width=info.width,
        height=info.height,
        duration_s=info.duration_s,
        alt_text=alt_text,
        uploaded_by=access.user,
    )
    upload.seek(0)
    asset.file.save(_stored_name(info.mime_type), upload, save=False)
    try:
        if prepared.thumbnail:
            asset.thumbnail.save(
                f"{secrets.token_hex(12)}.jpg", ContentFile(prepared.thumbnail), save=False
            )
        with transaction.atomic():
            asset.save()
            record(access, access.workspace, "upload", asset, after=media_snapshot(asset))
    except BaseException:
        _delete_files(asset.file.name, asset.thumbnail.name)
        raise
    return asset


@transaction.atomic
def do_update_alt_text(access: Access, media: MediaAsset, alt_text: str) -> MediaAsset:
    check_action(access, Action.WRITE_POSTS)
    if media.workspace_id != access.workspace.pk:
        raise Http404
    alt_text = clean_alt_text(alt_text)
    before = media_snapshot(media)
    media.alt_text = alt_text
    media.save(update_fields=["alt_text"])
    record(access, access.workspace, "update", media, before, media_snapshot(media))
    return media


@transaction.atomic
def do_delete_media(access: Access, media: MediaAsset) -> None:
    """Delete the media and, after commit, its files.

    Raises ValidationError when a variant still uses it: deleting it would
    silently change a post someone wrote.
    """
    check_action(access, Action.WRITE_POSTS)
    locked = (
        MediaAsset.objects.select_for_update()
        .filter(pk=media.pk, workspace=access.workspace)
        .first()
    )
    if locked is None:
        raise Http404
    uses = VariantMedia.objects.filter(media=locked).count()
    if uses:
        raise ValidationError(
            ngettext(
                "%(n)s post variant uses this media: remove it from the post first.",
                "%(n)s post variants use this media: remove it from those posts first.",
                uses,
            )
            % {"n": uses},
            code="in_use",
        )
    names = (locked.file.name, locked.thumbnail.name)
    record(access, access.workspace, "delete", locked, media_snapshot(locked))
    locked.delete()
    transaction.on_commit(lambda: _delete_files(*names))


def _delete_files(*names: str) -> None:
    for name in names:
        if name:
            default_storage.delete(name)
