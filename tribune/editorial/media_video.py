"""Video facts and a preview frame, from ffprobe and ffmpeg (Debian's `ffmpeg` package).

Both programs run on a local copy of the upload with only the file protocol and
only the containers Tribune accepts, so a crafted file (an HLS playlist, a
QuickTime reference) cannot make them read other files or the network.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files import File
from django.utils.translation import gettext as _

from .choices import MediaKind
from .media import (
    LIMITS,
    MediaError,
    MediaInfo,
    MediaLimits,
    check_dimensions,
    check_size,
    image_thumbnail,
)

TIMEOUT_S = 60
CONTAINERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"
CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4"}
SANDBOX = ["-protocol_whitelist", "file", "-format_whitelist", CONTAINERS]


def ffprobe() -> str | None:
    """Return the path of ffprobe, or None when it is not installed."""
    return shutil.which("ffprobe")


def ffmpeg() -> str | None:
    return shutil.which("ffmpeg")


def looks_like_video(head: bytes) -> bool:
    """True for the start of an ISO base media file (MP4, QuickTime) or of Matroska/WebM."""
    return head[4:8] == b"ftyp" or head[:4] == b"\x1a\x45\xdf\xa3"


@contextmanager
def local_path(upload: File) -> Iterator[str]:
    """Yield a path to the upload's bytes: Django's temporary file, or a copy of them."""
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        yield temporary()
        return
    with tempfile.NamedTemporaryFile(prefix="tribune-upload-") as copy:
        upload.seek(0)
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        yield copy.name


def probe(path: str) -> dict:
    """Return ffprobe's JSON description of the file; raises MediaError when it cannot."""
    program = ffprobe()
    if program is None:
        raise MediaError(
            _(
                "Videos cannot be checked on this server: ffprobe (Debian package ffmpeg) is not "
                "installed. Ask your administrator."
            ),
            code="no_ffprobe",
        )
    command = [program, "-v", "error", *SANDBOX, "-print_format", "json"]
    command += ["-show_format", "-show_streams", "-i", path]
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise MediaError(_("The video took too long to read."), code="timeout") from None
    if done.returncode != 0:
        raise MediaError(
            _("The video is damaged or in a format Tribune does not read."), code="damaged"
        )
    return json.loads(done.stdout or b"{}")


def _rotation(stream: dict) -> int:
    """Return the display rotation in degrees: phones store portrait video turned by 90."""
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return int(float(side["rotation"])) % 360
    return int(float((stream.get("tags") or {}).get("rotate", 0))) % 360


def mime_type(description: dict, codec: str) -> str:
    fmt = description.get("format") or {}
    if "matroska" in fmt.get("format_name", ""):
        return "video/webm" if codec in {"vp8", "vp9", "av1"} else "video/x-matroska"
    brand = ((fmt.get("tags") or {}).get("major_brand") or "").strip()
    return "video/quicktime" if brand == "qt" else "video/mp4"


def inspect_video(path: str, size: int, limits: MediaLimits = LIMITS) -> MediaInfo:
    """Return the video's facts: duration, displayed dimensions, codec.

    Raises MediaError when there is no video stream, or a limit is broken.
    """
    check_size(size, MediaKind.VIDEO, limits)
    description = probe(path)
    streams = [
        s
        for s in description.get("streams") or []
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    if not streams:
        raise MediaError(_("The file has no video track."), code="no_video")
    stream = streams[0]
    codec = stream.get("codec_name", "")
    if codec not in CODECS:
        raise MediaError(
            _(
                "The video is encoded as %(codec)s; networks accept H.264, HEVC, VP8, VP9 or AV1. "
                "Export it again as H.264 MP4."
            )
            % {"codec": codec or "?"},
            code="codec",
        )
    width, height = int(stream.get("width") or 0), int(stream.get("height") or 0)
    if _rotation(stream) in {90, 270}:
        width, height = height, width
    check_dimensions(width, height, limits.video_max_side, limits)
    duration = float((description.get("format") or {}).get("duration") or 0)
    if duration <= 0:
        raise MediaError(
            _("The video has no duration: it may be a single picture."), code="no_duration"
        )
    if duration > limits.video_max_duration_s:
        raise MediaError(
            _("The video lasts %(d)s seconds, %(over)s more than the %(max)s allowed.")
            % {
                "d": f"{duration:.0f}",
                "over": f"{duration - limits.video_max_duration_s:.0f}",
                "max": f"{limits.video_max_duration_s:.0f}",
            },
            code="too_long",
        )
    return MediaInfo(
        kind=MediaKind.VIDEO,
        mime_type=mime_type(description, codec),
        size_bytes=size,
        width=width,
        height=height,
        duration_s=round(duration, 3),
        codec=codec,
    )


def video_frame(path: str, duration_s: float) -> bytes | None:
    """Return a JPEG thumbnail of a frame one second in (or mid-way in a short clip).

    Returns None when ffmpeg is missing or cannot decode a frame: a video
    without a preview is still usable, the list shows its name instead.
    """
    program = ffmpeg()
    if program is None:
        return None
    at = f"{min(1.0, duration_s / 2):.3f}"
    command = [program, "-v", "error", *SANDBOX, "-ss", at, "-i", path, "-frames:v", "1"]
    command += ["-f", "image2pipe", "-c:v", "png", "pipe:1"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0 or not done.stdout:
        return None
    try:
        return image_thumbnail(io.BytesIO(done.stdout))
    except MediaError:
        return None
