"""What the composer shows for one variant: its count against the limit, its problems, its preview.

Computed from an unsaved or saved Variant with `rules`, so the live check
(htmx, as the person types), the composer page and the post page agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tribune.strategy.catalog import network_name

from .counting import count
from .models import MediaAsset, Variant
from .rules import (
    LinkHandling,
    Problem,
    attached_media,
    check_variant,
    counting_label,
    published_text,
    rules_for,
    text_limit,
)


@dataclass(frozen=True)
class VariantStatus:
    network: str
    network_label: str
    count: int
    limit: int | None
    unit: str
    limit_name: str  # "text" or "caption"
    problems: list[Problem]
    text: str  # as published: with appended hashtags and link
    title: str
    link: str
    link_shown: bool  # False where the network shows no link (Instagram)
    media: list[MediaAsset]

    @property
    def over(self) -> int:
        return max(0, self.count - self.limit) if self.limit is not None else 0

    @property
    def remaining(self) -> int | None:
        return self.limit - self.count if self.limit is not None else None


def variant_status(variant: Variant, media: list[MediaAsset] | None = None) -> VariantStatus:
    """Return the count, problems and preview data of `variant` (media: attached if None)."""
    if media is None:
        media = attached_media(variant)
    rules = rules_for(variant.network)
    limit = text_limit(rules, bool(media))
    text = published_text(variant)
    return VariantStatus(
        network=variant.network,
        network_label=network_name(variant.network),
        count=count(rules.counting, text),
        limit=limit,
        unit=counting_label(rules.counting),
        limit_name=_("caption") if limit is not None and limit == rules.caption_max else _("text"),
        problems=check_variant(variant, media),
        text=text,
        title=str((variant.options or {}).get("title", "")) if rules.title_max else "",
        link=variant.link if rules.link == LinkHandling.SEPARATE else "",
        link_shown=rules.link != LinkHandling.NONE,
        media=media,
    )
