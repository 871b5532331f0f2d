"""The editorial calendar on a large workspace: feed, calendar check and CSV import.

    .venv/bin/python bench/editorial.py [--runs N] [--backends sqlite,postgresql]
        [--postgres postgresql://postgres@127.0.0.1:5432/tribune_bench]

For each backend (one child process each, since Django is set up once per
process), seeds one workspace with 100,000 posts over three years, 5,000 of
them in the displayed month, with bulk_create (one variant per post, two for
one post in five), plus a small workspace (1,000 posts, 50 in the month).
Then measures, with Django's test Client or a direct call:

- the month's calendar feed (url `calendar-feed`, engineer C): median and p95
  of N requests, and its query count on the small and on the large workspace;
- the calendar check over three months (`checks.run_checks`, engineer D);
- a 10,000-row CSV import in Tribune's format (`actions_imports`), run 3 times.

A part whose module is not there yet is skipped and said so. The PostgreSQL
database named in --postgres is dropped and created again. Targets on
PostgreSQL: feed p95 under 150 ms, check under 500 ms, import under 30 s.
Exits 1 when a PostgreSQL figure misses its target.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from throwaway import configure

ROOT = Path(__file__).resolve().parents[1]
TOTAL_POSTS, MONTH_POSTS = 100_000, 5_000
SMALL_POSTS, SMALL_MONTH_POSTS = 1_000, 50
IMPORT_ROWS, IMPORT_RUNS = 10_000, 3
MONTH = date(2026, 6, 1)  # the displayed month, in the middle of three years
SPAN_START = date(2025, 1, 1)
SPAN_DAYS = 3 * 365
TARGETS_MS = {"feed": 150.0, "check": 500.0, "import": 30_000.0}
NETWORKS = ["linkedin", "instagram", "bluesky", "x", "facebook", "threads"]


def seed(slug: str, total: int, in_month: int) -> tuple[object, object]:
    """Create a workspace with `total` posts, `in_month` of them in MONTH; return (ws, owner)."""
    import random

    from tribune.editorial.choices import PostFormat, PostState
    from tribune.editorial.models import ContentPillar, Post, Variant
    from tribune.strategy.models import Objective, Persona
    from tribune.workspaces.models import Membership, User, Workspace
    from tribune.workspaces.roles import Role

    rng = random.Random(slug)
    workspace = Workspace.objects.create(name=slug, slug=slug, time_zone="Europe/Paris")
    owner = User.objects.create_user(f"{slug}-owner", f"{slug}@example.org", "bench-password")
    Membership.objects.create(workspace=workspace, user=owner, roles=[Role.OWNER])
    personas = [Persona.objects.create(workspace=workspace, name=f"P{i}") for i in range(5)]
    pillars = [
        ContentPillar.objects.create(workspace=workspace, name=n, target_share=s)
        for n, s in (("Product", 40), ("Team", 30), ("Advice", 30))
    ]
    for i in range(5):
        Objective.objects.create(
            workspace=workspace,
            title=f"O{i}",
            lever="visibility",
            kpi="audience",
            baseline=1,
            target=2,
            deadline=date(2027, 12, 31),
        )
    month_start = datetime(MONTH.year, MONTH.month, 1, 6, tzinfo=UTC)
    month_end = datetime(MONTH.year, MONTH.month + 1, 1, tzinfo=UTC)
    states = [PostState.DRAFT, PostState.IN_REVIEW, PostState.APPROVED, PostState.SCHEDULED]
    formats = PostFormat.values

    def when(i: int) -> datetime:
        if i < in_month:
            return month_start + timedelta(minutes=rng.randrange(29 * 24 * 60))
        while True:
            moment = datetime(SPAN_START.year, 1, 1, tzinfo=UTC) + timedelta(
                minutes=rng.randrange(SPAN_DAYS * 24 * 60)
            )
            if not month_start <= moment < month_end:
                return moment

    posts = [
        Post(
            workspace=workspace,
            title=f"Post {i}",
            body=f"Body of post {i} with https://example.org/{i}",
            persona=personas[i % 5] if i % 7 else None,
            pillar=pillars[i % 3],
            format=formats[i % len(formats)],
            state=states[i % 4],
            scheduled_at=when(i),
            author=owner,
        )
        for i in range(total)
    ]
    Post.objects.bulk_create(posts, batch_size=5000)
    variants = []
    for i, post in enumerate(posts):
        variants.append(Variant(post=post, network=NETWORKS[i % 6], text=post.body))
        if i % 5 == 0:
            variants.append(Variant(post=post, network=NETWORKS[(i + 1) % 6], text=post.body))
    Variant.objects.bulk_create(variants, batch_size=5000)
    # Most posts serve an objective, as in a calendar built from a strategy; one in
    # nine serves none, so the "serves no objective" rule still has work to do.
    objectives = list(Objective.objects.filter(workspace=workspace))
    links = Post.objectives.through
    links.objects.bulk_create(
        (
            links(post_id=post.pk, objective_id=objectives[i % len(objectives)].pk)
            for i, post in enumerate(posts)
            if i % 9
        ),
        batch_size=5000,
    )
    return workspace, owner


def timed(fn, runs: int) -> list[float]:
    """Return the durations of `runs` calls of fn, in milliseconds."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": statistics.median(ordered), "p95": p95, "runs": len(ordered)}


def measure_feed(workspaces: dict, runs: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    try:
        from tribune.editorial import calendar  # noqa: F401
    except ImportError as exc:
        return {"skipped": f"calendar module missing ({exc})"}
    result: dict = {}
    for label, (workspace, owner) in workspaces.items():
        try:
            url = reverse("calendar-feed", args=[workspace.slug])
        except NoReverseMatch:
            return {"skipped": "url calendar-feed does not exist yet"}
        client = Client()
        client.force_login(owner)
        end = date(MONTH.year, MONTH.month + 1, 1)
        params = {"start": MONTH.isoformat(), "end": end.isoformat()}
        response = client.get(url, params)  # warm-up
        if response.status_code != 200:
            return {"skipped": f"calendar-feed answered {response.status_code}"}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        result[f"queries_{label}"] = len(queries)
        result[f"events_{label}"] = len(response.json())
        if label == "large":
            result.update(summary(timed(lambda c=client, u=url, p=params: c.get(u, p), runs)))
    return result


def measure_check(workspace, runs: int) -> dict:
    try:
        from tribune.editorial.checks import run_checks
    except ImportError as exc:
        return {"skipped": f"checks.run_checks missing ({exc})"}
    start = MONTH
    end = date(MONTH.year, MONTH.month + 3, 1)
    findings = run_checks(workspace, start, end)  # warm-up
    result = summary(timed(lambda: run_checks(workspace, start, end), runs))
    result["findings"] = len(findings)
    return result


def measure_import(workspace, owner) -> dict:
    try:
        from tribune.editorial import actions_imports, imports
    except ImportError as exc:
        return {"skipped": f"imports missing ({exc})"}
    from tribune.editorial.models import ImportJob
    from tribune.workspaces.actions import access_workspace

    lines = ["date,title,text,networks,link,persona,pillar,format,tags"]
    for i in range(IMPORT_ROWS):
        day = SPAN_START + timedelta(days=i % SPAN_DAYS)
        lines.append(
            f'{day} 10:{i % 60:02d},Imported {i},"Text of imported post {i}",'
            f'"linkedin, bluesky",https://example.org/i/{i},P{i % 5},Product,organic,"a, b"'
        )
    raw = ("\n".join(lines) + "\n").encode()
    access = access_workspace(owner, workspace.slug)
    times = []
    for _ in range(IMPORT_RUNS):
        began = time.perf_counter()
        job = actions_imports.do_start_import(access, raw, "bench.csv", imports.TRIBUNE)
        job = actions_imports.run_job(job.pk)
        times.append((time.perf_counter() - began) * 1000)
        if job.status != ImportJob.Status.DONE:
            return {"skipped": f"import failed: {job.errors[:3]}"}
    result = summary(times)
    result["rows"] = IMPORT_ROWS
    return result


def child(backend: str, database_url: str, runs: int) -> None:
    """Seed and measure on one backend; print one JSON line."""
    with tempfile.TemporaryDirectory() as tmp:
        configure(Path(tmp), database_url)
        began = time.perf_counter()
        small = seed("bench-small", SMALL_POSTS, SMALL_MONTH_POSTS)
        large = seed("bench-large", TOTAL_POSTS, MONTH_POSTS)
        seeded_s = time.perf_counter() - began
        if backend == "postgresql":
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # As tribune/wsgi.py does in a web process: the long-lived heap (here the
        # seed's objects too) is kept out of garbage collections during requests.
        gc.collect()
        gc.freeze()
        result = {
            "backend": backend,
            "seed_s": seeded_s,
            "feed": measure_feed({"small": small, "large": large}, runs),
            "check": measure_check(large[0], max(5, runs // 3)),
            "import": measure_import(*large),
        }
        print("RESULT " + json.dumps(result))


def recreate_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def cell(part: dict, key: str, unit: str = "ms") -> str:
    if "skipped" in part:
        return "skipped"
    value = part.get(key)
    if value is None:
        return "-"
    return f"{value / 1000:.1f} s" if unit == "s" else f"{value:.1f} ms"


def report(results: list[dict]) -> int:
    rows = [
        ("calendar feed (month, 5,000 posts)", "feed", "ms"),
        ("calendar check (3 months)", "check", "ms"),
        (f"CSV import ({IMPORT_ROWS:,} rows)", "import", "s"),
    ]
    print(f"{'measure':38} {'backend':11} {'median':>10} {'p95':>10} {'target':>10}  note")
    failed = 0
    for label, key, unit in rows:
        for result in results:
            part = result[key]
            target = TARGETS_MS[key]
            note = part.get("skipped", "")
            if key == "feed" and "skipped" not in part:
                note = (
                    f"queries: {part['queries_small']} with {SMALL_POSTS:,} posts, "
                    f"{part['queries_large']} with {TOTAL_POSTS:,}; "
                    f"{part['events_large']} events"
                )
            if key == "check" and "skipped" not in part:
                note = f"{part['findings']} findings"
            missed = "skipped" not in part and part["p95"] > target
            if result["backend"] == "postgresql" and missed:
                failed += 1
                note = ("MISSED TARGET; " + note).rstrip("; ")
            shown_target = f"{target / 1000:.0f} s" if unit == "s" else f"{target:.0f} ms"
            print(
                f"{label:38} {result['backend']:11} {cell(part, 'median', unit):>10} "
                f"{cell(part, 'p95', unit):>10} {shown_target:>10}  {note}"
            )
    for result in results:
        print(f"seeding {result['backend']}: {result['seed_s']:.0f} s")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/tribune_bench")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database_url, args.runs)
        return 0
    results = []
    for backend in args.backends.split(","):
        if backend == "postgresql":
            url = args.postgres
            recreate_postgres(url)
        else:
            url = "sqlite:///" + str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                backend,
                "--database-url",
                url,
                "--runs",
                str(args.runs),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [x for x in out.stdout.splitlines() if x.startswith("RESULT ")]
        if out.returncode or not lines:
            print(f"{backend}: the run failed\n{out.stderr[-3000:]}", file=sys.stderr)
            return 1
        results.append(json.loads(lines[-1][len("RESULT ") :]))
    return report(results)


if __name__ == "__main__":
    sys.exit(main())
