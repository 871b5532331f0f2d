"""The versioned table of network rules, as plain data.

Each network's limits are a `NetworkRules` row, each figure taken from the
network's own documentation as it stood on `RULES_VERSION`; the pages are in
`sources`. When a network changes a limit, change the figure, its source and
`RULES_VERSION` together, and the test that pins it. A figure no source gave is
None, which means "not checked", never a guess. Alive networks of the catalog
with no row are listed in `UNCHECKED_NETWORKS`: nothing is limited for them.

`rules.check_variant` applies this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .choices import MediaKind
from .counting import Counting

RULES_VERSION = "2026-11-26"

MB = 1_000_000
JPEG_PNG = ("image/jpeg", "image/png")
COMMON_IMAGES = ("image/jpeg", "image/png", "image/gif", "image/webp")
MP4_MOV = ("video/mp4", "video/quicktime")


class LinkHandling(StrEnum):
    APPENDED = "appended"  # the link goes at the end of the text and counts in it
    SEPARATE = "separate"  # the network takes the link as its own field (Pinterest)
    NONE = "none"  # the network makes no link clickable in a post (Instagram)


@dataclass(frozen=True)
class MediaRules:
    max_items: int | None = None
    min_items: int = 0
    kinds: frozenset[str] = frozenset({MediaKind.IMAGE, MediaKind.VIDEO})
    image_types: tuple[str, ...] | None = None
    video_types: tuple[str, ...] | None = None
    image_max_bytes: int | None = None
    video_max_bytes: int | None = None
    video_min_s: float | None = None
    video_max_s: float | None = None
    # width / height, inclusive bounds
    min_ratio: float | None = None
    max_ratio: float | None = None
    alt_max: int | None = None
    # One video and nothing else (X, Bluesky): videos cannot be mixed or grouped.
    single_video: bool = False


@dataclass(frozen=True)
class Pace:
    """How fast Tribune may call a network for one account, and how many calls at once.

    `requests` per `per_seconds` is the publishing budget of one account
    (None: the network documents none). The publishing engine reads it.
    """

    requests: int | None = None
    per_seconds: int = 60
    account_concurrency: int = 1
    network_concurrency: int = 8


@dataclass(frozen=True)
class NetworkRules:
    network: str
    text_max: int | None
    counting: Counting = Counting.CHARACTERS
    # Telegram: a text sent with media is a caption, with a lower limit.
    caption_max: int | None = None
    hashtag_max: int | None = None
    mention_max: int | None = None
    title_max: int | None = None
    title_required: bool = False
    link: LinkHandling = LinkHandling.APPENDED
    first_comment: bool = True
    # Characters the network refuses in the text and title (YouTube: < and >).
    forbidden: str = ""
    media: MediaRules = field(default_factory=MediaRules)
    pace: Pace = field(default_factory=Pace)
    sources: tuple[str, ...] = ()


def _rules(*rows: NetworkRules) -> dict[str, NetworkRules]:
    return {r.network: r for r in rows}


NETWORK_RULES: dict[str, NetworkRules] = _rules(
    NetworkRules(
        "bluesky",
        text_max=300,
        counting=Counting.GRAPHEMES,
        first_comment=True,
        media=MediaRules(
            max_items=4,
            image_types=COMMON_IMAGES,
            video_types=("video/mp4", "video/quicktime", "video/webm", "video/mpeg"),
            image_max_bytes=1 * MB,
            video_max_bytes=100 * MB,
            video_max_s=180,
            alt_max=2000,
            single_video=True,
        ),
        # 5,000 rate-limit points an hour per account; creating a record costs 3.
        pace=Pace(requests=1666, per_seconds=3600),
        sources=(
            "https://docs.bsky.app/docs/advanced-guides/post-richtext",
            "https://docs.bsky.app/docs/tutorials/video",
            # One video per post, up to 3 minutes and 100 MB since March 2025.
            "https://bsky.social/about/blog/09-11-2024-video",
        ),
    ),
    NetworkRules(
        "x",
        text_max=280,
        counting=Counting.X_WEIGHTED,
        media=MediaRules(
            max_items=4,
            image_types=COMMON_IMAGES,
            video_types=MP4_MOV,
            image_max_bytes=5 * MB,
            video_max_bytes=512 * MB,
            video_min_s=0.5,
            video_max_s=140,
            alt_max=1000,
            single_video=True,
        ),
        sources=(
            "https://developer.x.com/en/docs/counting-characters",
            "https://developer.x.com/en/docs/x-api/v1/media/upload-media/uploading-media/media-best-practices",
        ),
    ),
    NetworkRules(
        "mastodon",
        text_max=500,
        counting=Counting.MASTODON,
        media=MediaRules(
            max_items=4,
            image_types=(*COMMON_IMAGES, "image/heic", "image/heif", "image/avif"),
            video_types=("video/mp4", "video/quicktime", "video/webm"),
            image_max_bytes=16 * MB,
            video_max_bytes=99 * MB,
            alt_max=1500,
        ),
        # Defaults of a Mastodon server; an instance may set other limits.
        # 300 requests per 5 minutes per account (server default). Mastodon limits requests
        # per window, not requests in flight, and one account has one publish in flight at
        # most: 32 at once per worker process and instance are 32 different accounts on one
        # busy instance (mastodon.social). bench/publishing.py, steady, on the embedded
        # worker (one process, SQLite): 16 capped it at 136 publishes a second, p99 16.6 s;
        # 32 gave 163 a second, p99 5.8 s.
        pace=Pace(requests=300, per_seconds=300, network_concurrency=32),
        sources=("https://docs.joinmastodon.org/user/posting/",),
    ),
    NetworkRules(
        "linkedin",
        text_max=3000,
        media=MediaRules(
            max_items=20,
            image_types=("image/jpeg", "image/png", "image/gif"),
            video_types=("video/mp4",),
            video_max_bytes=500 * MB,
            video_min_s=3,
            video_max_s=1800,
            alt_max=4086,
            single_video=True,
        ),
        sources=(
            "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api",
            "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api",
        ),
    ),
    NetworkRules(
        "instagram",
        text_max=2200,
        hashtag_max=30,
        mention_max=20,
        link=LinkHandling.NONE,
        media=MediaRules(
            max_items=10,
            min_items=1,
            image_types=("image/jpeg",),
            video_types=MP4_MOV,
            image_max_bytes=8 * MB,
            video_max_bytes=300 * MB,
            video_min_s=3,
            video_max_s=900,
            min_ratio=4 / 5,
            max_ratio=1.91,
        ),
        sources=(
            "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media",
        ),
    ),
    NetworkRules(
        "threads",
        text_max=500,
        media=MediaRules(
            max_items=20,
            image_types=JPEG_PNG,
            video_types=MP4_MOV,
            image_max_bytes=8 * MB,
            video_max_bytes=1000 * MB,
            video_max_s=300,
            min_ratio=1 / 10,
            max_ratio=10,
            alt_max=1000,
        ),
        sources=("https://developers.facebook.com/docs/threads/overview",),
    ),
    NetworkRules(
        "telegram",
        text_max=4096,
        caption_max=1024,
        first_comment=False,
        media=MediaRules(
            max_items=10,
            image_max_bytes=10 * MB,
            video_max_bytes=50 * MB,
        ),
        # A bot may send 20 messages a minute to one group or channel.
        pace=Pace(requests=20, per_seconds=60),
        sources=("https://core.telegram.org/bots/api#sendmessage",),
    ),
    NetworkRules(
        "pinterest",
        text_max=500,
        title_max=100,
        link=LinkHandling.SEPARATE,
        first_comment=False,
        media=MediaRules(
            max_items=5,
            min_items=1,
            image_types=("image/jpeg", "image/png", "image/webp", "image/tiff", "image/bmp"),
            video_types=MP4_MOV,
            image_max_bytes=20 * MB,
            video_max_bytes=2000 * MB,
            video_min_s=4,
            video_max_s=900,
            alt_max=500,
            single_video=True,
        ),
        sources=(
            "https://developers.pinterest.com/docs/api/v5/pins-create/",
            "https://help.pinterest.com/en/business/article/pinterest-product-specs",
        ),
    ),
    NetworkRules(
        "youtube",
        # The description is limited in UTF-8 bytes, the title in characters.
        text_max=5000,
        counting=Counting.UTF8_BYTES,
        title_max=100,
        title_required=True,
        forbidden="<>",
        media=MediaRules(
            max_items=1,
            min_items=1,
            kinds=frozenset({MediaKind.VIDEO}),
            video_max_s=12 * 3600,
            single_video=True,
        ),
        sources=("https://developers.google.com/youtube/v3/docs/videos#properties",),
    ),
    NetworkRules(
        "facebook",
        text_max=63206,
        sources=("https://www.facebook.com/help/1121019861594651",),
    ),
    NetworkRules(
        "whatsapp",
        text_max=4096,
        caption_max=1024,
        first_comment=False,
        sources=("https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages",),
    ),
    NetworkRules(
        "messenger",
        text_max=2000,
        first_comment=False,
        sources=("https://developers.facebook.com/docs/messenger-platform/reference/send-api/",),
    ),
)

# Alive networks of the catalog whose limits no source we checked states for
# the post types Tribune sends: their text and media are not limited here.
UNCHECKED_NETWORKS = frozenset(
    {
        "snapchat",
        "dailymotion",
        "discourse",
        "slack",
        "trello",
        "asana",
        "teams",
        "tumblr",
        "wordpress",
        "mediawiki",
        "slideshare",
        "scribd",
        "blogger",
    }
)


def rules_for(network: str) -> NetworkRules:
    """Return the rules of `network`; a network with no row has no limits."""
    return NETWORK_RULES.get(network) or NetworkRules(network, text_max=None)
