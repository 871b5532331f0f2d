"""The bulk of the volume for bench/analytics.py, written in SQL, not through ingest().

Same formula as analytics_seed.values_at: reading k of target t holds k × c(t),
so each reading adds c(t) to its day's rollup, and the first reading also
counts the post once on its publication day, as ingest() does. Accounts are
read at a fixed interval; reading n sets followers to 1000 + 10 × account id +
2n, so each reading after the first adds 2 new followers. NetworkDay and
BestTimeCell rows are then computed from the rollups and the totals
(rollups.rebuild_network_days, rebuild_best_time). The workspace
is in UTC, so a day is the UTC date on both databases.
"""

from __future__ import annotations

from analytics_seed import NOW, OFFSETS, START
from django.db import connection, transaction

from tribune.analytics.rollups import rebuild_best_time, rebuild_network_days

PG = "postgresql"


def _sql_time(moment) -> object:
    """A datetime as each database compares it: SQLite stores Django's text format."""
    return moment if connection.vendor == PG else moment.strftime("%Y-%m-%d %H:%M:%S")


def _plus(base: str, seconds: str) -> str:
    if connection.vendor == PG:
        return f"({base} + ({seconds}) * interval '1 second')"
    return f"datetime({base}, '+' || ({seconds}) || ' seconds')"


def _day(moment: str) -> str:
    return (
        f"(({moment}) AT TIME ZONE 'UTC')::date" if connection.vendor == PG else f"date({moment})"
    )


def _weekday(moment: str) -> str:
    if connection.vendor == PG:
        return f"(extract(isodow from ({moment}) AT TIME ZONE 'UTC')::int - 1)"
    return f"((cast(strftime('%%w', {moment}) as integer) + 6) %% 7)"


def _hour(moment: str) -> str:
    if connection.vendor == PG:
        return f"extract(hour from ({moment}) AT TIME ZONE 'UTC')::int"
    return f"cast(strftime('%%H', {moment}) as integer)"


def _json(*pairs: str) -> str:
    return (
        "jsonb_build_object" if connection.vendor == PG else "json_object"
    ) + f"({', '.join(pairs)})"


def _helper_tables(account_readings: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_offsets (k integer, secs integer)")
        cursor.executemany("INSERT INTO bench_offsets VALUES (%s, %s)", list(enumerate(OFFSETS, 1)))
        cursor.execute("CREATE TEMPORARY TABLE bench_numbers (n integer)")
        cursor.executemany(
            "INSERT INTO bench_numbers VALUES (%s)", [(n,) for n in range(account_readings)]
        )


# The targets the fill covers (those after the sample), with their post and account.
TARGETS = """
    SELECT t.id, t.workspace_id, t.account_id, t.post_id, t.published_at, 1 + t.id %% 50 AS b,
           a.network, p.persona_id, p.pillar_id, p.format
    FROM publishing_target t JOIN editorial_post p ON p.id = t.post_id
    JOIN networks_account a ON a.id = t.account_id
    WHERE t.workspace_id = %s AND t.id > %s
"""
ENGAGEMENTS = "(t.b + t.id %% 3 + t.id %% 2 + 1)"


def target_readings_count(ws_id: int, after: int) -> int:
    taken = _plus("t.published_at", "o.secs")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM ({TARGETS}) t CROSS JOIN bench_offsets o WHERE {taken} < %s",  # noqa: S608
            [ws_id, after, _sql_time(NOW)],
        )
        return cursor.fetchone()[0]


def fill_targets(ws_id: int, after: int) -> int:
    """Snapshots, TargetTotals and DailyRollup rows of every target after `after`."""
    taken = _plus("t.published_at", "o.secs")
    now = _sql_time(NOW)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO analytics_snapshot (workspace_id, account_id, target_id, taken_at, raw,
                views, reach, engagements, likes, comments, shares, saves, clicks, video_views,
                followers, new_followers)
            SELECT t.workspace_id, t.account_id, t.id, {taken},
                {_json("'impressions'", "10 * t.b * o.k", "'favourites'", "t.b * o.k")},
                10 * t.b * o.k, 7 * t.b * o.k, {ENGAGEMENTS} * o.k, t.b * o.k,
                (t.id %% 3) * o.k, (t.id %% 2) * o.k, NULL, o.k, NULL, NULL, NULL
            FROM ({TARGETS}) t CROSS JOIN bench_offsets o WHERE {taken} < %s""",  # noqa: S608
            [ws_id, after, now],
        )
        stored = cursor.rowcount
        last = _plus("t.published_at", "ol.secs")
        cursor.execute(
            f"""INSERT INTO analytics_targettotals (target_id, workspace_id, account_id, network,
                post_id, persona_id, pillar_id, format, published_at, weekday, hour, taken_at,
                views, reach, engagements, likes, comments, shares, saves, clicks, video_views,
                followers, new_followers)
            SELECT t.id, t.workspace_id, t.account_id, t.network, t.post_id, t.persona_id,
                t.pillar_id, t.format, t.published_at, {_weekday("t.published_at")},
                {_hour("t.published_at")}, {last}, 10 * t.b * t.kl, 7 * t.b * t.kl,
                {ENGAGEMENTS} * t.kl, t.b * t.kl, (t.id %% 3) * t.kl, (t.id %% 2) * t.kl, NULL,
                t.kl, NULL, NULL, NULL
            FROM (SELECT x.*, (SELECT max(o.k) FROM bench_offsets o
                               WHERE {_plus("x.published_at", "o.secs")} < %s) AS kl
                  FROM ({TARGETS}) x) t
            JOIN bench_offsets ol ON ol.k = t.kl""",  # noqa: S608
            [now, ws_id, after],
        )
        key = "workspace_id, day, account_id, persona_id, pillar_id, format"
        sums = ("views", "reach", "engagements", "likes", "comments", "shares", "clicks")
        adds = ", ".join(
            f"{c} = analytics_dailyrollup.{c} + excluded.{c}" for c in ("posts", *sums)
        )
        cursor.execute(
            f"""INSERT INTO analytics_dailyrollup ({key}, network, posts, {", ".join(sums)},
                saves, video_views, followers, new_followers)
            SELECT {key}, network, sum(posts), {", ".join(f"sum({c})" for c in sums)}, 0, 0, 0, 0
            FROM (
                SELECT t.workspace_id, {_day(taken)} AS day, t.account_id, t.persona_id,
                    t.pillar_id, t.format, t.network, 0 AS posts, 10 * t.b AS views,
                    7 * t.b AS reach, {ENGAGEMENTS} AS engagements, t.b AS likes,
                    t.id %% 3 AS comments, t.id %% 2 AS shares, 1 AS clicks
                FROM ({TARGETS}) t CROSS JOIN bench_offsets o WHERE {taken} < %s
                UNION ALL
                SELECT t.workspace_id, {_day("t.published_at")}, t.account_id, t.persona_id,
                    t.pillar_id, t.format, t.network, 1, 0, 0, 0, 0, 0, 0, 0
                FROM ({TARGETS}) t WHERE {_plus("t.published_at", str(OFFSETS[0]))} < %s
            ) u WHERE 1 = 1
            GROUP BY {key}, network
            ON CONFLICT ({key}) DO UPDATE SET {adds}""",  # noqa: S608
            [ws_id, after, now, ws_id, after, now],
        )
    return stored


def fill_accounts(ws_id: int, per_account: int) -> int:
    """`per_account` readings of each account's followers, evenly over the two years."""
    step = int((NOW - START).total_seconds()) // per_account
    taken = _plus("%s", f"n.n * {step}")
    level = "(1000 + a.id * 10 + 2 * n.n)"
    start = _sql_time(START)
    start_at = "%s::timestamptz" if connection.vendor == PG else "%s"
    if connection.vendor == PG:
        taken = taken.replace("%s", "%s::timestamptz", 1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO analytics_snapshot (workspace_id, account_id, target_id, taken_at, raw,
                views, reach, engagements, likes, comments, shares, saves, clicks, video_views,
                followers, new_followers)
            SELECT a.workspace_id, a.id, NULL, {taken}, {_json("'followers_count'", level)},
                NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, {level}, NULL
            FROM networks_account a CROSS JOIN bench_numbers n WHERE a.workspace_id = %s""",  # noqa: S608
            [start, ws_id],
        )
        stored = cursor.rowcount
        last = _plus("%s", f"{per_account - 1} * {step}").replace(
            "%s", "%s::timestamptz" if connection.vendor == PG else "%s", 1
        )
        cursor.execute(
            f"""INSERT INTO analytics_accountlatest (account_id, workspace_id, taken_at, views,
                reach, engagements, likes, comments, shares, saves, clicks, video_views,
                followers, new_followers, first_level_on, level_on)
            SELECT a.id, a.workspace_id, {last}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                NULL, 1000 + a.id * 10 + 2 * {per_account - 1}, NULL, {_day(start_at)},
                {_day(last)}
            FROM networks_account a WHERE a.workspace_id = %s""",  # noqa: S608
            [start, start, start, ws_id],
        )
        cursor.execute(
            f"""INSERT INTO analytics_dailyrollup (workspace_id, day, account_id, persona_id,
                pillar_id, format, network, posts, views, reach, engagements, likes, comments,
                shares, saves, clicks, video_views, followers, new_followers)
            SELECT a.workspace_id, {_day(taken)}, a.id, 0, 0, '', a.network, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 1000 + a.id * 10 + 2 * max(n.n),
                2 * (count(*) - CASE WHEN min(n.n) = 0 THEN 1 ELSE 0 END)
            FROM networks_account a CROSS JOIN bench_numbers n WHERE a.workspace_id = %s
            GROUP BY 1, 2, 3, 7""",  # noqa: S608
            [start, ws_id],
        )
    return stored


def fill(ws_id: int, after: int, volume: int, log) -> dict:
    """Fill up to `volume` snapshots; return what was written and how long it took."""
    import time

    accounts = _count("networks_account", ws_id)
    _helper_tables(0)
    targets = target_readings_count(ws_id, after)
    per_account = max(1, -(-(volume - targets) // accounts))
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_numbers VALUES (%s)", [(n,) for n in range(per_account)]
        )
    started = time.perf_counter()
    with transaction.atomic():
        dropped = _drop_snapshot_indexes()
        log(f"filling {targets:,} target readings + {per_account * accounts:,} account readings")
        stored = fill_targets(ws_id, after)
        log(f"  target readings, totals, rollups: {time.perf_counter() - started:.0f} s")
        stored += fill_accounts(ws_id, per_account)
        log(f"  account readings: {time.perf_counter() - started:.0f} s")
        rebuild_network_days(ws_id)  # GROUP BY of the rollups just written
        rebuild_best_time(ws_id)  # and of the totals
        log(f"  network days, best-time cells: {time.perf_counter() - started:.0f} s")
        _restore_indexes(dropped)
    elapsed = time.perf_counter() - started
    if connection.vendor == PG:
        with connection.cursor() as cursor:
            for table in ("analytics_snapshot", "analytics_dailyrollup", "analytics_targettotals",
                          "analytics_networkday"):  # fmt: skip
                cursor.execute(f"VACUUM ANALYZE {table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"stored": stored, "seconds": elapsed, "per_account": per_account}


def _count(table: str, ws_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE workspace_id = %s", [ws_id])  # noqa: S608
        return cursor.fetchone()[0]


def _drop_snapshot_indexes() -> list[str]:
    """PostgreSQL: build the snapshot indexes once after the fill rather than row by row,
    and skip the per-row foreign-key triggers (rows are consistent by construction)."""
    if connection.vendor != PG:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'analytics_snapshot' "
            "AND indexname NOT LIKE '%%pkey'"
        )
        rows = cursor.fetchall()
        for name, _ in rows:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in rows]


def _restore_indexes(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        for definition in definitions:
            cursor.execute(definition)
        if connection.vendor == PG:
            cursor.execute("SET LOCAL session_replication_role = origin")
