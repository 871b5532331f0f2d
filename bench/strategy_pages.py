"""Server time and query count of the strategy pages on a large workspace.

    .venv/bin/python bench/strategy_pages.py [--runs N]

Seeds, in a temporary SQLite database, one workspace with 200 personas, 200
objectives and 30 chosen networks with their speaking policies, signs in with
Django's test Client and requests each main page N times. Prints, per page,
the status, the number of queries (CaptureQueriesContext) and the
median and 95th percentile of the time spent in Django, against the targets:
at most 15 queries and p95 under 50 ms. A page whose URL name does not resolve
yet is skipped and said so. Exits 1 when a page misses a target or fails.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from throwaway import configure

MAX_QUERIES = 15
P95_TARGET_MS = 50.0
PERSONAS, OBJECTIVES, CHOICES, MEMBERS = 200, 200, 30, 8


def seed() -> tuple[object, dict[str, object]]:
    """Create the large workspace; returns its owner and the URL arguments per page."""
    from tribune.strategy import catalog
    from tribune.strategy.choices import Audience, ContentFormat, Kpi, Lever
    from tribune.strategy.models import NetworkChoice, Objective, Persona, SpeakingPolicy
    from tribune.workspaces.models import Membership, User, Workspace
    from tribune.workspaces.roles import Role

    workspace = Workspace.objects.create(name="Bench brand", slug="bench")
    roles = [Role.STRATEGIST, Role.EDITOR, Role.PUBLISHER, Role.RESPONDER, Role.MODERATOR]
    owner = User.objects.create_user("owner", "owner@example.org", "bench-password-1")
    members = [Membership.objects.create(workspace=workspace, user=owner, roles=[Role.OWNER])]
    for i in range(1, MEMBERS):
        user = User.objects.create_user(f"member{i}", f"member{i}@example.org", "pw-bench-1")
        members.append(
            Membership.objects.create(
                workspace=workspace, user=user, roles=[roles[i % len(roles)].value]
            )
        )

    keys = [network.key for network in catalog.networks()]
    # The reference data may hold fewer networks than we want to choose.
    keys += [f"bench-network-{i}" for i in range(max(0, CHOICES - len(keys)))]
    formats = list(ContentFormat.values)
    personas = Persona.objects.bulk_create(
        Persona(
            workspace=workspace,
            name=f"Persona {i:03d}",
            description="A target described in a few sentences. " * 4,
            audience=list(Audience.values)[i % 3],
            age_min=18 + i % 20,
            age_max=40 + i % 40,
            location="France",
            interests="design, crafts, local shops",
            needs="Advice before buying",
            networks=keys[i % 10 : i % 10 + 4],
            formats=formats[i % 5 : i % 5 + 3],
        )
        for i in range(PERSONAS)
    )
    levers, kpis = list(Lever.values), [k for k in Kpi.values if k != Kpi.CUSTOM]
    # The owner field has pointed at a User or a Membership as the model grew.
    owner_is_member = Objective._meta.get_field("owner").related_model is Membership
    owners = members if owner_is_member else [m.user for m in members]
    objectives = Objective.objects.bulk_create(
        Objective(
            workspace=workspace,
            title=f"Objective {i:03d}",
            lever=levers[i % len(levers)],
            kpi=kpis[i % len(kpis)],
            baseline=Decimal(100 + i),
            target=Decimal(200 + i),
            deadline=date.today() + timedelta(days=30 + i),
            owner=owners[i % len(owners)],
            networks=keys[i % 7 : i % 7 + 3],
        )
        for i in range(OBJECTIVES)
    )
    link = Objective.personas.through
    link.objects.bulk_create(
        link(objective_id=o.pk, persona_id=personas[(i + k) % PERSONAS].pk)
        for i, o in enumerate(objectives)
        for k in range(2)
    )
    for i, key in enumerate(keys[:CHOICES]):
        choice = NetworkChoice.objects.create(
            workspace=workspace,
            network=key,
            rationale="Where our targets spend their time.",
            min_posts_per_week=1,
            max_posts_per_week=3 + i % 5,
            chosen_by=owner,
        )
        choice.personas.set(personas[i * 5 : i * 5 + 5])
        choice.objectives.set(objectives[i * 5 : i * 5 + 5])
        policy = SpeakingPolicy.objects.create(
            choice=choice,
            tone="Warm and precise.",
            response_time_minutes=120,
            escalation_contact=members[0],
        )
        policy.publishers.set(members[1:3])
        policy.responders.set(members[3:5])
        policy.moderators.set(members[5:7])

    slug = {"slug": workspace.slug}
    pages = {
        "workspace-overview": slug,
        "persona-list": slug,
        "persona-detail": {**slug, "persona_id": personas[0].pk},
        "objective-list": slug,
        "network-list": slug,
        "team": slug,
        "plan": slug,
    }
    return owner, pages


def measure(client, url: str, runs: int) -> tuple[int, int, float, list[float]]:
    """Request `url` once to warm up (timed: the first view, before any cache),
    once counting queries, then `runs` times timed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    status = client.get(url).status_code
    first = (time.perf_counter() - started) * 1000
    # As tribune/wsgi.py does in a web process: the long-lived heap (here, the
    # seed data too) is left out of garbage collections during requests.
    gc.freeze()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Count now: every later request empties the log CaptureQueriesContext reads.
    count = len(queries)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return status, count, first, timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tribune-bench-") as var:
        configure(Path(var))
        from django.test import Client
        from django.urls import NoReverseMatch, reverse

        owner, pages = seed()
        # A page that raises is reported with its status (500), not a traceback.
        client = Client(raise_request_exception=False)
        client.force_login(owner)
        print(
            f"{PERSONAS} personas, {OBJECTIVES} objectives, {CHOICES} networks with "
            f"speaking policies, {MEMBERS} members; {args.runs} timed runs per page\n"
        )
        header = (
            f"{'page':<20} {'status':>6} {'queries':>7} {'first ms':>8} {'median ms':>9} "
            f"{'p95 ms':>7}  verdict"
        )
        print(header)
        print("-" * len(header))
        missed = 0
        for name, kwargs in pages.items():
            try:
                url = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                print(f"{name:<20} skipped: the URL name does not resolve yet")
                continue
            status, queries, first, timings = measure(client, url, args.runs)
            median, high = statistics.median(timings), p95(timings)
            problems = [
                *([f"status {status}"] if status != 200 else []),
                *([f"> {MAX_QUERIES} queries"] if queries > MAX_QUERIES else []),
                *([f"p95 > {P95_TARGET_MS:.0f} ms"] if high > P95_TARGET_MS else []),
            ]
            missed += bool(problems)
            verdict = "MISSED: " + ", ".join(problems) if problems else "ok"
            print(
                f"{name:<20} {status:>6} {queries:>7} {first:>8.1f} {median:>9.1f} "
                f"{high:>7.1f}  {verdict}"
            )
        print(f"\ntargets: at most {MAX_QUERIES} queries, p95 under {P95_TARGET_MS:.0f} ms")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
