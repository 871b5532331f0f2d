"""The calendar as CSV (Tribune's import format, so a file goes back in) or JSON.

Both are generators: the view streams them, so a range of several years is
sent while it is read, in chunks, without holding every post in memory.
"""

from __future__ import annotations

import csv
import io
import json
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet

from tribune.workspaces.models import Workspace

from .models import Post, Variant

CHUNK = 2000
# A longer range is refused: five years of posts is already a very large file.
MAX_DAYS = 5 * 366
# Columns a spreadsheet would run as a formula if a cell started with them.
_FORMULA_START = ("=",)


def posts_between(workspace: Workspace, start: date, end: date) -> QuerySet[Post]:
    """Return the workspace's posts planned from `start` to `end` (both included, local days)."""
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end + timedelta(days=1), time.min, zone)
    return (
        Post.objects.filter(workspace=workspace, scheduled_at__gte=since, scheduled_at__lt=until)
        .select_related("persona", "pillar")
        .prefetch_related(
            "objectives", Prefetch("variants", queryset=Variant.objects.order_by("network"))
        )
        .order_by("scheduled_at", "id")
    )


def _local(value: datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""


def _cell(value: str) -> str:
    # A leading quote makes a spreadsheet show the text instead of running it;
    # the importer removes it again.
    return "'" + value if value.startswith(_FORMULA_START) else value


class _Line(io.StringIO):
    """A write-only buffer csv.writer writes one row into, read back at once."""

    def pop(self) -> str:
        value = self.getvalue()
        self.seek(0)
        self.truncate()
        return value


def csv_lines(workspace: Workspace, start: date, end: date) -> Iterator[str]:
    """Yield the CSV file line by line: a header, then one row per post."""
    queryset = posts_between(workspace, start, end)
    networks = sorted(
        set(
            Variant.objects.filter(post__in=queryset.values("pk")).values_list("network", flat=True)
        )
    )
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    buffer = _Line()
    writer = csv.writer(buffer)
    header = [
        "id",
        "state",
        "date",
        "title",
        "text",
        "networks",
        "link",
        "first_comment",
        "persona",
        "pillar",
        "objectives",
        "format",
        "tags",
        *(f"text:{n}" for n in networks),
    ]
    writer.writerow(header)
    yield buffer.pop()
    for post in queryset.iterator(chunk_size=CHUNK):
        variants = list(post.variants.all())
        first = variants[0] if variants else None
        texts = {v.network: v.text for v in variants}
        writer.writerow(
            [
                post.pk,
                post.state,
                _local(post.scheduled_at, zone),
                _cell(post.title),
                _cell(post.body),
                ", ".join(texts),
                first.link if first else "",
                _cell(first.first_comment) if first else "",
                post.persona.name if post.persona else "",
                post.pillar.name if post.pillar else "",
                " | ".join(o.title for o in post.objectives.all()),
                post.format,
                ", ".join(post.tags),
                # A network's own text only where it differs from the master text.
                *(
                    _cell(texts[n]) if texts.get(n, post.body) != post.body else ""
                    for n in networks
                ),
            ]
        )
        yield buffer.pop()


def post_document(post: Post, zone: zoneinfo.ZoneInfo) -> dict:
    """Return one post as a JSON-ready dict, times in UTC and in the workspace's zone."""
    return {
        "id": post.pk,
        "title": post.title,
        "body": post.body,
        "state": post.state,
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "scheduled_local": _local(post.scheduled_at, zone) or None,
        "persona": post.persona.name if post.persona else None,
        "pillar": post.pillar.name if post.pillar else None,
        "objectives": [o.title for o in post.objectives.all()],
        "format": post.format,
        "tags": post.tags,
        "variants": [
            {
                "network": v.network,
                "text": v.text,
                "link": v.link,
                "first_comment": v.first_comment,
                "hashtags": v.hashtags,
                "mentions": v.mentions,
                "options": v.options,
            }
            for v in post.variants.all()
        ],
    }


def json_chunks(workspace: Workspace, start: date, end: date) -> Iterator[str]:
    """Yield a JSON document {"workspace", "time_zone", "start", "end", "posts": [...]} in parts."""
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    head = {
        "workspace": workspace.slug,
        "time_zone": workspace.time_zone,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    yield json.dumps(head)[:-1] + ', "posts": ['
    posts: Iterable[Post] = posts_between(workspace, start, end).iterator(chunk_size=CHUNK)
    for index, post in enumerate(posts):
        yield ("," if index else "") + json.dumps(post_document(post, zone), ensure_ascii=False)
    yield "]}\n"
