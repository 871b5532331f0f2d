"""Where a worker's CPU goes per published target: a diagnostic, in one process.

    .venv/bin/python bench/publishing_profile.py [--backend sqlite|postgresql]
        [--targets N] [--accounts N] [--latency S] [--top N] [--no-profile]
        [--accounts-one-by-one]

Builds the same throw-away world as bench/publishing.py (simulator, accounts,
one target per post, all due now), then runs the worker's loop in this process
(runner.publish_due: batched claims, each claim sent in turn in this thread;
with --accounts-one-by-one, `engine.drain` for each account instead, the path
before the loop), and prints: CPU time per published target
(`time.process_time`, this process only: the simulator and the database server
run in their own), SQL queries per target, and, unless --no-profile, cProfile's
top functions by cumulative time. CPU time barely depends on what else the
machine runs, so this is the figure to compare before and after a change to
the engine; the end-to-end lateness is bench/publishing.py's.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import network_simulator as simulator  # noqa: E402
import publishing_setup as setup  # noqa: E402


def server_cpu_s(name: str = "postgres") -> float:
    """CPU seconds used so far by every process called `name` (the database server)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != name:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        self.sql.append(sql)
        return execute(sql, params, many, context)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--targets", type=int, default=600)
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.005)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="cumulative", help="cumulative or tottime")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--show-queries", action="store_true", help="print one drain's SQL")
    parser.add_argument(
        "--accounts-one-by-one", action="store_true",
        help="engine.drain account by account (the path before the batched loop)")  # fmt: skip
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="tribune-bench-prof-"))
    faults = simulator.Faults(args.latency, 0.0, 0.0, seed=7)
    sim, sim_url = simulator.start(faults, var / "simulator.log")
    install = setup.prepare_install(args.backend, var, None)
    try:
        setup.setup_django()
        from django.db import connection
        from django.utils import timezone

        from tribune.publishing import engine, runner
        from tribune.publishing.models import Target, TargetState

        world = setup.seed(sim_url, args.accounts, args.targets, 0)
        setup.start_at(world, timezone.now())  # queued tasks go unused: we drain here
        # Warm up: imports, connection, first-call caches; not counted.
        engine.drain(world.account_ids[0], limit=1)
        if args.show_queries:
            shown = QueryCounter()
            with connection.execute_wrapper(shown):
                engine.drain(world.account_ids[1])
            print(f"one drain of account {world.account_ids[1]}: {shown.count} queries")
            for sql in shown.sql:
                print("  ", sql[:160])
        counter = QueryCounter()
        profile = cProfile.Profile(time.process_time) if not args.no_profile else None
        cpu0, wall0, server0 = time.process_time(), time.perf_counter(), server_cpu_s()
        with connection.execute_wrapper(counter):
            if profile:
                profile.enable()
            if args.accounts_one_by_one:
                for account_id in world.account_ids:
                    engine.drain(account_id)
            else:
                # The worker's loop, sending in this thread (batched claims, no pool).
                runner.publish_due(inline=True)
            if profile:
                profile.disable()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        server = server_cpu_s() - server0
        published = Target.objects.filter(state=TargetState.PUBLISHED).count() - 1
        others = Target.objects.exclude(state=TargetState.PUBLISHED).count()
        print(f"backend {args.backend}, {published} targets published here ({others} not)")
        per = 1000 / published
        print(f"CPU per target: {cpu * per:.2f} ms (wall {wall * per:.2f} ms, profiler on: "
              f"{profile is not None})")  # fmt: skip
        print(f"queries per target: {counter.count / published:.1f}")
        if args.backend == "postgresql":
            print(f"PostgreSQL server CPU per target: {server * per:.2f} ms (every backend on "
                  "the machine: other work on it counts too)")  # fmt: skip
        if profile:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())
    finally:
        simulator.stop(sim)
        from django.db import connections

        connections.close_all()
        if install.backend == "postgresql":
            setup.drop_postgres()
        import shutil

        shutil.rmtree(var, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
