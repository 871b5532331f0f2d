"""Analytics at volume: ingestion rate, dashboard queries, and the monthly PDF report.

    .venv/bin/python bench/analytics.py [--backends postgresql,sqlite] [--runs N]
        [--postgres postgresql://postgres@127.0.0.1:5432/tribune_bench_analytics]
        [--pg-volume 10000000] [--sqlite-volume 1000000]

Per backend (a child process each): seeds one workspace in UTC with 500
accounts and 200,000 published targets (100,000 posts, two targets each)
spread over two years (analytics_seed.py; SQLite: 50 accounts and 20,000
targets), then reaches the snapshot volume in three steps:

1. fill: most readings written in SQL (analytics_fill.py) with their
   TargetTotals, AccountLatest and DailyRollup rows computed by GROUP BY from
   the same formula ingestion would have folded;
2. worst case: the whole schedule of the first targets (PostgreSQL 500,000
   readings, SQLite 100,000), written once by a plain COPY (SQLite: executemany
   INSERT) in transactions of `rollups.BATCH` rows, timed, deleted; then through
   the real `rollups.ingest()` in calls of `rollups.BATCH`, in time order;
3. production-shaped: collection rounds after the history (every 10 minutes, the
   plans due then, targets of every age; followers once a day per account),
   continuing each target's and account's readings (analytics_seed.
   collection_rounds). First a fifth of the volume in the worker's own calls
   (collect_account: one ingest() per account and round; read_account_level:
   one per followers reading), then the full volume, going on from there, in
   one ingest() per round. Each slice also gets the plain COPY of its rows,
   timed as in step 2. The ingestion target is judged on the worker's calls.

Then each dashboard query (the overview's parts, the breakdowns, the best-time
heatmap and slot suggestions, `kpis.measure_all`) N times after a warm-up
(median, p95), and `reports.build_report` of the last full month with every
section, 3 times (median). The PostgreSQL database is dropped before and after.
Targets (PostgreSQL): ingestion ≥ 50,000 snapshots/s, every query p95 < 200 ms,
report < 10 s; exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throwaway import configure

ROOT = Path(__file__).resolve().parents[1]
SIZES = {  # accounts, targets, readings of each sample through ingest()
    "postgresql": (500, 200_000, 500_000),
    "sqlite": (50, 20_000, 100_000),
}
# The worker's own calls carry about one reading each: a few milliseconds a call, whatever
# the volume. Their slice of the production-shaped sample is a fifth of the others, so the
# whole bench stays under half an hour.
WORKER_SHARE = 5
TARGET_RATE, TARGET_P95_MS, TARGET_REPORT_S = 50_000, 200.0, 10.0
REPORT_RUNS = 3


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000}


def timed(fn, runs: int) -> list[float]:
    fn()  # warm-up
    gc.collect()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def baseline_copy(readings) -> float:
    """Seconds of a plain bulk write of the sample's snapshot rows, in the same batches."""
    from django.db import connection, transaction

    from tribune.analytics import rollups

    rows = [rollups._snapshot_row(r, rollups._normalised(r.values)) for r in readings]
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM analytics_snapshot")
        before = cursor.fetchone()[0]
    started = time.perf_counter()
    for start in range(0, len(rows), rollups.BATCH):
        with transaction.atomic():
            rollups._insert_snapshots(rows[start : start + rollups.BATCH])
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM analytics_snapshot WHERE id > %s", [before])
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM analytics_snapshot")
    return seconds


def measure_ingest(readings) -> dict:
    from tribune.analytics import rollups

    ordered = sorted(readings, key=lambda r: r.taken_at)
    stored = 0
    started = time.perf_counter()
    for start in range(0, len(ordered), rollups.BATCH):
        stored += rollups.ingest(ordered[start : start + rollups.BATCH])
    seconds = time.perf_counter() - started
    return {"stored": stored, "seconds": seconds, "rate": stored / seconds}


def _split(rounds: list, readings: int) -> int:
    """How many of the first rounds hold at least `readings` readings."""
    taken = 0
    for index, (_, calls) in enumerate(rounds):
        if taken >= readings:
            return index
        taken += sum(len(call) for call in calls)
    return len(rounds)


def measure_rounds(rounds: list, per_round: bool) -> dict:
    """Production-shaped readings through `rollups.ingest()`, round after round: one call
    (and one commit) per call the worker makes, or with `per_round` one per round."""
    from tribune.analytics import rollups

    batches = [calls for _, calls in rounds]
    if per_round:
        batches = [[[reading for call in calls for reading in call]] for calls in batches]
    stored = count = largest = 0
    started = time.perf_counter()
    for calls in batches:
        for readings in calls:
            stored += rollups.ingest(readings)
            count += 1
            largest = max(largest, len(readings))
    seconds = time.perf_counter() - started
    return {"stored": stored, "seconds": seconds, "rate": stored / seconds, "calls": count,
            "rounds": len(rounds), "largest": largest}  # fmt: skip


def queries(ws) -> dict:
    from analytics_seed import TODAY

    from tribune.analytics import dashboards, kpis
    from tribune.analytics.dashboards import Period

    period = Period.last(TODAY, 30)
    quarter = Period.last(TODAY, 90)
    parts = {
        "overview: objectives": lambda: dashboards.objectives(ws, TODAY),
        "overview: audience, 30 days": lambda: dashboards.audience(ws, period),
        "overview: audience, 90 days": lambda: dashboards.audience(ws, quarter),
        "overview: published vs planned": lambda: dashboards.rhythm(ws, period),
        "overview: top posts": lambda: dashboards.top_posts(ws, period),
    }
    for by, _ in dashboards.BREAKDOWNS:
        parts[f"breakdown by {by}, 30 days"] = lambda by=by: dashboards.breakdown(ws, period, by)
    parts["breakdown by network, 90 days"] = lambda: dashboards.breakdown(ws, quarter, "network")
    parts["best time: all networks"] = lambda: dashboards.heatmap(ws)
    parts["best time: one network"] = lambda: dashboards.heatmap(ws, "linkedin")
    parts["best time: slot suggestions"] = lambda: dashboards.slot_suggestions(ws)
    parts["best time: networks with posts"] = lambda: dashboards.networks_with_posts(ws)
    parts["kpis.measure_all (12 objectives)"] = lambda: kpis.measure_all(ws, TODAY)
    return parts


def child(backend: str, database_url: str, runs: int, volume: int, scale: int) -> dict:
    import analytics_fill
    import analytics_seed
    from django.db import connection

    from tribune.analytics.models import (
        AccountLatest,
        BestTimeCell,
        DailyRollup,
        NetworkDay,
        Snapshot,
        TargetTotals,
    )
    from tribune.analytics.reports import build_report, last_full_month
    from tribune.analytics.rollups import BATCH

    accounts, targets, sample = (n // scale for n in SIZES[backend])
    result: dict = {"backend": backend, "accounts": accounts, "targets": targets}
    started = time.perf_counter()
    ws, template = analytics_seed.seed_workspace(accounts, targets)
    result["seed_s"] = time.perf_counter() - started
    log(f"{backend}: seeded {targets:,} targets in {result['seed_s']:.0f} s")
    readings, last_id = analytics_seed.sample_readings(ws.pk, sample)
    result["fill"] = analytics_fill.fill(ws.pk, last_id, volume - len(readings), log)
    log(f"{backend}: filled {result['fill']['stored']:,} in {result['fill']['seconds']:.0f} s")
    result["copy_s"] = baseline_copy(readings)
    log(f"{backend}: plain copy of {len(readings):,} rows in {result['copy_s']:.1f} s")
    result["ingest"] = measure_ingest(readings)
    result["batch"] = BATCH
    log(f"{backend}: ingest {result['ingest']['rate']:,.0f}/s")
    # Production-shaped: collection rounds after NOW, first in the worker's own calls
    # (one per account and round, one per followers reading), then, going on from there,
    # one call per round (every account's readings of the round together).
    worker_part = sample // WORKER_SHARE
    rounds = analytics_seed.collection_rounds(
        ws.pk, worker_part + sample, result["fill"]["per_account"]
    )
    split = _split(rounds, worker_part)
    for name, part, per_round in (("worker", rounds[:split], False),
                                  ("rounds", rounds[split:], True)):  # fmt: skip
        produced = [reading for _, calls in part for call in calls for reading in call]
        log(f"{backend}: {name}: {len(produced):,} readings in {len(part):,} rounds after NOW")
        copy_s = baseline_copy(produced)
        log(f"{backend}: {name}: plain copy of {len(produced):,} rows in {copy_s:.1f} s")
        result[name] = {**measure_rounds(part, per_round), "copy_s": copy_s}
        log(f"{backend}: {name}: ingest {result[name]}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result["snapshots"] = Snapshot.objects.count()
    result["rollups"] = DailyRollup.objects.count()
    result["totals"] = TargetTotals.objects.count()
    # The fill and ingest() must agree: the days of each counter add up to the latest totals.
    from django.db.models import Sum

    days = DailyRollup.objects.aggregate(likes=Sum("likes"), views=Sum("views"), posts=Sum("posts"))
    latest = TargetTotals.objects.aggregate(likes=Sum("likes"), views=Sum("views"))
    networks = NetworkDay.objects.aggregate(likes=Sum("likes"), views=Sum("views"),
                                            posts=Sum("posts"),
                                            followers=Sum("followers_change"))  # fmt: skip
    followers = AccountLatest.objects.aggregate(followers=Sum("followers"))
    cells = BestTimeCell.objects.aggregate(posts=Sum("posts"), engaged=Sum("engagements"))
    engaged = TargetTotals.objects.aggregate(engaged=Sum("engagements"))["engaged"]
    result["network_days"] = NetworkDay.objects.count()
    result["consistent"] = (
        days == {**latest, "posts": result["totals"]}
        and networks == {**days, **followers}
        and cells == {"posts": result["totals"], "engaged": engaged}
    )
    log(f"{backend}: rollups {days} totals {latest} network days {networks} {followers} "
        f"cells {cells} engagements {engaged} "
        f"consistent {result['consistent']}")  # fmt: skip
    result["queries"] = {}
    for name, fn in queries(ws).items():
        result["queries"][name] = summary(timed(fn, runs))
        log(f"{backend}: {name} {result['queries'][name]}")
    # The history ends at NOW: its month (October 2026) is the last full one the day after.
    start, end = last_full_month(analytics_seed.NOW.date())
    times = []
    for _ in range(REPORT_RUNS):
        began = time.perf_counter()
        document = build_report(ws, template, start, end)
        times.append(time.perf_counter() - began)
    result["report"] = {"median_s": statistics.median(times), "bytes": len(document.pdf),
                        "month": f"{start}..{end}"}  # fmt: skip
    log(f"{backend}: report {result['report']}")
    return result


def recreate_postgres(url: str, create: bool = True) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def report(results: list[dict]) -> int:
    missed = []
    print(f"\nload (uptime): {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f} on {os.cpu_count()} cores")  # fmt: skip
    for r in results:
        pg = r["backend"] == "postgresql"
        ingest = r["ingest"]
        ratio = r["copy_s"] / ingest["seconds"]
        print(f"\n== {r['backend']}: {r['snapshots']:,} snapshots, {r['rollups']:,} daily "
              f"rollups, {r['network_days']:,} network days, {r['totals']:,} target totals, "
              f"{r['accounts']} accounts")  # fmt: skip
        print(f"rollups add up to the latest totals: {r['consistent']}")
        print(f"seed {r['seed_s']:.0f} s; SQL fill {r['fill']['stored']:,} snapshots in "
              f"{r['fill']['seconds']:.0f} s")  # fmt: skip
        print(f"ingestion, worst case (the whole schedule of the first targets, time order, "
              f"calls of {r['batch']:,}): {ingest['stored']:,} readings in "
              f"{ingest['seconds']:.1f} s = {ingest['rate']:,.0f}/s; plain copy of the same rows "
              f"{r['copy_s']:.1f} s = {ingest['stored'] / r['copy_s']:,.0f}/s; ratio "
              f"{ratio:.2f}")  # fmt: skip
        labels = {"worker": "production-shaped, in the worker's own calls (one per account and "
                            "round, one per followers reading)",
                  "rounds": "production-shaped, one call per round (not what the worker does "
                            "today)"}  # fmt: skip
        for name, label in labels.items():
            part = r[name]
            print(f"ingestion, {label}: {part['stored']:,} readings in {part['rounds']:,} rounds, "
                  f"{part['calls']:,} calls (largest {part['largest']:,}), "
                  f"{part['seconds']:.1f} s = {part['rate']:,.0f}/s, "
                  f"{part['seconds'] / part['calls'] * 1000:.2f} ms a call; plain copy of the "
                  f"same rows {part['copy_s']:.1f} s = {part['stored'] / part['copy_s']:,.0f}/s; "
                  f"ratio {part['copy_s'] / part['seconds']:.2f}")  # fmt: skip
        verdict = "met" if r["worker"]["rate"] >= TARGET_RATE else "MISSED"
        print(f"ingestion target ≥ {TARGET_RATE:,}/s on the production-shaped sample as the "
              f"worker ingests it: {verdict}")  # fmt: skip
        if pg and r["worker"]["rate"] < TARGET_RATE:
            missed.append("ingestion")
        print(f"{'query':42} {'median ms':>10} {'p95 ms':>10}  verdict")
        for name, q in r["queries"].items():
            ok = q["p95_ms"] < TARGET_P95_MS
            if pg and not ok:
                missed.append(name)
            print(f"{name:42} {q['median_ms']:10.1f} {q['p95_ms']:10.1f}  "
                  f"{'ok' if ok else 'MISSED'}")  # fmt: skip
        rep = r["report"]
        print(f"monthly report {rep['month']}: median {rep['median_s']:.2f} s over "
              f"{REPORT_RUNS} runs, {rep['bytes'] / 1024:.0f} KB PDF")  # fmt: skip
        if pg and rep["median_s"] >= TARGET_REPORT_S:
            missed.append("report")
    if missed:
        print(f"\nmissed on PostgreSQL: {', '.join(missed)}")
    return 1 if missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument(
        "--postgres", default="postgresql://postgres@127.0.0.1:5432/tribune_bench_analytics"
    )
    parser.add_argument("--pg-volume", type=int, default=10_000_000)
    parser.add_argument("--sqlite-volume", type=int, default=1_000_000)
    # Divides the seed and the sample (not the volume): quicker runs while iterating, e.g.
    # --scale 10 --pg-volume 1000000 --backends postgresql --runs 5.
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        with tempfile.TemporaryDirectory() as var:
            url = args.url or f"sqlite:///{var}/bench.sqlite3"
            configure(Path(var), url)
            volume = args.pg_volume if args.child == "postgresql" else args.sqlite_volume
            print(json.dumps(child(args.child, url, args.runs, volume, args.scale)))
        return 0
    results = []
    for backend in args.backends.split(","):
        command = [sys.executable, __file__, "--child", backend, "--runs", str(args.runs),
                   "--pg-volume", str(args.pg_volume), "--sqlite-volume", str(args.sqlite_volume),
                   "--scale", str(args.scale)]  # fmt: skip
        if backend == "postgresql":
            recreate_postgres(args.postgres)
            command += ["--url", args.postgres]
        try:
            out = subprocess.run(command, check=True, capture_output=False, text=True,
                                 stdout=subprocess.PIPE)  # fmt: skip
        finally:
            if backend == "postgresql":
                recreate_postgres(args.postgres, create=False)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return report(results)


if __name__ == "__main__":
    sys.exit(main())
