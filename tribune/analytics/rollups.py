"""Ingesting metric readings: raw snapshots, the latest totals, and the daily rollups.

What one reading does (docs/analytics.md, "Rollups", says it for people):
- It is stored as a Snapshot (the network's own names in `raw`).
- A published target's reading is compared with the target's latest totals
  (TargetTotals): the difference of each post counter is added to the
  DailyRollup of the reading's day, in the WORKSPACE's time zone, for the
  target's account, persona, pillar and format. The first reading of a target
  is compared with zero (a post starts with nothing) and also counts the post
  once, on its publication day.
- An account's reading (target None) sets the day's `followers` to the level
  read (the last reading of the day wins) and adds the rise since the previous
  reading to `new_followers`. The first reading of an account has no previous
  one: it sets the level and adds no new followers.
- Differences may be negative (an unlike, an unfollow): then the sum of a
  target's days always equals its latest totals, and a day shows what really
  happened to the counter.
- A metric the reading does not give (None) adds nothing and leaves the
  stored value as it was.
- `engagements`: the network's own total, else likes + comments + shares +
  saves + clicks of the reading (vocabulary.engagements), computed here so the
  difference of the total is the total of the differences.
- A reading older than the stored latest is kept as a snapshot but moves no
  total and no rollup backwards (its change is already inside the later
  reading's difference). A reading of the same target (or account) at the same
  instant as one already stored is a duplicate: skipped, not stored.
- Account readings carry the followers level only into rollups; any other
  counter of an account would count its posts' activity twice.

Speed: readings go in batches of BATCH with a fixed number of queries each
(the latest totals of every target of the batch in one query, the snapshots in
one COPY on PostgreSQL, streamed while the readings are folded, or one
executemany on SQLite, one upsert statement per table). On PostgreSQL a
transaction-scoped advisory lock per account keeps two ingestions of the same
account from computing differences from the same base; SQLite serialises
writers already (IMMEDIATE transactions).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from zoneinfo import ZoneInfo

import psycopg
from django.db import connection, transaction
from django.db.models import Model

from tribune.editorial.timezones import zone
from tribune.networks.models import Account
from tribune.publishing.models import Target
from tribune.workspaces.models import Workspace

from .models import (
    AccountLatest,
    AnalyticsSettings,
    BestTimeCell,
    DailyRollup,
    NetworkDay,
    Snapshot,
    TargetTotals,
)
from .vocabulary import FIELDS, POST_COUNTERS, Metric

BATCH = 5000
# PostgreSQL upserts of more rows than this go through a COPY into a staging table.
COPIED_FROM = 50
COUNTERS = tuple(m.value for m in POST_COUNTERS)
FOLLOWERS = Metric.FOLLOWERS.value
NEW_FOLLOWERS = Metric.NEW_FOLLOWERS.value
ENGAGEMENT_PARTS = frozenset({"likes", "comments", "shares", "saves", "clicks"})
FIELD_NAMES = frozenset(FIELDS)
DEFAULT_RETENTION_DAYS = 90
# Namespace of the advisory locks taken per account while ingesting (any int4).
LOCK_CLASS = 1_414_678_850

SNAPSHOT_COLUMNS = ("workspace_id", "account_id", "target_id", "taken_at", "raw", *FIELDS)
TOTALS_GROUPING = ("workspace_id", "account_id", "network", "post_id", "persona_id",
                   "pillar_id", "format", "published_at", "weekday", "hour")  # fmt: skip
TOTALS_COLUMNS = ("target_id", *TOTALS_GROUPING, "taken_at", *FIELDS)
LATEST_COLUMNS = ("account_id", "workspace_id", "taken_at", "first_level_on", "level_on", *FIELDS)
ROLLUP_KEY = ("workspace_id", "day", "account_id", "persona_id", "pillar_id", "format")
ROLLUP_COLUMNS = (*ROLLUP_KEY, "network", "posts", *FIELDS)
NETWORK_DAY_KEY = ("workspace_id", "day", "network", "persona_id")
AUDIENCE = ("accounts_read", "followers_change", "first_levels")
NETWORK_DAY_SUMS = ("posts", *COUNTERS, NEW_FOLLOWERS, *AUDIENCE)
NETWORK_DAY_COLUMNS = (*NETWORK_DAY_KEY, *NETWORK_DAY_SUMS)
CELL_KEY = ("workspace_id", "network", "weekday", "hour")
CELL_COLUMNS = (*CELL_KEY, "posts", "engagements")


@dataclass(frozen=True)
class Reading:
    """One reading of a target's counters (or, with target_id None, of an account's)."""

    workspace_id: int
    account_id: int
    target_id: int | None
    taken_at: datetime  # aware
    values: dict[str, int | None]  # Tribune's vocabulary
    raw: dict = field(default_factory=dict)  # the network's own names


def ingest(readings: Sequence[Reading]) -> int:
    """Store the readings and fold them into totals and rollups; return the snapshots stored.

    Raises ValueError for a value outside the vocabulary or a naive taken_at,
    before anything is written.
    """
    for reading in readings:
        _check(reading)
    ordered = sorted(readings, key=lambda r: r.taken_at)
    stored = 0
    zones: dict[int, ZoneInfo] = {}
    with transaction.atomic():
        for start in range(0, len(ordered), BATCH):
            stored += _Batch(ordered[start : start + BATCH], zones).run()
    return stored


def prune(now: datetime) -> int:
    """Delete raw snapshots older than each workspace's retention; return how many went.

    Rollups and latest totals are never touched: they hold all a page needs.
    Walks the (account, taken_at) index account by account: snapshots keep no
    index on time alone, which every ingested row would pay for.
    """
    retention = dict(AnalyticsSettings.objects.values_list("workspace_id", "raw_retention_days"))
    deleted = 0
    accounts = Account.objects.values_list("pk", "workspace_id").order_by("pk")
    for account_id, workspace_id in accounts:
        days = retention.get(workspace_id, DEFAULT_RETENTION_DAYS)
        gone, _ = Snapshot.objects.filter(
            account_id=account_id, taken_at__lt=now - timedelta(days=days)
        ).delete()
        deleted += gone
    return deleted


def rebuild_network_days(workspace_id: int) -> None:
    """Compute a workspace's NetworkDay rows again from its DailyRollup rows.

    What ingestion keeps incrementally, in two statements: the counters added
    up per network and persona; then each account's day-end levels (rows with
    followers above 0, as the rollups hold them) turned into changes from the
    account's previous level day.
    """
    q = connection.ops.quote_name
    table, rollup = q(NetworkDay._meta.db_table), q(DailyRollup._meta.db_table)
    sums = ("posts", *COUNTERS, NEW_FOLLOWERS)
    names = ", ".join(q(c) for c in (*NETWORK_DAY_KEY, *sums))
    totals = ", ".join(f"SUM({q(c)})" for c in sums)
    audience = ", ".join(q(c) for c in AUDIENCE)
    updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in AUDIENCE)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [workspace_id])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} ({names}, {audience}) "  # noqa: S608
            f"SELECT workspace_id, day, network, persona_id, {totals}, 0, 0, 0 FROM {rollup} "
            "WHERE workspace_id = %s GROUP BY workspace_id, day, network, persona_id",
            [workspace_id],
        )
        cursor.execute(
            f"INSERT INTO {table} ({names}, {audience}) "  # noqa: S608
            f"SELECT %s, day, network, 0, {', '.join(['0'] * len(sums))}, COUNT(*), "
            "SUM(level - COALESCE(previous, 0)), "
            "SUM(CASE WHEN previous IS NULL THEN level ELSE 0 END) "
            "FROM (SELECT day, network, level, "
            "LAG(level) OVER (PARTITION BY account_id ORDER BY day) AS previous "
            f"FROM (SELECT account_id, network, day, MAX(followers) AS level FROM {rollup} "
            "WHERE workspace_id = %s AND followers > 0 GROUP BY account_id, network, day) "
            "AS levels) AS changes "
            f"GROUP BY day, network ON CONFLICT ({', '.join(NETWORK_DAY_KEY)}) "
            f"DO UPDATE SET {updates}",
            [workspace_id, workspace_id],
        )


def rebuild_best_time(workspace_id: int) -> None:
    """Compute a workspace's BestTimeCell rows again from its TargetTotals rows.

    A target's engagements: the network's total, else the sum of its parts (as
    dashboards.engagement_expression reads them).
    """
    q = connection.ops.quote_name
    table, totals = q(BestTimeCell._meta.db_table), q(TargetTotals._meta.db_table)
    parts = " + ".join(f"COALESCE({q(p)}, 0)" for p in sorted(ENGAGEMENT_PARTS))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [workspace_id])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(CELL_COLUMNS)}) "  # noqa: S608
            f"SELECT workspace_id, network, weekday, hour, COUNT(*), "
            f"SUM(COALESCE(engagements, {parts})) FROM {totals} WHERE workspace_id = %s "
            "GROUP BY workspace_id, network, weekday, hour",
            [workspace_id],
        )


def _check(reading: Reading) -> None:
    unknown = reading.values.keys() - FIELD_NAMES
    if unknown:
        raise ValueError(f"not in the vocabulary: {sorted(unknown)}")
    if reading.taken_at.tzinfo is None:
        raise ValueError("taken_at must be aware")


def _normalised(values: dict[str, int | None]) -> dict[str, int | None]:
    out = dict.fromkeys(FIELDS)
    given = False
    for name, value in values.items():
        if value is not None:
            out[name] = int(value)
            given = given or name in ENGAGEMENT_PARTS
    if given and out["engagements"] is None:
        # vocabulary.engagements(out), spelled out: this runs for every reading ingested.
        out["engagements"] = (
            (out["likes"] or 0)
            + (out["comments"] or 0)
            + (out["shares"] or 0)
            + (out["saves"] or 0)
            + (out["clicks"] or 0)
        )
    return out


class _Batch:
    """One batch of readings, sorted by time: loads, computes in memory, writes."""

    def __init__(self, readings: Sequence[Reading], zones: dict[int, ZoneInfo]):
        self.readings = readings
        self.zones = zones
        self.totals: dict[int, dict] = {}  # target id -> TargetTotals columns
        self.latest: dict[int, dict] = {}  # account id -> AccountLatest columns
        self.networks: dict[int, str] = {}  # account id -> network, for account readings
        self.changed_totals: set[int] = set()
        self.changed_latest: set[int] = set()
        self.post_rows: dict[tuple, dict] = {}
        self.account_rows: dict[tuple, dict] = {}
        # (workspace, day, network) -> [accounts read, followers change, first levels]
        self.audience: dict[tuple, list[int]] = {}
        # (workspace, network, weekday, hour) -> [posts, change of engagements]
        self.cells: dict[tuple, list[int]] = {}
        self.stored = 0

    def run(self) -> int:
        self._load()
        readings = self._unique()  # its queries run before the snapshots' COPY opens
        # The snapshots stream to the database while the readings are folded: on
        # PostgreSQL the server stores them on one core as Python folds on the other.
        with _snapshot_writer() as store:
            for reading in readings:
                values = _normalised(reading.values)
                if reading.target_id is None and reading.account_id in self.networks:
                    self._account_reading(reading, values)
                elif reading.target_id in self.totals:
                    self._target_reading(reading, values)
                else:
                    continue  # the target or account is gone: nothing to attach the reading to
                store(_snapshot_row(reading, values))
                self.stored += 1
        self._write()
        return self.stored

    # -- loading -----------------------------------------------------------------------

    def _load(self) -> None:
        readings = self.readings
        missing = {r.workspace_id for r in readings} - set(self.zones)
        for pk, name in Workspace.objects.filter(pk__in=missing).values_list("pk", "time_zone"):
            self.zones[pk] = zone(name)
        if connection.vendor == "postgresql":
            _lock_accounts({r.account_id for r in readings})
        target_ids = {r.target_id for r in readings if r.target_id is not None}
        account_ids = {r.account_id for r in readings if r.target_id is None}
        if target_ids:
            rows = _load_rows(TargetTotals, TOTALS_COLUMNS, "target_id", target_ids)
            self.totals = {row[0]: dict(zip(TOTALS_COLUMNS, row, strict=True)) for row in rows}
            self._first_totals(target_ids - set(self.totals))
        if account_ids:
            rows = _load_rows(AccountLatest, LATEST_COLUMNS, "account_id", account_ids)
            self.latest = {row[0]: dict(zip(LATEST_COLUMNS, row, strict=True)) for row in rows}
            accounts = Account.objects.filter(pk__in=account_ids)
            self.networks = dict(accounts.values_list("pk", "network"))

    def _first_totals(self, target_ids: set[int]) -> None:
        """Totals at zero for targets read for the first time, with what pages group by."""
        if not target_ids:
            return
        rows = Target.objects.filter(pk__in=target_ids).values_list(
            "pk", "workspace_id", "account_id", "account__network", "post_id",
            "post__persona_id", "post__pillar_id", "post__format", "published_at",
        )  # fmt: skip
        first_seen = {}
        for r in self.readings:
            first_seen.setdefault(r.target_id, r.taken_at)
        for pk, ws, account, network, post, persona, pillar, fmt, published in rows:
            if ws not in self.zones:
                self.zones[ws] = zone(Workspace.objects.get(pk=ws).time_zone)
            # Marked published by hand without a time: the first reading stands in.
            published = published or first_seen[pk]
            local = published.astimezone(self.zones[ws])
            self.totals[pk] = {
                "target_id": pk, "workspace_id": ws, "account_id": account, "network": network,
                "post_id": post, "persona_id": persona or 0, "pillar_id": pillar or 0,
                "format": fmt or "", "published_at": published, "weekday": local.weekday(),
                "hour": local.hour, "taken_at": None, **dict.fromkeys(FIELDS),
            }  # fmt: skip

    def _unique(self) -> Iterable[Reading]:
        """The readings minus duplicates: same target (or account) at the same instant."""
        seen: set[tuple] = set()
        older: list[Reading] = []
        fresh: list[Reading] = []
        for reading in self.readings:
            key = (reading.target_id, reading.account_id, reading.taken_at)
            if key in seen:
                continue
            seen.add(key)
            stored = self._stored_time(reading)
            if stored is not None and reading.taken_at == stored:
                continue
            (older if stored is not None and reading.taken_at < stored else fresh).append(reading)
        if older:
            kept = _already_stored(older)
            fresh += [r for r in older if (r.target_id, r.account_id, r.taken_at) not in kept]
            fresh.sort(key=lambda r: r.taken_at)
        return fresh

    def _stored_time(self, reading: Reading) -> datetime | None:
        if reading.target_id is None:
            return (self.latest.get(reading.account_id) or {}).get("taken_at")
        return (self.totals.get(reading.target_id) or {}).get("taken_at")

    # -- folding one reading in --------------------------------------------------------

    def _target_reading(self, reading: Reading, values: dict) -> None:
        totals = self.totals[reading.target_id]
        if totals["taken_at"] is not None and reading.taken_at <= totals["taken_at"]:
            return  # older than what is stored: a snapshot only
        row = self._post_row(totals, self._day(reading))
        for name in COUNTERS:
            if values[name] is not None:
                row[name] += values[name] - (totals[name] or 0)
        first = totals["taken_at"] is None
        if first:
            published_day = totals["published_at"].astimezone(self.zones[totals["workspace_id"]])
            self._post_row(totals, published_day.date())["posts"] += 1
        engaged = totals["engagements"] or 0
        for name in FIELDS:
            if values[name] is not None:
                totals[name] = values[name]
        key = (totals["workspace_id"], totals["network"], totals["weekday"], totals["hour"])
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = [0, 0]
        cell[0] += int(first)
        cell[1] += (totals["engagements"] or 0) - engaged
        totals["taken_at"] = reading.taken_at
        self.changed_totals.add(reading.target_id)

    def _account_reading(self, reading: Reading, values: dict) -> None:
        latest = self.latest.get(reading.account_id)
        if latest is not None and reading.taken_at <= latest["taken_at"]:
            return
        if latest is None:
            latest = {"account_id": reading.account_id, "workspace_id": reading.workspace_id,
                      "taken_at": None, "first_level_on": None, "level_on": None,
                      **dict.fromkeys(FIELDS)}  # fmt: skip
            self.latest[reading.account_id] = latest
        level = values[FOLLOWERS]
        if level is not None:
            day = self._day(reading)
            network = self.networks[reading.account_id]
            key = (reading.workspace_id, day, reading.account_id, 0, 0, "")
            row = self.account_rows.get(key)
            if row is None:
                row = self.account_rows[key] = _zero_row(key, network)
            audience = self.audience.setdefault((reading.workspace_id, day, network), [0, 0, 0])
            before = latest[FOLLOWERS]
            if before is None:
                latest["first_level_on"] = day
            else:
                row[NEW_FOLLOWERS] += level - before
            if latest["level_on"] != day:
                audience[0] += 1
                latest["level_on"] = day
            audience[1] += level - (before or 0)
            if latest["first_level_on"] == day:
                # The account's first day: its day-end level is new to the network's sum.
                audience[2] += level - (before or 0)
            row[FOLLOWERS] = level  # readings come in time order: the day's last one wins
        for name in FIELDS:
            if values[name] is not None:
                latest[name] = values[name]
        latest["taken_at"] = reading.taken_at
        self.changed_latest.add(reading.account_id)

    def _post_row(self, totals: dict, day: date) -> dict:
        key = (totals["workspace_id"], day, totals["account_id"], totals["persona_id"],
               totals["pillar_id"], totals["format"])  # fmt: skip
        row = self.post_rows.get(key)
        if row is None:
            row = self.post_rows[key] = _zero_row(key, totals["network"])
        return row

    def _day(self, reading: Reading) -> date:
        return reading.taken_at.astimezone(self.zones[reading.workspace_id]).date()

    def _network_days(self) -> list[tuple]:
        """The batch's rollup rows added up per (workspace, day, network, persona)."""
        rows: dict[tuple, list[int]] = {}
        width = len(NETWORK_DAY_SUMS)
        for row in self.post_rows.values():
            key = (row["workspace_id"], row["day"], row["network"], row["persona_id"])
            sums = rows.setdefault(key, [0] * width)
            for i, name in enumerate(("posts", *COUNTERS)):
                sums[i] += row[name]
        followers_at = NETWORK_DAY_SUMS.index(NEW_FOLLOWERS)
        for row in self.account_rows.values():
            key = (row["workspace_id"], row["day"], row["network"], 0)
            rows.setdefault(key, [0] * width)[followers_at] += row[NEW_FOLLOWERS]
        for (workspace_id, day, network), figures in self.audience.items():
            sums = rows.setdefault((workspace_id, day, network, 0), [0] * width)
            for i, value in enumerate(figures, followers_at + 1):
                sums[i] += value
        # In key order: two ingestions of different accounts share these rows, and
        # taking their locks in one order keeps them from deadlocking.
        return [(*key, *rows[key]) for key in sorted(rows)]

    # -- writing -----------------------------------------------------------------------

    def _write(self) -> None:
        if self.changed_totals:
            _upsert(
                TargetTotals,
                TOTALS_COLUMNS,
                _rows((self.totals[t] for t in sorted(self.changed_totals)), TOTALS_COLUMNS),
                conflict=("target_id",),
                replace=("taken_at", *FIELDS),
                newer_only=True,
            )
        if self.changed_latest:
            _upsert(
                AccountLatest,
                LATEST_COLUMNS,
                _rows((self.latest[a] for a in sorted(self.changed_latest)), LATEST_COLUMNS),
                conflict=("account_id",),
                replace=("taken_at", "first_level_on", "level_on", *FIELDS),
                newer_only=True,
            )
        if self.post_rows:
            _upsert(
                DailyRollup,
                ROLLUP_COLUMNS,
                _rows(self.post_rows.values(), ROLLUP_COLUMNS),
                conflict=ROLLUP_KEY,
                add=("posts", *COUNTERS),
            )
        if self.account_rows:
            _upsert(
                DailyRollup,
                ROLLUP_COLUMNS,
                _rows(self.account_rows.values(), ROLLUP_COLUMNS),
                conflict=ROLLUP_KEY,
                replace=(FOLLOWERS,),
                add=(NEW_FOLLOWERS,),
            )
        if self.post_rows or self.account_rows:
            _upsert(
                NetworkDay,
                NETWORK_DAY_COLUMNS,
                self._network_days(),
                conflict=NETWORK_DAY_KEY,
                add=NETWORK_DAY_SUMS,
            )
        if self.cells:
            _upsert(
                BestTimeCell,
                CELL_COLUMNS,
                # In key order, like the network days: shared by every account's ingestion.
                [(*key, *self.cells[key]) for key in sorted(self.cells)],
                conflict=CELL_KEY,
                add=("posts", "engagements"),
            )


def _zero_row(key: tuple, network: str) -> dict:
    return {**dict(zip(ROLLUP_KEY, key, strict=True)), "network": network, "posts": 0,
            **dict.fromkeys(FIELDS, 0)}  # fmt: skip


_raw_json = json.JSONEncoder(separators=(",", ":"), default=str).encode
_metrics_of = itemgetter(*FIELDS)


def _snapshot_row(reading: Reading, values: dict) -> tuple:
    return (reading.workspace_id, reading.account_id, reading.target_id, reading.taken_at,
            _raw_json(reading.raw), *_metrics_of(values))  # fmt: skip


def _rows(dicts: Iterable[dict], columns: Sequence[str]) -> list[tuple]:
    get = itemgetter(*columns)
    return [get(values) for values in dicts]


def _already_stored(readings: list[Reading]) -> set[tuple]:
    """(target id, account id, taken_at) of the given older readings already stored."""
    targets = {r.target_id for r in readings if r.target_id is not None}
    accounts = {r.account_id for r in readings if r.target_id is None}
    times = {r.taken_at for r in readings}
    found = Snapshot.objects.filter(taken_at__in=times)
    rows = list(
        found.filter(target_id__in=targets).values_list("target_id", "account_id", "taken_at")
    ) if targets else []  # fmt: skip
    if accounts:
        rows += found.filter(target__isnull=True, account_id__in=accounts).values_list(
            "target_id", "account_id", "taken_at"
        )
    return set(rows)


# -- SQL that both databases understand, and PostgreSQL's fast paths ------------------------
# Every name put into SQL text below comes from the models' metadata (quoted), never from
# input; values always travel as parameters.


def _load_rows(model: type[Model], columns: Sequence[str], key: str, ids: set[int]) -> list:
    """The rows (tuples of `columns`) whose `key` is one of `ids`.

    PostgreSQL: the ids as one array parameter and the results in binary, read
    by psycopg's C loaders; Django's own loader of aware datetimes (text) costs
    more than the query.
    """
    if connection.vendor != "postgresql":
        return list(model.objects.filter(**{f"{key}__in": ids}).values_list(*columns))
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in columns)
    sql = f"SELECT {names} FROM {q(model._meta.db_table)} WHERE {q(key)} = ANY(%s)"  # noqa: S608
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, [sorted(ids)], binary=True)
        return cursor.fetchall()


def _lock_accounts(account_ids: set[int]) -> None:
    """PostgreSQL: one advisory lock per account until commit, in a fixed order (no deadlock).

    A shared key between two accounts (ids equal modulo 2³¹) only makes one wait.
    """
    keys = sorted({pk % 2**31 for pk in account_ids})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::int4[]) AS k", [LOCK_CLASS, keys]
        )


@contextmanager
def _snapshot_writer() -> Iterator[Callable[[tuple], None]]:
    """Yield a function taking snapshot rows: written by one COPY on PostgreSQL as they
    come, gathered for one executemany on SQLite."""
    if connection.vendor != "postgresql":
        rows: list[tuple] = []
        yield rows.append
        _insert_snapshots(rows)
        return
    q = connection.ops.quote_name
    table = q(Snapshot._meta.db_table)
    columns = ", ".join(q(c) for c in SNAPSHOT_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        yield copy.write_row


def _insert_snapshots(rows: list[tuple]) -> None:
    if not rows:
        return
    q = connection.ops.quote_name
    table = q(Snapshot._meta.db_table)
    columns = ", ".join(q(c) for c in SNAPSHOT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: the bulk path of PostgreSQL, many times faster than INSERTs.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        marks = ", ".join(["%s"] * len(SNAPSHOT_COLUMNS))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
            [(*row[:3], adapt(row[3]), *row[4:]) for row in rows],
        )


def _upsert(
    model: type[Model],
    columns: Sequence[str],
    rows: list[tuple],
    *,
    conflict: Sequence[str],
    replace: Sequence[str] = (),
    add: Sequence[str] = (),
    newer_only: bool = False,
) -> None:
    """INSERT ... ON CONFLICT (conflict) DO UPDATE: `replace` columns take the new value,
    `add` columns add it (col = col + excluded.col). One row per key.

    PostgreSQL gets every row in one statement (through a COPY beyond COPIED_FROM
    rows); SQLite one executemany. `newer_only`: an existing row is updated only by a
    later taken_at.
    """
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    sets = [f"{q(c)} = excluded.{q(c)}" for c in replace]
    sets += [f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in add]
    keys = ", ".join(q(c) for c in conflict)
    action = f"ON CONFLICT ({keys}) DO UPDATE SET {', '.join(sets)}"
    if newer_only:
        action += f" WHERE excluded.{q('taken_at')} > {table}.{q('taken_at')}"
    names = ", ".join(q(c) for c in columns)
    marks = f"({', '.join(['%s'] * len(columns))})"
    if connection.vendor == "postgresql":
        if len(rows) > COPIED_FROM:
            _upsert_copied(table, names, rows, action)
            return
        # A few rows (the worker ingests one account's round at a time): one statement
        # with the values bound costs less than the staging table's four.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([marks] * len(rows))} {action}",  # noqa: S608
                [value for row in rows for value in row],
            )
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES {marks} {action}",  # noqa: S608
            [tuple(_sqlite_value(v) for v in row) for row in rows],
        )


def _upsert_copied(table: str, names: str, rows: list[tuple], action: str) -> None:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT ... SELECT.

    COPY formats rows in C; binding thousands of values into a statement costs
    more than the statement itself. The temporary table lives as long as the
    connection and is emptied after each use.
    """
    staging = connection.ops.quote_name(f"staging_{table.strip(chr(34))}")
    with connection.cursor() as cursor:
        create = f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS "
        cursor.execute(f"{create} SELECT {names} FROM {table} WITH NO DATA")  # noqa: S608
        with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} {action}")  # noqa: S608
        cursor.execute(f"TRUNCATE {staging}")


def _sqlite_value(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value
