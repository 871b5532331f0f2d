"""media.py and media_video.py: what a file is, by its content, and its thumbnail."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from PIL import Image

from tribune.editorial import media, media_video
from tribune.editorial.media import MediaError, MediaLimits, prepare
from tribune.testing.fixtures import require

from .media_samples import ffmpeg_reason, image_bytes, make_video, png_header_only, upload


@pytest.fixture(autouse=True)
def english():
    # The messages are checked for their figures; the words must not change under them.
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("fmt", "name", "declared", "mime"),
    [
        ("PNG", "a.png", "image/png", "image/png"),
        ("JPEG", "a.jpg", "image/jpeg", "image/jpeg"),
        ("GIF", "a.gif", "image/gif", "image/gif"),
        ("WEBP", "a.webp", "image/webp", "image/webp"),
    ],
)
def test_it_accepts_the_image_formats_networks_take(fmt, name, declared, mime):
    prepared = prepare(upload(image_bytes(fmt, (120, 80)), name, declared), declared)
    assert prepared.info.kind == "image"
    assert prepared.info.mime_type == mime
    assert (prepared.info.width, prepared.info.height) == (120, 80)
    assert Image.open(io.BytesIO(prepared.thumbnail)).format == "JPEG"


def test_it_names_the_type_by_content_when_the_browser_says_nothing():
    prepared = prepare(upload(image_bytes("JPEG"), "no-extension", ""), "")
    assert prepared.info.mime_type == "image/jpeg"


def test_it_refuses_a_declared_type_that_contradicts_the_content():
    with pytest.raises(MediaError) as caught:
        prepare(upload(image_bytes("JPEG"), "a.jpg", "video/mp4"), "video/mp4")
    assert caught.value.code == "type_mismatch"
    assert "video/mp4" in caught.value.messages[0]


def test_it_refuses_a_renamed_file():
    with pytest.raises(MediaError) as caught:
        prepare(upload(image_bytes("PNG"), "holiday.jpg", ""), "")
    assert caught.value.code == "name_mismatch"
    assert "holiday.jpg" in caught.value.messages[0]


def test_it_refuses_what_is_no_image_nor_video_whatever_its_name():
    with pytest.raises(MediaError) as caught:
        prepare(upload(b"<script>alert(1)</script>" * 4, "cat.png", "image/png"), "image/png")
    assert caught.value.code == "unsupported"


def test_it_refuses_image_formats_networks_do_not_take():
    with pytest.raises(MediaError) as caught:
        prepare(upload(image_bytes("TIFF"), "scan.tiff", "image/tiff"), "image/tiff")
    assert caught.value.code == "unsupported"


def test_it_turns_pillows_decompression_bomb_error_into_a_clear_message():
    bomb = png_header_only(50_000, 50_000)
    assert len(bomb) < 100
    with pytest.raises(MediaError) as caught:
        prepare(upload(bomb, "bomb.png"), "image/png")
    assert caught.value.code == "decompression_bomb"
    assert "2,500 million pixels" in caught.value.messages[0]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_it_refuses_an_image_pillow_would_only_warn_about():
    # Between Pillow's limit and twice it, Pillow only warns: Tribune refuses all the same.
    side = int((Image.MAX_IMAGE_PIXELS * 1.5) ** 0.5)
    with pytest.raises(MediaError) as caught:
        prepare(upload(png_header_only(side, side), "big.png"), "image/png")
    assert caught.value.code == "decompression_bomb"


def test_it_refuses_a_file_over_the_size_limit_and_says_by_how_much():
    content = image_bytes("PNG")
    limits = MediaLimits(image_max_bytes=len(content) - 10)
    with pytest.raises(MediaError) as caught:
        prepare(upload(content), "image/png", limits)
    assert caught.value.code == "too_large"
    assert "10\xa0bytes" in caught.value.messages[0]


def test_it_refuses_dimensions_out_of_bounds():
    with pytest.raises(MediaError) as small:
        prepare(upload(image_bytes("PNG", (8, 100))), "image/png")
    assert small.value.code == "too_small"
    with pytest.raises(MediaError) as big:
        prepare(
            upload(image_bytes("PNG", (300, 100))), "image/png", MediaLimits(image_max_side=200)
        )
    assert big.value.code == "too_big"
    assert "100 too many" in big.value.messages[0]


def test_it_refuses_an_empty_or_truncated_image():
    with pytest.raises(MediaError) as empty:
        prepare(upload(b""), "image/png")
    assert empty.value.code == "empty"
    whole = image_bytes("PNG", (200, 200), "RGB")
    with pytest.raises(MediaError) as truncated:
        prepare(upload(whole[: len(whole) // 2]), "image/png")
    assert truncated.value.code == "damaged"


def test_it_makes_small_upright_thumbnails_on_white():
    prepared = prepare(upload(image_bytes("PNG", (1000, 500), "RGBA")), "image/png")
    thumb = Image.open(io.BytesIO(prepared.thumbnail))
    assert thumb.size == (media.THUMBNAIL_SIDE, media.THUMBNAIL_SIDE // 2)
    # A fully transparent picture becomes white, not black.
    assert thumb.getpixel((5, 5)) == (255, 255, 255)


def test_it_turns_thumbnails_the_way_the_camera_says():
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    Image.new("RGB", (200, 100), "red").save(out, "JPEG", exif=exif)
    prepared = prepare(upload(out.getvalue(), "p.jpg", "image/jpeg"), "image/jpeg")
    assert Image.open(io.BytesIO(prepared.thumbnail)).size == (100, 200)


def test_it_refuses_videos_with_a_clear_message_when_ffprobe_is_missing(monkeypatch):
    # The header alone is enough to be taken for a video: ffprobe decides the rest.
    fake = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
    monkeypatch.setattr(media_video, "ffprobe", lambda: None)
    with pytest.raises(MediaError) as caught:
        prepare(upload(fake, "clip.mp4", "video/mp4"), "video/mp4")
    assert caught.value.code == "no_ffprobe"
    assert "ffmpeg" in caught.value.messages[0]


# --- videos, with Debian's ffmpeg ------------------------------------------------


@pytest.fixture
def videos(tmp_path):
    require(ffmpeg_reason())
    return tmp_path


def video_upload(path, content_type: str = "video/mp4"):
    return upload(path.read_bytes(), path.name, content_type)


def test_it_reads_duration_dimensions_and_codec_of_a_video(videos):
    clip = make_video(videos, size="64x48", seconds=2)
    prepared = prepare(video_upload(clip), "video/mp4")
    info = prepared.info
    assert (info.kind, info.mime_type, info.codec) == ("video", "video/mp4", "h264")
    assert (info.width, info.height) == (64, 48)
    assert info.duration_s == pytest.approx(2.0, abs=0.1)
    assert Image.open(io.BytesIO(prepared.thumbnail)).size == (64, 48)


def test_it_reads_webm(videos):
    clip = make_video(videos, "clip.webm", codec="libvpx-vp9")
    info = prepare(video_upload(clip, "video/webm"), "video/webm").info
    assert (info.mime_type, info.codec) == ("video/webm", "vp9")


def test_it_reports_a_phone_video_in_the_way_it_is_shown(videos):
    clip = make_video(videos, size="64x48", rotate=90)
    info = prepare(video_upload(clip), "video/mp4").info
    assert (info.width, info.height) == (48, 64)


def test_it_refuses_a_video_declared_as_an_image(videos):
    clip = make_video(videos)
    with pytest.raises(MediaError) as caught:
        prepare(video_upload(clip, "image/png"), "image/png")
    assert caught.value.code == "type_mismatch"


def test_it_refuses_a_video_too_long_or_too_wide(videos):
    clip = make_video(videos, size="64x48", seconds=2)
    with pytest.raises(MediaError) as long:
        prepare(video_upload(clip), "video/mp4", MediaLimits(video_max_duration_s=1))
    assert long.value.code == "too_long"
    with pytest.raises(MediaError) as wide:
        prepare(video_upload(clip), "video/mp4", MediaLimits(video_max_side=32))
    assert wide.value.code == "too_big"


def test_it_refuses_a_damaged_video(videos):
    clip = make_video(videos)
    broken = clip.read_bytes()[:40]
    with pytest.raises(MediaError) as caught:
        prepare(upload(broken, "clip.mp4", "video/mp4"), "video/mp4")
    assert caught.value.code in {"damaged", "no_video"}
