"""Wall-clock time in a workspace's zone ↔ UTC, with daylight-saving transitions made explicit.

A team schedules in its workspace's zone; the database stores UTC. Twice a year
the wall clock misbehaves: in spring an hour is skipped (02:30 on the last
Sunday of March does not exist in Europe/Paris), in autumn an hour repeats
(02:30 on the last Sunday of October happens twice). Python's zoneinfo silently
picks an answer in both cases; these functions refuse the first and make the
caller choose the second (`fold=0` is the earlier instant, `fold=1` the later).
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _


def zone(name: str) -> zoneinfo.ZoneInfo:
    """Return the ZoneInfo for an IANA name; ValidationError when the name is unknown."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(_("Unknown time zone: %(name)s.") % {"name": name}) from error


def _naive(local: datetime) -> datetime:
    return local.replace(tzinfo=None, fold=0)


def exists(local: datetime, tz: zoneinfo.ZoneInfo) -> bool:
    """Return False when the wall-clock time falls in a spring-forward gap."""
    aware = _naive(local).replace(tzinfo=tz)
    # A time in the gap does not survive a round trip through UTC.
    return _naive(aware.astimezone(UTC).astimezone(tz)) == _naive(local)


def is_ambiguous(local: datetime, tz: zoneinfo.ZoneInfo) -> bool:
    """Return True when the wall-clock time happens twice (autumn fall-back)."""
    naive = _naive(local)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    return exists(naive, tz) and first.utcoffset() != second.utcoffset()


def offset_label(moment: datetime) -> str:
    """Return an aware datetime's UTC offset as "UTC+02:00"."""
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def occurrences(local: datetime, tz: zoneinfo.ZoneInfo) -> list[datetime]:
    """Return the aware instants a wall-clock time names: none, one, or two (earlier first)."""
    naive = _naive(local)
    if not exists(naive, tz):
        return []
    if is_ambiguous(naive, tz):
        return [naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)]
    return [naive.replace(tzinfo=tz)]


def _when_text(local: datetime) -> str:
    return formats.date_format(_naive(local), "DATETIME_FORMAT")


def to_utc(local: datetime, tz: zoneinfo.ZoneInfo, fold: int | None = None) -> datetime:
    """Return the UTC instant of a wall-clock time in `tz`.

    Raises ValidationError (code "nonexistent") when the clocks skip that time,
    and (code "ambiguous") when it happens twice and `fold` is None; `fold=0`
    picks the earlier instant (still on summer time), `fold=1` the later one.
    """
    found = occurrences(local, tz)
    if not found:
        raise ValidationError(
            _(
                "%(when)s does not exist in %(zone)s: the clocks skip that hour for "
                "daylight saving time. Choose a time outside the skipped hour."
            )
            % {"when": _when_text(local), "zone": tz.key},
            code="nonexistent",
        )
    if len(found) == 2:
        if fold is None:
            raise ValidationError(
                _(
                    "%(when)s happens twice in %(zone)s because the clocks go back: "
                    "first at %(first)s, then at %(second)s. Say which one you mean."
                )
                % {
                    "when": _when_text(local),
                    "zone": tz.key,
                    "first": offset_label(found[0]),
                    "second": offset_label(found[1]),
                },
                code="ambiguous",
            )
        return found[1 if fold else 0].astimezone(UTC)
    return found[0].astimezone(UTC)


def to_local(moment: datetime, tz: zoneinfo.ZoneInfo) -> datetime:
    """Return an aware instant as an aware wall-clock time in `tz` (fold set as needed)."""
    return moment.astimezone(tz)


def wall_clock_text(moment: datetime, tz: zoneinfo.ZoneInfo) -> str:
    """Return "26/10/2025 02:30 (UTC+01:00)"-style text: the offset removes any doubt."""
    local = moment.astimezone(tz)
    return f"{_when_text(local)} ({offset_label(local)})"


def combine(day: date, at: time, tz: zoneinfo.ZoneInfo, fold: int | None = None) -> datetime:
    """Return the UTC instant of `at` on `day` in `tz`; same errors as `to_utc`."""
    return to_utc(datetime.combine(day, at), tz, fold)
