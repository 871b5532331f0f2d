"""Small media files made on the spot for the media tests: nothing binary is committed."""

from __future__ import annotations

import io
import struct
import subprocess
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tribune.editorial import media_video


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None).save(out, fmt)
    return out.getvalue()


def upload(content: bytes, name: str = "photo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width` × `height` pixels in a few dozen bytes: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def ffmpeg_reason() -> str | None:
    if media_video.ffprobe() is None or media_video.ffmpeg() is None:
        return "ffprobe/ffmpeg not installed (Debian package ffmpeg)"
    return None


def make_video(folder: Path, name: str = "clip.mp4", size: str = "64x48", **options) -> Path:
    """Encode one second of FFmpeg's test pattern; options: codec, seconds, rotate."""
    path = folder / name
    codec = options.get("codec", "libx264")
    command = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi"]
    command += ["-i", f"testsrc=size={size}:rate=10", "-t", str(options.get("seconds", 1))]
    command += ["-c:v", codec, "-pix_fmt", "yuv420p"]
    subprocess.run([*command, str(path)], check=True, capture_output=True)
    if "rotate" in options:
        # ffmpeg 5 writes the rotation only when copying a stream, not when encoding.
        turned = folder / f"turned-{name}"
        copy = ["ffmpeg", "-v", "error", "-y", "-i", str(path), "-c", "copy"]
        copy += ["-metadata:s:v:0", f"rotate={options['rotate']}", str(turned)]
        subprocess.run(copy, check=True, capture_output=True)
        turned.replace(path)
    return path
