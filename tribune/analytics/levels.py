"""Followers per network and day, from NetworkDay: shared by the audience chart and the report.

A network's level on a day is the sum of its accounts' last known levels: the
running sum of NetworkDay's followers changes, so an account not read that day
keeps its previous level, however long ago it was read. Days before a network's
first reading are None, not zero. Two queries of at most a few rows per network
and day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Sum

from tribune.workspaces.models import Workspace

from .models import NetworkDay


@dataclass
class FollowerLevels:
    # Per network, its level on each of the days asked for (None before its first reading).
    lines: dict[str, list[int | None]]
    # New followers counted during the period, per network.
    gained: dict[str, int]
    # The level each network began the period with: its last count before the period,
    # plus the first count of each account first read during it.
    starts: dict[str, int]


def follower_levels(workspace: Workspace, days: list[date]) -> FollowerLevels:
    """Levels on `days` (consecutive, in order) for every network read before or during them."""
    own = NetworkDay.objects.filter(workspace=workspace, persona_id=0)
    carried: dict[str, int] = {}  # each network's level before the period
    known: set[str] = set()  # networks with a level read before the period
    for network, change, read in (
        own.filter(day__lt=days[0])
        .values("network")
        .annotate(change=Sum("followers_change"), read=Sum("accounts_read"))
        .values_list("network", "change", "read")
        .order_by()
    ):
        carried[network] = change or 0
        if read:
            known.add(network)
    changes: dict[tuple[str, date], tuple[int, int]] = {}
    gained: dict[str, int] = defaultdict(int)
    starts = dict(carried)
    for day, network, change, read, first, new in own.filter(
        day__range=(days[0], days[-1])
    ).values_list(
        "day", "network", "followers_change", "accounts_read", "first_levels", "new_followers"
    ):
        changes[(network, day)] = (change, read)
        gained[network] += new
        starts[network] = starts.get(network, 0) + first
    lines: dict[str, list[int | None]] = {}
    for network in known | set(gained):
        level, seen, line = carried.get(network, 0), network in known, []
        for day in days:
            change, read = changes.get((network, day), (0, 0))
            level += change
            seen = seen or read > 0
            line.append(level if seen else None)
        lines[network] = line
    return FollowerLevels(lines, dict(gained), starts)
