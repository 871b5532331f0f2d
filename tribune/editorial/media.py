"""What an uploaded file really is: checked by its content, never by its name.

Images are identified by Pillow, restricted to the formats networks accept, with
Pillow's decompression-bomb protection turned into a clear error. Videos are
identified by ffprobe (Debian's `ffmpeg` package), see media_video.py. The
type the browser declared and the file name's extension must agree with what
the content is, so a renamed file is refused instead of being published under
a false type.
"""

from __future__ import annotations

import io
import mimetypes
import re
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .choices import MediaKind

MB = 1024 * 1024
THUMBNAIL_SIDE = 320

# Pillow format name -> the MIME type stored and served. Other formats Pillow can
# read (TIFF, BMP, PSD, EPS...) are refused: networks do not take them, and EPS
# would run Ghostscript.
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}

# Declared types that say nothing about the content; they are not compared.
UNINFORMATIVE_TYPES = {"", "application/octet-stream", "binary/octet-stream"}

# Types that name the same container. MP4 and QuickTime share one format (ISO
# base media), WebM is a profile of Matroska; browsers pick either from the
# extension, so a .mov that is an MP4 inside is not a lie.
FAMILIES = {
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/pjpeg": "jpeg",
    "image/png": "png",
    "image/apng": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "iso-bmff",
    "video/quicktime": "iso-bmff",
    "video/x-m4v": "iso-bmff",
    "video/webm": "matroska",
    "video/x-matroska": "matroska",
}


@dataclass(frozen=True)
class MediaLimits:
    """What the library accepts from any upload; each network's stricter rules live in rules.py."""

    image_max_bytes: int = 20 * MB
    video_max_bytes: int = 1024 * MB
    min_side: int = 16
    image_max_side: int = 16384
    video_max_side: int = 4096
    video_max_duration_s: float = 4 * 3600


LIMITS = MediaLimits()


@dataclass(frozen=True)
class MediaInfo:
    """What the content turned out to be."""

    kind: str
    mime_type: str
    size_bytes: int
    width: int
    height: int
    duration_s: float | None = None
    codec: str = ""


class MediaError(ValidationError):
    """An upload Tribune refuses, with a message that says why and what to do."""


def family(mime_type: str) -> str | None:
    """Return the container family of a MIME type, or None when Tribune does not know it."""
    return FAMILIES.get(mime_type.split(";")[0].strip().lower())


def check_declared(info: MediaInfo, declared_type: str, name: str) -> None:
    """Raise MediaError when the declared type or the extension contradicts the content."""
    actual = family(info.mime_type)
    declared = declared_type.split(";")[0].strip().lower()
    if declared not in UNINFORMATIVE_TYPES and family(declared) != actual:
        raise MediaError(
            _(
                "The file was sent as %(declared)s but its content is %(actual)s. Tribune refuses "
                "files whose declared type does not match their content."
            )
            % {"declared": declared, "actual": info.mime_type},
            code="type_mismatch",
        )
    by_name, _encoding = mimetypes.guess_type(name)
    if by_name and family(by_name) != actual:
        raise MediaError(
            _(
                "The file name %(name)s says %(declared)s but its content is %(actual)s. Rename "
                "the file with the right extension, or export it again."
            )
            % {"name": name, "declared": by_name, "actual": info.mime_type},
            code="name_mismatch",
        )


def check_size(size: int, kind: str, limits: MediaLimits) -> None:
    maximum = limits.image_max_bytes if kind == MediaKind.IMAGE else limits.video_max_bytes
    if size > maximum:
        raise MediaError(
            _("The file is %(size)s, over the %(max)s allowed for this kind of media by %(over)s.")
            % {
                "size": filesizeformat(size),
                "max": filesizeformat(maximum),
                "over": filesizeformat(size - maximum),
            },
            code="too_large",
        )


def check_dimensions(width: int, height: int, max_side: int, limits: MediaLimits) -> None:
    if min(width, height) < limits.min_side:
        raise MediaError(
            _("The media is %(w)s × %(h)s pixels; each side must be at least %(min)s pixels.")
            % {"w": width, "h": height, "min": limits.min_side},
            code="too_small",
        )
    if max(width, height) > max_side:
        raise MediaError(
            _(
                "The media is %(w)s × %(h)s pixels; no side may exceed %(max)s pixels "
                "(%(over)s too many)."
            )
            % {"w": width, "h": height, "max": max_side, "over": max(width, height) - max_side},
            code="too_big",
        )


def _bomb_error(pixels: int | None) -> MediaError:
    limit = Image.MAX_IMAGE_PIXELS or 0
    if pixels:
        message = _(
            "The image has %(pixels)s million pixels, more than the %(limit)s million Tribune "
            "decodes: it could be a decompression bomb. Resize it and upload it again."
        ) % {"pixels": f"{pixels / 1e6:,.0f}", "limit": f"{limit / 1e6:,.0f}"}
    else:
        message = _(
            "The image has more than the %(limit)s million pixels Tribune decodes: it could be "
            "a decompression bomb. Resize it and upload it again."
        ) % {"limit": f"{limit / 1e6:,.0f}"}
    return MediaError(message, code="decompression_bomb")


def open_image(fp: IO[bytes]) -> Image.Image | None:
    """Return the image Pillow finds in `fp` (header read only), or None when it is not one.

    Raises MediaError for a decompression bomb or a damaged image of a known format.
    """
    fp.seek(0)
    try:
        image = Image.open(fp, formats=list(IMAGE_FORMATS))
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise _bomb_error(int(found.group(1)) if found else None) from None
    except UnidentifiedImageError:
        return None
    except (OSError, SyntaxError, ValueError):
        raise MediaError(_("The image is damaged and cannot be read."), code="damaged") from None
    # Pillow only warns between its limit and twice its limit, and a warning filter
    # is not thread-safe in a threaded web server; the same threshold is applied here.
    pixels = image.width * image.height
    if Image.MAX_IMAGE_PIXELS and pixels > Image.MAX_IMAGE_PIXELS:
        raise _bomb_error(pixels)
    return image


def inspect_image(fp: IO[bytes], size: int, limits: MediaLimits = LIMITS) -> MediaInfo | None:
    """Return the image's facts, None when the content is not an image Tribune knows.

    Raises MediaError when it is an image Tribune refuses (bomb, damaged, too big).
    """
    image = open_image(fp)
    if image is None:
        return None
    info = MediaInfo(
        kind=MediaKind.IMAGE,
        mime_type=IMAGE_FORMATS[image.format or ""],
        size_bytes=size,
        width=image.width,
        height=image.height,
    )
    check_size(size, MediaKind.IMAGE, limits)
    check_dimensions(image.width, image.height, limits.image_max_side, limits)
    try:
        # verify() walks the whole file (PNG checks every chunk's CRC) without decoding it.
        image.verify()
    except Exception:  # Pillow raises many types for damaged data
        raise MediaError(_("The image is damaged and cannot be read."), code="damaged") from None
    return info


def image_thumbnail(fp: IO[bytes]) -> bytes:
    """Return a JPEG at most THUMBNAIL_SIDE pixels on its longer side, upright.

    Raises MediaError when the pixels cannot be decoded (a truncated file).
    """
    image = open_image(fp)
    if image is None:
        raise MediaError(_("The image cannot be read."), code="damaged")
    try:
        # draft() lets the JPEG decoder scale down while decoding: no full-size copy.
        image.draft("RGB", (THUMBNAIL_SIDE * 2, THUMBNAIL_SIDE * 2))
        image = ImageOps.exif_transpose(image)
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        if image.mode in ("RGBA", "LA", "P"):
            # JPEG has no transparency: lay the image on white rather than on black.
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, "white")
            image.paste(rgba, mask=rgba.getchannel("A"))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
    except MediaError:
        raise
    except Exception:  # a truncated file fails only when decoded
        raise MediaError(_("The image is damaged and cannot be read."), code="damaged") from None
    return out.getvalue()


@dataclass(frozen=True)
class Prepared:
    """A checked upload: its facts and its thumbnail (None when no frame could be taken)."""

    info: MediaInfo
    thumbnail: bytes | None


def prepare(upload: File, declared_type: str = "", limits: MediaLimits = LIMITS) -> Prepared:
    """Check an upload by its content and make its thumbnail.

    Returns a Prepared; raises MediaError saying what is wrong and what to do.
    """
    from . import media_video  # ffprobe is only needed for videos

    size = upload.size or 0
    name = upload.name or ""
    if size == 0:
        raise MediaError(_("The file is empty."), code="empty")
    # Refuse early what no kind of media could be, before reading it.
    check_size(size, MediaKind.VIDEO, limits)
    info = inspect_image(upload, size, limits)
    if info is not None:
        check_declared(info, declared_type, name)
        return Prepared(info, image_thumbnail(upload))
    upload.seek(0)
    if not media_video.looks_like_video(upload.read(64)):
        raise MediaError(
            _(
                "This file is neither a JPEG, PNG, GIF or WebP image nor an MP4, QuickTime or "
                "WebM video."
            ),
            code="unsupported",
        )
    with media_video.local_path(upload) as path:
        info = media_video.inspect_video(path, size, limits)
        check_declared(info, declared_type, name)
        return Prepared(info, media_video.video_frame(path, info.duration_s or 0))
