"""What goes out: a variant turned into the connector's PostDraft.

The text is the variant's published text with its link tagged (and
shortened when the workspace says so); media files are read from storage.
"""

from __future__ import annotations

from tribune.editorial.actions import editorial_settings
from tribune.editorial.links import outgoing_link
from tribune.editorial.models import EditorialSettings, Variant
from tribune.editorial.rules import attached_media, published_text
from tribune.networks.base import MediaItem, PostDraft, RemoteRef


class MediaUnreadable(Exception):
    """A media file of the variant is missing from storage."""


def _media(variant: Variant) -> tuple[MediaItem, ...]:
    if getattr(variant, "has_media", True) is False:  # read with the variant (engine)
        return ()
    items = []
    for asset in attached_media(variant):
        try:
            with asset.file.open("rb") as fp:
                content = fp.read()
        except OSError as exc:
            raise MediaUnreadable(asset.original_name) from exc
        items.append(
            MediaItem(
                content=content,
                mime_type=asset.mime_type,
                alt_text=asset.alt_override or asset.alt_text,
                file_name=asset.original_name,
            )
        )
    return tuple(items)


def thread_parts(variant: Variant) -> list[str]:
    """The parts of a thread after the first post (variant.options["thread"]), non-empty only."""
    parts = (variant.options or {}).get("thread") or []
    return [str(p).strip() for p in parts if str(p).strip()] if isinstance(parts, list) else []


def _editorial_settings(workspace) -> EditorialSettings:
    try:  # read with the variant by the engine (select_related): no query of its own
        return workspace.editorial_settings
    except EditorialSettings.DoesNotExist:  # a workspace that never opened its settings
        return editorial_settings(workspace)


def build_draft(variant: Variant) -> PostDraft:
    settings = _editorial_settings(variant.post.workspace)
    link = outgoing_link(variant, settings)
    text = published_text(variant)
    if link and variant.link:
        text = text.replace(variant.link, link)
    options = dict(variant.options or {})
    # Tribune's own options, not the network's: the thread's next parts, skipped accounts.
    options.pop("thread", None)
    options.pop("skip_accounts", None)
    return PostDraft(
        text=text,
        link=link,
        title=str(options.get("title") or variant.post.title),
        media=_media(variant),
        options=options,
    )


def part_draft(text: str, parent: RemoteRef, root: RemoteRef) -> PostDraft:
    return PostDraft(text=text, reply_to=parent, thread_root=root)
