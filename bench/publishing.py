"""Publishing at scale: lateness, duplicates, losses, crashes and memory of the workers.

    .venv/bin/python bench/publishing.py steady [--backend sqlite|postgresql]
    .venv/bin/python bench/publishing.py burst  [--backend ...]
    .venv/bin/python bench/publishing.py crash  [--backend ...]
    options: --workers N --threads N --targets N --accounts N --latency S
             --error-rate F --rate-limited-rate F --lease S --kills N
             --timeout S --keep --huey-options "-m 1" (passed to `tribune worker`)

Each run builds a throw-away install (a temporary var dir; SQLite there, or
the PostgreSQL database tribune_bench_pub dropped and created again, with
Redis database 14 under its own queue name), starts bench/network_simulator.py
as the Mastodon server of 1,000 accounts, seeds scheduled posts with
bulk_create (one Mastodon variant and one target each, the target's id
written in its text as a marker), starts real `tribune worker` processes
(what `tribune run` starts: one, on the SQLite queue; on PostgreSQL + Redis,
two), calls tasks.enqueue per (account, due second) as plan_targets does
(due times within a quarter second share one `publish_due` task), and
watches the targets until every one is settled. It then prints, from the
Target and Attempt rows and the simulator's counts:

- steady: 10,000 targets due within one minute, 100 ms latency, 1% of
  statuses answered 5xx (half after creating the status) and 0.5% 429:
  duplicates, lost targets, counts per final state, p50/p99 lateness
  (published_at - due_at) and throughput. Targets: no duplicate, none lost,
  p99 <= 2 s on PostgreSQL + Redis, <= 5 s on SQLite.
- burst: 5,000 targets due the same second, no faults: time until all are
  done, throughput as a share of the simulator's raw capacity measured in the
  same run with a plain httpx client at the same concurrency (target >= 25%),
  and the largest resident memory of a worker (target < 500 MB).
- crash: the steady load with a 20 s lease; a worker is killed with SIGKILL
  ten times, 2 to 6 s apart (random) while targets remain, and started again
  at once. Every target must end published exactly once on the network, or
  failed/unknown with a reason; none twice, none lost.
- light (not in the issue): 600 targets over a minute, no faults, to see the
  queue's own delay when nothing waits behind anything.

Lateness is also given for the targets published at their first attempt: a
retry waits by design (after a 5xx, 0.5 to 1 s the first time: publishing/
retry.py; after a 429, the Retry-After of 1 or 2 s), and with 1.5% of targets
retried the overall p99 falls among them.

Exits 1 when a target is missed. Worker logs stay in the var dir with --keep.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import network_simulator as simulator  # noqa: E402
import publishing_procs as procs  # noqa: E402
import publishing_setup as setup  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = {
    # targets, spread of the due times (s), 5xx rate, 429 rate, lease (s), kills
    "steady": (10_000, 60, 0.01, 0.005, None, 0),
    "burst": (5_000, 0, 0.0, 0.0, None, 0),
    "crash": (10_000, 60, 0.01, 0.005, 20, 10),
    # Not in the issue: a light load, to see the queue's own delay without a backlog.
    "light": (600, 60, 0.0, 0.0, None, 0),
}
P99_TARGET_S = {"postgresql": 2.0, "sqlite": 5.0}
BURST_RATIO_TARGET = 0.25
RSS_TARGET_MB = 500
# Time between queueing and the first due time: queueing must be over by then, and the
# workers must have moved the tasks into the schedule. One task costs about 4 ms on the
# SQLite queue (a commit each, beside a busy worker), well under 1 ms on Redis.
LEAD_S = 8.0
LEAD_PER_TASK_S = {"sqlite": 0.006, "postgresql": 0.001}
# Seconds between two kills in the crash scenario (uniform): ten fit in the minute of due
# times (with 3 to 20 s, the run was often over before the tenth).
KILL_GAP_S = (2.0, 6.0)


def mastodon_concurrency() -> int:
    """Publishes to one Mastodon server at once per worker process (the rules table)."""
    from tribune.editorial.rules_table import rules_for

    return rules_for("mastodon").pace.network_concurrency


def engine_concurrency(workers: int) -> int:
    """Requests the engine may have in flight to the simulator: per worker process, its
    publishing threads (not Huey's) capped by Mastodon's rules."""
    from django.conf import settings

    return min(settings.PUBLISH_THREADS, mastodon_concurrency()) * workers


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def machine() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    commit = git("rev-parse", "--short", "HEAD").strip()
    # Others edit the engine in this checkout: say when the workers ran uncommitted code.
    dirty = git("status", "--porcelain", "tribune/publishing", "tribune/networks/clients.py",
                "tribune/networks/http.py", "tribune/networks/mastodon").strip()  # fmt: skip
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores, load {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} (1/5/15 min), "
        f"commit {commit}" + (" + uncommitted engine changes" if dirty else "")
    )


class Run:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.kill_log: list[str] = []

    def watch(self, start, deadline: float, workers: procs.Workers) -> None:
        """Poll the targets until none is scheduled or publishing (or the deadline)."""
        from django.db.models import Count
        from django.utils import timezone

        from tribune.publishing.models import Target, TargetState

        self.start = start
        rng = random.Random(self.args.seed)
        kills_left = self.args.kills
        next_kill = start + timedelta(seconds=rng.uniform(*KILL_GAP_S))
        last_print = 0.0
        while True:
            now = time.time()
            counts = dict(Target.objects.values_list("state").annotate(n=Count("pk")))
            pending = counts.get(TargetState.SCHEDULED, 0) + counts.get(TargetState.PUBLISHING, 0)
            if now - last_print >= 5:
                late = (timezone.now() - start).total_seconds()
                print(f"  t{late:+6.0f}s {dict(sorted(counts.items()))}", file=sys.stderr,
                      flush=True)  # fmt: skip
                last_print = now
            if timezone.now() > start and not pending:
                return
            if now > deadline:
                print("  deadline reached: stopping the watch", file=sys.stderr, flush=True)
                return
            # Kills at random moments while targets are still to publish.
            if kills_left and timezone.now() >= next_kill:
                kills_left -= 1
                self.crash_one(workers, rng)
                next_kill = timezone.now() + timedelta(seconds=rng.uniform(*KILL_GAP_S))
            time.sleep(0.5)

    def crash_one(self, workers: procs.Workers, rng: random.Random) -> None:
        from django.utils import timezone

        name = rng.choice(sorted(workers.running))
        procs.wait_ready(workers.running[name])  # kill a worker at work, not one booting
        workers.kill(name)
        workers.start(name, wait=False)
        self.kill_log.append(f"t+{(timezone.now() - self.start).total_seconds():.0f}s")
        print(f"  killed {name} with SIGKILL and started it again", file=sys.stderr, flush=True)


def results(start, sim_url: str) -> dict:
    from django.db.models import Count, Max

    from tribune.publishing.models import Attempt, Outcome, Target, TargetState

    rows = list(
        Target.objects.values_list(
            "post_id", "state", "problem", "due_at", "published_at", "attempt_count"
        )
    )
    created = simulator.stats(sim_url, markers=True)
    per_marker = created.pop("created_per_marker")
    states = Counter(r[1] for r in rows)
    published = [r for r in rows if r[1] == TargetState.PUBLISHED]
    lateness = [(r[4] - r[3]).total_seconds() for r in published]
    first_try = [(r[4] - r[3]).total_seconds() for r in published if r[5] == 1]
    settled_with_reason = {TargetState.FAILED, TargetState.UNKNOWN}
    lost = [
        r
        for r in rows
        if r[1] in {TargetState.SCHEDULED, TargetState.PUBLISHING}
        or (r[1] in settled_with_reason and not r[2])
    ]
    last = Attempt.objects.aggregate(last=Max("finished_at"))["last"]
    # Where the lateness comes from: waiting to be claimed, or the attempt itself.
    firsts = Attempt.objects.filter(number=1).values_list(
        "started_at", "finished_at", "target__due_at"
    )
    waits = [(started - due).total_seconds() for started, _end, due in firsts]
    durations = [(end - started).total_seconds() for started, end, _due in firsts if end]
    # Targets sent again after a success: harmless only thanks to the network's key.
    sent_again = list(
        Attempt.objects.filter(outcome__in=[Outcome.PUBLISHED, Outcome.FOUND])
        .values("target_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("target_id", flat=True)
    )
    sent_again_sample = [
        list(
            Attempt.objects.filter(target_id=pk).values_list(
                "target_id", "number", "worker", "started_at", "finished_at", "outcome",
                "status_code",
            )
        )
        for pk in sent_again[:3]
    ]  # fmt: skip
    elapsed = (last - start).total_seconds() if last else None
    return {
        "targets": len(rows),
        "states": dict(states),
        "problems": dict(Counter(r[2] for r in rows if r[2])),
        "attempts": dict(Attempt.objects.values_list("outcome").annotate(n=Count("pk"))),
        "lost": len(lost),
        "duplicates": sum(1 for n in per_marker.values() if n > 1),
        # Published in Tribune but not created on the network, or the reverse.
        "published_not_created": sum(1 for r in published if per_marker.get(str(r[0]), 0) == 0),
        "created_not_published": sum(
            1 for r in rows if r[1] == TargetState.FAILED and per_marker.get(str(r[0]), 0)
        ),
        "published_twice_in_tribune": len(sent_again),
        "published_twice_sample": sent_again_sample,
        "lateness": lateness,
        "claim_wait": waits,
        "attempt_duration": durations,
        "first_try": first_try,
        "elapsed": elapsed,
        "network": created,
    }


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def report(args, found: dict, extra: dict) -> int:
    """Print the figures and the verdicts; return the exit code."""
    missed = []
    lateness, first_try = found["lateness"], found["first_try"]
    p99 = percentile(lateness, 0.99)
    network = found["network"]
    print(f"\n== publishing {args.scenario} on {args.backend} ==")
    print(f"machine: {extra['machine']}; load at the end {extra['load_end']}")
    print(
        f"workers: {args.workers} x TRIBUNE_WORKER_THREADS={args.threads}, Mastodon network "
        f"concurrency {mastodon_concurrency()} per process"
        + (f"; worker options {args.huey_options}" if args.huey_options else "")
    )
    print(
        f"load: {found['targets']:,} targets on {args.accounts:,} accounts, due over "
        f"{args.spread} s; latency {args.latency * 1000:.0f} ms, 5xx {args.error_rate:.1%} "
        f"(half after creating), 429 {args.rate_limited_rate:.1%}"
        + (f"; lease {args.lease} s, {len(extra['kills'])} kills" if args.lease else "")
    )
    print(
        f"queued: {extra['tasks']:,} enqueue calls in {extra['enqueue_s']:.1f} s; "
        f"at the first due time {extra['queue_at_start']}"
    )
    print(f"final states: {found['states']}")
    if found["problems"]:
        print(f"problems: {found['problems']}")
    print(f"attempts by outcome: {found['attempts']}")
    print(f"network answers: {network['answers']}")
    print(
        f"network: {network['statuses_created']:,} statuses created for "
        f"{network['markers_created']:,} targets; at most {network['max_inflight']} requests "
        f"at once; {network['account_overlaps']} overlapping requests of one account"
    )
    print(
        f"duplicates: {found['duplicates']}  lost: {found['lost']}  "
        f"published but not on the network: {found['published_not_created']}  "
        f"on the network but failed: {found['created_not_published']}"
    )
    if found["published_twice_in_tribune"]:
        print(
            f"published twice by Tribune (the network's idempotency key absorbed it): "
            f"{found['published_twice_in_tribune']}; e.g. {found['published_twice_sample']}"
        )
    if network["account_overlaps"]:
        print(f"overlapping requests of one account, e.g. {network['overlaps_sample'][:3]}")
    if found["duplicates"] or found["lost"] or found["published_not_created"]:
        missed.append("duplicates/lost")
    print(
        f"lateness (published_at - due_at), {len(lateness):,} published: "
        f"p50 {seconds(percentile(lateness, 0.5))}, p99 {seconds(p99)}, "
        f"max {seconds(max(lateness) if lateness else None)}"
    )
    print(
        f"  published at the first attempt ({len(first_try):,}): "
        f"p50 {seconds(percentile(first_try, 0.5))}, p99 {seconds(percentile(first_try, 0.99))}"
    )
    waits, durations = found["claim_wait"], found["attempt_duration"]
    print(
        f"  first attempts: claimed after the due time p50 {seconds(percentile(waits, 0.5))}, "
        f"p99 {seconds(percentile(waits, 0.99))}; claim to settled p50 "
        f"{seconds(percentile(durations, 0.5))}, p99 {seconds(percentile(durations, 0.99))}"
    )
    elapsed = found["elapsed"]
    throughput = found["targets"] / elapsed if elapsed else 0.0
    print(f"all settled {seconds(elapsed)} after the first due time: {throughput:.1f} targets/s")
    if args.scenario in {"steady", "light"}:
        target = P99_TARGET_S[args.backend]
        verdict = "met" if p99 is not None and p99 <= target else "MISSED"
        print(f"target p99 <= {target:.0f} s: {verdict}")
        if verdict != "met":
            missed.append("p99")
    if args.scenario == "burst":
        raw = extra["raw"]
        ratio = throughput / raw["per_second"] if raw["per_second"] else 0.0
        verdict = "met" if ratio >= BURST_RATIO_TARGET else "MISSED"
        print(
            f"raw capacity of the simulator, plain httpx client with {raw['concurrency']} at "
            f"once: {raw['per_second']:.1f} statuses/s; engine {throughput:.1f}/s = {ratio:.0%} "
            f"(target >= {BURST_RATIO_TARGET:.0%}: {verdict})"
        )
        if ratio < BURST_RATIO_TARGET:
            missed.append("burst ratio")
    rss = extra["rss"]
    rss_verdict = "met" if rss.max_kb / 1024 < RSS_TARGET_MB else "MISSED"
    print(
        f"worker resident memory: largest {rss.max_kb / 1024:.0f} MB (target < {RSS_TARGET_MB} "
        f"MB: {rss_verdict}), all workers together {rss.max_total_kb / 1024:.0f} MB"
    )
    if rss_verdict != "met":
        missed.append("memory")
    print(
        f"CPU: workers {rss.workers_cpu_s:.0f} s ({rss.workers_cpu_s * 1000 / found['targets']:.1f}"
        f" ms per target), network simulator {rss.simulator_cpu_s:.0f} s"
        + (" (the killed workers' CPU is not counted)" if extra["kills"] else "")
    )
    if extra["kills"]:
        print(f"kills at {', '.join(extra['kills'])}")
    print(f"verdict: {'all targets met' if not missed else 'MISSED ' + ', '.join(missed)}")
    return 1 if missed else 0


def queue_snapshot() -> str:
    from huey.contrib.djhuey import HUEY

    return f"{HUEY.pending_count()} in the queue, {HUEY.scheduled_count()} in the schedule"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, help="1 on SQLite, 2 on PostgreSQL by default")
    parser.add_argument("--threads", type=int, help="12 on SQLite, 16 on PostgreSQL by default")
    parser.add_argument("--targets", type=int)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--spread", type=int, help="seconds over which the targets are due")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--error-rate", type=float)
    parser.add_argument("--rate-limited-rate", type=float)
    parser.add_argument("--lease", type=int)
    parser.add_argument("--kills", type=int)
    parser.add_argument(
        "--huey-options", default="", help='passed to `tribune worker`, e.g. "-m 1"'
    )
    parser.add_argument("--timeout", type=float, default=720, help="seconds after the start")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the var dir (worker logs)")
    args = parser.parse_args()
    targets, spread, error_rate, limited_rate, lease, kills = SCENARIOS[args.scenario]
    pg = args.backend == "postgresql"
    args.workers = args.workers or (2 if pg else 1)
    args.threads = args.threads or (16 if pg else 12)
    args.targets = args.targets or targets
    args.spread = spread if args.spread is None else args.spread
    args.error_rate = error_rate if args.error_rate is None else args.error_rate
    args.rate_limited_rate = limited_rate if args.rate_limited_rate is None else (
        args.rate_limited_rate)  # fmt: skip
    args.lease = args.lease or lease
    args.kills = kills if args.kills is None else args.kills

    var = Path(tempfile.mkdtemp(prefix="tribune-bench-pub-"))
    faults = simulator.Faults(args.latency, args.error_rate, args.rate_limited_rate, seed=args.seed)
    sim, sim_url = simulator.start(faults, var / "simulator.log")
    install = setup.prepare_install(args.backend, var, args.lease)
    workers = procs.Workers(var, args.threads, args.huey_options.split())
    extra: dict = {"machine": machine(), "kills": []}
    try:
        setup.setup_django()
        began = time.perf_counter()
        world = setup.seed(sim_url, args.accounts, args.targets, args.spread, args.seed)
        print(f"seeded in {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
        for n in range(args.workers):
            workers.start(f"worker{n + 1}")
        if args.scenario == "burst":
            slots = engine_concurrency(args.workers)
            extra["raw"] = simulator.capacity(sim_url, slots, min(args.targets, 2000))
            simulator.reset(sim_url, faults)
        from django.utils import timezone

        pairs = len({(offset, account) for _post, account, offset in world.targets})
        lead = LEAD_S + pairs * LEAD_PER_TASK_S[args.backend]
        start = timezone.now() + timedelta(seconds=lead)
        extra["tasks"], extra["enqueue_s"] = setup.start_at(world, start)
        sampler = procs.MemorySampler(workers, sim.pid)
        sampler.start()
        while timezone.now() < start:
            time.sleep(0.05)
        extra["queue_at_start"] = queue_snapshot()
        run = Run(args)
        run.watch(start, time.time() + args.timeout, workers)
        sampler.stop()
        extra["load_end"] = "{:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())
        extra["rss"], extra["kills"] = sampler, run.kill_log
        found = results(start, sim_url)
    finally:
        workers.stop_all()
        simulator.stop(sim)
        from django.db import connections

        connections.close_all()
        if install.backend == "postgresql" and not args.keep:
            setup.drop_postgres()
    code = report(args, found, extra)
    if args.keep:
        print(f"var dir kept: {var}")
    else:
        import shutil

        shutil.rmtree(var, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
