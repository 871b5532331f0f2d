"""The calendar's data: posts in a date range as events, their colours, and the queue allocator.

Reads only; the writes (moving a post, queue slots) live in actions_calendar.py.
The feed costs a fixed number of queries whatever the number of posts: one for
the posts with their pillar, persona and author, one for their variants' networks,
one for the networks the workspace uses (colours).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tribune.strategy.catalog import network_name
from tribune.strategy.models import NetworkChoice
from tribune.workspaces.actions import Access, workspace_version
from tribune.workspaces.models import Workspace
from tribune.workspaces.roles import Action

from . import timezones
from .choices import PostState
from .models import Post, QueueSlot, Variant

# Dark enough for white text at WCAG AA (4.5:1) on every entry.
NETWORK_PALETTE = (
    "#1f4fd1",
    "#a4161a",
    "#1b6b35",
    "#7a4b00",
    "#6a1b9a",
    "#00695c",
    "#ad1457",
    "#37474f",
    "#4527a0",
    "#8d3b00",
    "#2e5e10",
    "#005f87",
)
SEVERAL_NETWORKS = "#1d2330"
NO_PILLAR = "#4a5263"
# How far ahead "add to queue" looks for a free slot.
QUEUE_HORIZON_DAYS = 84


@dataclass(frozen=True)
class Filters:
    """What the calendar shows; empty tuples mean "no restriction"."""

    networks: tuple[str, ...] = ()
    personas: tuple[int, ...] = ()
    pillars: tuple[int, ...] = ()
    formats: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    authors: tuple[int, ...] = ()


@dataclass(frozen=True)
class LegendEntry:
    label: str
    background: str
    text: str


@dataclass
class Colours:
    """How events are coloured, and the legend that explains it."""

    by: str  # "network" or "pillar"
    networks: dict[str, str] = field(default_factory=dict)
    legend: list[LegendEntry] = field(default_factory=list)


@functools.cache
def text_colour(background: str) -> str:
    """Return black or white, whichever contrasts more with a #rrggbb background."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    raw = background.lstrip("#")
    if len(raw) != 6:
        return "#ffffff"
    r, g, b = (channel(raw[i : i + 2]) for i in (0, 2, 4))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # Contrast with white is 1.05 / (L + 0.05); with black (L + 0.05) / 0.05.
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def workspace_networks(workspace: Workspace) -> list[str]:
    """Return the networks the workspace chose or has posts on, in a stable order.

    Finding the networks posts use reads every variant of the workspace, so the
    answer is cached until the workspace next changes (see workspace_version).
    """
    # Kept on the instance too: the filter form and the colours ask in one request.
    found = getattr(workspace, "_calendar_networks", None)
    if found is None:
        key = f"calendar-networks:{workspace.pk}:{workspace_version(workspace)}"
        found = cache.get(key)
        if found is None:
            found = _workspace_networks(workspace)
            cache.set(key, found, 300)
        workspace._calendar_networks = found
    return found


def _workspace_networks(workspace: Workspace) -> list[str]:
    chosen = set(
        NetworkChoice.objects.filter(workspace=workspace).values_list("network", flat=True)
    )
    used = set(
        Variant.objects.filter(post__workspace=workspace)
        .values_list("network", flat=True)
        .distinct()
    )
    return sorted(chosen | used, key=lambda key: network_name(key).lower())


def colours(workspace: Workspace, by: str) -> Colours:
    """Return the colour scheme for `by` ("network" or "pillar") with its legend."""
    if by == "pillar":
        result = Colours(by="pillar")
        for pillar in workspace.pillars.all():
            result.legend.append(
                LegendEntry(pillar.name, pillar.colour, text_colour(pillar.colour))
            )
        result.legend.append(LegendEntry(_("No content pillar"), NO_PILLAR, "#ffffff"))
        return result
    result = Colours(by="network")
    for index, key in enumerate(workspace_networks(workspace)):
        colour = NETWORK_PALETTE[index % len(NETWORK_PALETTE)]
        result.networks[key] = colour
        result.legend.append(LegendEntry(network_name(key), colour, "#ffffff"))
    result.legend.append(LegendEntry(_("Several networks"), SEVERAL_NETWORKS, "#ffffff"))
    return result


def filtered_posts(
    workspace: Workspace, start: datetime, end: datetime, filters: Filters
) -> QuerySet:
    """Return the workspace's posts timed in [start, end), filtered as the calendar asks."""
    posts = Post.objects.filter(workspace=workspace, scheduled_at__gte=start, scheduled_at__lt=end)
    if filters.networks:
        on_network = Variant.objects.filter(post=OuterRef("pk"), network__in=filters.networks)
        posts = posts.filter(Exists(on_network))
    if filters.personas:
        posts = posts.filter(persona__in=filters.personas)
    if filters.pillars:
        posts = posts.filter(pillar__in=filters.pillars)
    if filters.formats:
        posts = posts.filter(format__in=filters.formats)
    if filters.states:
        posts = posts.filter(state__in=filters.states)
    if filters.authors:
        posts = posts.filter(author__in=filters.authors)
    return posts


def posts_between(
    workspace: Workspace, start: datetime, end: datetime, filters: Filters
) -> QuerySet:
    """Return the filtered posts as objects, with their pillar, persona, author and networks."""
    variants = Variant.objects.only("id", "post_id", "network")
    return (
        filtered_posts(workspace, start, end, filters)
        .select_related("pillar", "persona", "author")
        .prefetch_related(Prefetch("variants", variants, to_attr="variant_list"))
    )


def can_move(access: Access, post: Post, networks: list[str]) -> bool:
    """Return True when the member may change this post's time (see do_reschedule)."""
    return _can_move(access, post.state, tuple(networks))


def _can_move(access: Access, state: str, networks: tuple[str, ...]) -> bool:
    if state == PostState.SCHEDULED:
        return bool(networks) and all(access.can(Action.PUBLISH, n) for n in networks)
    return access.can(Action.WRITE_POSTS)


def _detail_url(slug: str, post_id: int) -> str:
    try:
        return reverse("post-detail", args=[slug, post_id])
    except NoReverseMatch:  # the composer's pages are another area's; the feed works without
        return ""


def event_title(post: Post, networks: list[str]) -> str:
    """Return the text an event shows: state first, so colour is never the only information."""
    names = ", ".join(network_name(n) for n in networks) or _("no network yet")
    return f"[{post.get_state_display()}] {post.title} · {names}"


FEED_FIELDS = (
    "pk", "title", "state", "scheduled_at", "pillar__name", "pillar__colour",
    "persona__name", "author__username",
)  # fmt: skip


def feed(
    access: Access, start: datetime, end: datetime, filters: Filters, colour_by: str
) -> list[dict]:
    """Return FullCalendar events for posts timed in [start, end), in the workspace's zone.

    Times are wall-clock times without offset: the calendar runs in the
    workspace's named zone, so FullCalendar places them as given.

    A month can hold thousands of posts, so the feed reads plain rows (two
    queries) and works out once what many events share: state labels, network
    names, colours, permissions, offsets, the detail URL's shape.
    """
    workspace = access.workspace
    tz = timezones.zone(workspace.time_zone)
    scheme = colours(workspace, colour_by)
    posts = filtered_posts(workspace, start, end, filters)
    networks_of: dict[int, list[str]] = {}
    rows = Variant.objects.filter(post__in=posts.values("pk")).order_by("network")
    for post_id, network in rows.values_list("post_id", "network"):
        networks_of.setdefault(post_id, []).append(network)
    states = {value: str(label) for value, label in PostState.choices}
    no_network = _("no network yet")
    # "/w/<slug>/posts/0/" -> "/w/<slug>/posts": each event appends "/<id>/".
    url_shape = _detail_url(workspace.slug, 0)
    url_prefix = url_shape[: url_shape.rindex("/0/")] if url_shape else ""
    names: dict[tuple[str, ...], str] = {}
    movable: dict[tuple[str, tuple[str, ...]], bool] = {}
    offsets: dict[timedelta | None, str] = {}
    events = []
    for row in posts.values(*FEED_FIELDS).order_by("scheduled_at", "pk"):
        networks = tuple(networks_of.get(row["pk"], ()))
        if colour_by == "pillar":
            background = row["pillar__colour"] or NO_PILLAR
        elif len(networks) == 1:
            background = scheme.networks.get(networks[0], SEVERAL_NETWORKS)
        else:
            background = SEVERAL_NETWORKS
        if networks not in names:
            names[networks] = ", ".join(network_name(n) for n in networks) or no_network
        key = (row["state"], networks)
        if key not in movable:
            movable[key] = _can_move(access, *key)
        local = row["scheduled_at"].astimezone(tz)
        offset = local.utcoffset()
        if offset not in offsets:
            offsets[offset] = timezones.offset_label(local)
        label = states.get(row["state"], row["state"])
        events.append(
            {
                "id": str(row["pk"]),
                "title": f"[{label}] {row['title']} · {names[networks]}",
                # "YYYY-MM-DDTHH:MM" without the offset: the calendar runs in the zone.
                "start": local.isoformat(timespec="minutes")[:16],
                "allDay": False,
                "backgroundColor": background,
                "borderColor": background,
                "textColor": text_colour(background),
                "editable": movable[key],
                "url": f"{url_prefix}/{row['pk']}/" if url_prefix else "",
                "extendedProps": {
                    "state": row["state"],
                    "stateLabel": label,
                    "networks": list(networks),
                    "pillar": row["pillar__name"] or "",
                    "persona": row["persona__name"] or "",
                    "author": row["author__username"] or "",
                    "offset": offsets[offset],
                    "canMove": movable[key],
                },
            }
        )
    return events


def slot_times(
    workspace: Workspace, networks: list[str], after: datetime, days: int = QUEUE_HORIZON_DAYS
) -> Iterator[datetime]:
    """Yield the UTC instants of the networks' queue slots after `after`, earliest first.

    Slots keep their wall-clock time across daylight-saving changes (09:30 stays
    09:30 local, so its UTC instant moves by an hour). A slot whose time the
    clocks skip that day is left out; one that happens twice fires once, at the
    earlier instant.
    """
    slots = list(
        QueueSlot.objects.filter(workspace=workspace, network__in=networks).values_list(
            "weekday", "time"
        )
    )
    if not slots:
        return
    tz = timezones.zone(workspace.time_zone)
    first_day: date = after.astimezone(tz).date()
    for offset in range(days + 1):
        day = first_day + timedelta(days=offset)
        times = sorted({t for weekday, t in slots if weekday == day.weekday()})
        for at in times:
            found = timezones.occurrences(datetime.combine(day, at), tz)
            if not found:
                continue
            moment = found[0].astimezone(UTC)
            if moment > after:
                yield moment


def free_slot_times(
    workspace: Workspace,
    networks: list[str],
    after: datetime,
    exclude_post: Post | None = None,
) -> Iterator[datetime]:
    """Yield slot instants after `after` where no other post is timed on any of `networks`."""
    horizon = after + timedelta(days=QUEUE_HORIZON_DAYS + 2)
    taken_qs = Post.objects.filter(
        workspace=workspace,
        scheduled_at__gt=after,
        scheduled_at__lte=horizon,
        variants__network__in=networks,
    )
    if exclude_post is not None:
        taken_qs = taken_qs.exclude(pk=exclude_post.pk)
    taken = set(taken_qs.values_list("scheduled_at", flat=True))
    for moment in slot_times(workspace, networks, after):
        if moment not in taken:
            yield moment


def next_free_slot(workspace: Workspace, network: str, after: datetime) -> datetime | None:
    """Return the first queue slot of `network` after `after` with no post on it, or None.

    None means the network has no slots, or every slot in the next
    QUEUE_HORIZON_DAYS days is taken.
    """
    return next(free_slot_times(workspace, [network], after), None)
