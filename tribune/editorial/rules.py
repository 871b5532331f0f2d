"""Network rules applied to a variant: `check_variant`, `count_text`, `Problem`.

The limits themselves are the versioned table in `rules_table.py` (re-exported
here). `check_variant` is pure: it reads the variant's fields and its attached
media and returns the problems; it never refuses a save. Approval and
scheduling refuse a variant with problems.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tribune.strategy.catalog import network_name

from .choices import MediaKind
from .counting import Counting, count, hashtags
from .models import MediaAsset, Variant, VariantMedia
from .rules_table import (
    MB,
    NETWORK_RULES,
    RULES_VERSION,
    UNCHECKED_NETWORKS,
    LinkHandling,
    MediaRules,
    NetworkRules,
    rules_for,
)

__all__ = [
    "NETWORK_RULES",
    "RULES_VERSION",
    "UNCHECKED_NETWORKS",
    "LinkHandling",
    "MediaRules",
    "NetworkRules",
    "Problem",
    "check_variant",
    "count_text",
    "rules_for",
]


@dataclass(frozen=True)
class Problem:
    """One broken rule: which field, a stable code, a message saying by how much."""

    field: str
    code: str
    message: str
    limit: int | float | None = None
    actual: int | float | None = None


def count_text(network: str, text: str) -> int:
    """Return the length of `text` as `network` counts it."""
    return count(rules_for(network).counting, text)


def published_text(variant: Variant) -> str:
    """Return the text as it will go out: the text, then missing hashtags, then the link.

    Each part goes on its own line. Hashtags from the variant's list that the
    text does not already carry are appended; the link is appended when the
    network takes links in the text and the text does not already hold it.
    """
    text = variant.text.rstrip()
    present = set(hashtags(text))
    extra = [f"#{t.lstrip('#')}" for t in variant.hashtags if t.lstrip("#").lower() not in present]
    parts = [text] if text else []
    if extra:
        parts.append(" ".join(extra))
    rules = rules_for(variant.network)
    if variant.link and rules.link == LinkHandling.APPENDED and variant.link not in text:
        parts.append(variant.link)
    return "\n".join(parts)


def text_limit(rules: NetworkRules, has_media: bool) -> int | None:
    """Return the text limit in force: the caption limit when media is attached."""
    if has_media and rules.caption_max is not None:
        return rules.caption_max
    return rules.text_max


def counting_label(counting: Counting) -> str:
    """Return how a counting rule counts, in words, for messages and the composer."""
    labels = {
        Counting.CHARACTERS: _("characters"),
        Counting.GRAPHEMES: _("characters as a reader sees them (graphemes)"),
        Counting.X_WEIGHTED: _("weighted characters: each link counts 23, an emoji 2"),
        Counting.MASTODON: _("characters, each link counting 23"),
        Counting.UTF8_BYTES: _("bytes (UTF-8)"),
    }
    return labels[counting]


@lru_cache(maxsize=4)
def _attached_sql(vendor: str) -> str:
    """A variant's media in order, each with its per-network alt text as alt_override."""
    q = connection.ops.quote_name
    columns = ", ".join(f"m.{q(f.column)}" for f in MediaAsset._meta.concrete_fields)
    media, attached = q(MediaAsset._meta.db_table), q(VariantMedia._meta.db_table)
    return (
        f"SELECT {columns}, a.alt_text AS alt_override FROM {attached} a "  # noqa: S608
        f"INNER JOIN {media} m ON m.id = a.media_id WHERE a.variant_id = %s "
        "ORDER BY a.position, a.id"
    )


def attached_media(variant: Variant) -> list[MediaAsset]:
    """Return the variant's media in order; each carries `alt_override`, its per-network alt text.

    Reads a prefetched `variantmedia_set` when there is one, so a list of
    variants checked together costs no query per variant.
    """
    if variant.pk is None:
        return []
    cache = getattr(variant, "_prefetched_objects_cache", {})
    if "variantmedia_set" not in cache:
        # Every publication reads its media here: a statement built once costs less than
        # the ORM's compiling of the same join each time (bench/publishing_profile.py).
        return list(MediaAsset.objects.raw(_attached_sql(connection.vendor), [variant.pk]))
    rows = sorted(cache["variantmedia_set"], key=lambda r: (r.position, r.pk or 0))
    found = []
    for row in rows:
        row.media.alt_override = row.alt_text
        found.append(row.media)
    return found


def check_variant(variant: Variant, media: list[MediaAsset] | None = None) -> list[Problem]:
    """Return every rule of the variant's network that the variant breaks (empty when none).

    `media` defaults to the variant's attached media. An asset's alt text is its
    `alt_override` attribute when set (the per-network alt text), else its own.
    """
    if media is None:
        media = attached_media(variant)
    rules = rules_for(variant.network)
    name = network_name(variant.network)
    problems = _text_problems(variant, rules, name, bool(media))
    problems += _media_problems(media, rules, name)
    return problems


def _over(field: str, code: str, message: str, limit: int, actual: int) -> Problem:
    return Problem(field=field, code=code, message=message, limit=limit, actual=actual)


def _text_problems(
    variant: Variant, rules: NetworkRules, name: str, has_media: bool
) -> list[Problem]:
    problems: list[Problem] = []
    text = published_text(variant)
    limit = text_limit(rules, has_media)
    if limit is not None:
        actual = count(rules.counting, text)
        if actual > limit:
            values = {
                "network": name,
                "limit": limit,
                "actual": actual,
                "over": actual - limit,
                "unit": counting_label(rules.counting),
            }
            if limit == rules.caption_max and has_media:
                code = "caption_too_long"
                message = _(
                    "With media attached, %(network)s allows a caption of %(limit)s %(unit)s; "
                    "this text counts %(actual)s, %(over)s too many."
                )
            else:
                code = "text_too_long"
                message = _(
                    "%(network)s allows %(limit)s %(unit)s; this text counts %(actual)s, "
                    "%(over)s too many."
                )
            problems.append(_over("text", code, message % values, limit, actual))
    tags = hashtags(text)
    if rules.hashtag_max is not None and len(tags) > rules.hashtag_max:
        problems.append(
            _over(
                "hashtags",
                "too_many_hashtags",
                _(
                    "%(network)s allows at most %(limit)s hashtags; this variant has "
                    "%(actual)s, %(over)s too many."
                )
                % {
                    "network": name,
                    "limit": rules.hashtag_max,
                    "actual": len(tags),
                    "over": len(tags) - rules.hashtag_max,
                },
                rules.hashtag_max,
                len(tags),
            )
        )
    mentions = len(variant.mentions)
    if rules.mention_max is not None and mentions > rules.mention_max:
        problems.append(
            _over(
                "mentions",
                "too_many_mentions",
                _(
                    "%(network)s allows at most %(limit)s mentioned accounts; this variant has "
                    "%(actual)s, %(over)s too many."
                )
                % {
                    "network": name,
                    "limit": rules.mention_max,
                    "actual": mentions,
                    "over": mentions - rules.mention_max,
                },
                rules.mention_max,
                mentions,
            )
        )
    problems += _title_problems(variant, rules, name)
    if variant.link and rules.link == LinkHandling.NONE:
        problems.append(
            Problem(
                "link",
                "link_not_supported",
                _(
                    "%(network)s does not make links in posts clickable: remove the link "
                    "and point to it from the profile instead."
                )
                % {"network": name},
            )
        )
    if variant.first_comment.strip() and not rules.first_comment:
        problems.append(
            Problem(
                "first_comment",
                "first_comment_not_supported",
                _("%(network)s has no comments under a post: remove the first comment.")
                % {"network": name},
            )
        )
    return problems


def _title_problems(variant: Variant, rules: NetworkRules, name: str) -> list[Problem]:
    problems: list[Problem] = []
    title = str((variant.options or {}).get("title", "")).strip()
    if rules.title_required and not title:
        problems.append(
            Problem(
                "title",
                "title_missing",
                _("%(network)s needs a title.") % {"network": name},
                limit=rules.title_max,
                actual=0,
            )
        )
    if rules.title_max is not None and count(Counting.CHARACTERS, title) > rules.title_max:
        actual = count(Counting.CHARACTERS, title)
        problems.append(
            _over(
                "title",
                "title_too_long",
                _(
                    "%(network)s allows a title of %(limit)s characters; this one counts "
                    "%(actual)s, %(over)s too many."
                )
                % {
                    "network": name,
                    "limit": rules.title_max,
                    "actual": actual,
                    "over": actual - rules.title_max,
                },
                rules.title_max,
                actual,
            )
        )
    for field_name, value in (("title", title), ("text", variant.text)):
        found = sorted({c for c in value if c in rules.forbidden})
        if found:
            problems.append(
                Problem(
                    field_name,
                    "forbidden_character",
                    _("%(network)s refuses these characters: %(chars)s. Remove them.")
                    % {"network": name, "chars": " ".join(found)},
                    actual=len(found),
                )
            )
    return problems


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}"


def _media_problems(media: Iterable[MediaAsset], rules: NetworkRules, name: str) -> list[Problem]:
    media = list(media)
    limits = rules.media
    problems: list[Problem] = []
    values = {"network": name, "actual": len(media)}
    if len(media) < limits.min_items:
        message = ngettext(
            "%(network)s needs at least %(limit)s media item; this variant has %(actual)s.",
            "%(network)s needs at least %(limit)s media items; this variant has %(actual)s.",
            limits.min_items,
        )
        values["limit"] = limits.min_items
        problems.append(
            _over("media", "media_missing", message % values, limits.min_items, len(media))
        )
    if limits.max_items is not None and len(media) > limits.max_items:
        values |= {"limit": limits.max_items, "over": len(media) - limits.max_items}
        message = _(
            "%(network)s allows at most %(limit)s media items; this variant has %(actual)s, "
            "%(over)s too many."
        )
        problems.append(
            _over("media", "too_many_media", message % values, limits.max_items, len(media))
        )
    videos = [m for m in media if m.kind == MediaKind.VIDEO]
    if limits.single_video and videos and len(media) > 1:
        problems.append(
            _over(
                "media",
                "video_not_alone",
                _("%(network)s takes a video on its own: attach one video and nothing else.")
                % {"network": name},
                1,
                len(media),
            )
        )
    for asset in media:
        problems += _asset_problems(asset, limits, name)
    return problems


def _asset_problems(asset: MediaAsset, limits: MediaRules, name: str) -> list[Problem]:
    problems: list[Problem] = []
    values: dict = {"network": name, "file": asset.original_name}
    is_video = asset.kind == MediaKind.VIDEO
    if asset.kind not in limits.kinds:
        message = (
            _("%(network)s does not take videos (%(file)s).")
            if is_video
            else _("%(network)s does not take images (%(file)s).")
        )
        return [Problem("media", "media_kind_not_supported", message % values)]
    allowed = limits.video_types if is_video else limits.image_types
    if allowed is not None and asset.mime_type not in allowed:
        values |= {"type": asset.mime_type, "allowed": ", ".join(allowed)}
        message = _("%(network)s does not take %(type)s files (%(file)s); it takes %(allowed)s.")
        problems.append(Problem("media", "media_type_not_supported", message % values))
    max_bytes = limits.video_max_bytes if is_video else limits.image_max_bytes
    if max_bytes is not None and asset.size_bytes > max_bytes:
        values |= {"size": _megabytes(asset.size_bytes), "limit": _megabytes(max_bytes)}
        message = _(
            "%(file)s weighs %(size)s MB; %(network)s takes at most %(limit)s MB for this kind."
        )
        problems.append(
            _over("media", "media_too_large", message % values, max_bytes, asset.size_bytes)
        )
    if is_video and asset.duration_s is not None:
        values["duration"] = f"{asset.duration_s:.1f}"
        if limits.video_max_s is not None and asset.duration_s > limits.video_max_s:
            values["limit"] = f"{limits.video_max_s:g}"
            message = _(
                "%(file)s lasts %(duration)s s; %(network)s takes videos of at most %(limit)s s."
            )
            problems.append(
                _over(
                    "media",
                    "video_too_long",
                    message % values,
                    limits.video_max_s,
                    asset.duration_s,
                )
            )
        if limits.video_min_s is not None and asset.duration_s < limits.video_min_s:
            values["limit"] = f"{limits.video_min_s:g}"
            message = _(
                "%(file)s lasts %(duration)s s; %(network)s takes videos of at least %(limit)s s."
            )
            problems.append(
                _over(
                    "media",
                    "video_too_short",
                    message % values,
                    limits.video_min_s,
                    asset.duration_s,
                )
            )
    if asset.width and asset.height and (limits.min_ratio or limits.max_ratio):
        ratio = asset.width / asset.height
        low, high = limits.min_ratio or 0.0, limits.max_ratio or float("inf")
        if not low <= ratio <= high:
            values |= {"ratio": f"{ratio:.2f}", "low": f"{low:.2f}", "high": f"{high:.2f}"}
            message = _(
                "%(file)s has a width/height ratio of %(ratio)s; %(network)s takes ratios "
                "from %(low)s to %(high)s."
            )
            limit = high if ratio > high else low
            problems.append(_over("media", "aspect_ratio", message % values, limit, ratio))
    alt = (getattr(asset, "alt_override", "") or asset.alt_text or "").strip()
    if not alt:
        message = _(
            "%(file)s has no alternative text: people who use a screen reader would miss it."
        )
        problems.append(Problem("alt_text", "alt_text_missing", message % values))
    elif limits.alt_max is not None and len(alt) > limits.alt_max:
        values |= {"limit": limits.alt_max, "actual": len(alt), "over": len(alt) - limits.alt_max}
        message = _(
            "The alternative text of %(file)s counts %(actual)s characters; %(network)s allows "
            "%(limit)s, %(over)s too many."
        )
        problems.append(
            _over("alt_text", "alt_text_too_long", message % values, limits.alt_max, len(alt))
        )
    return problems
