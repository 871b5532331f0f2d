"""Many objectives' network figures, loaded together, against one query per objective.

`Figures.load` reads the network days once and adds each objective's figures
up in Python; here every objective is checked against the plain way of
reading it alone: its networks, personas and start filtered in SQL, summed by day.
"""

from __future__ import annotations

import random
import zoneinfo
from datetime import UTC, datetime

import pytest
from django.db.models import Sum

from tribune.analytics.kpis import Figures, objective_start
from tribune.analytics.models import NetworkDay
from tribune.analytics.tests.test_kpis_series import day, make_objective
from tribune.strategy.choices import Kpi
from tribune.strategy.models import Persona
from tribune.workspaces.models import Workspace

pytestmark = pytest.mark.django_db

NETWORKS = ["mastodon", "bluesky", "linkedin", "instagram"]
KINDS = [Kpi.AUDIENCE, Kpi.NEW_FOLLOWERS, Kpi.LIKES, Kpi.COMMENTS, Kpi.SHARES, Kpi.ENGAGEMENT_RATE]
COLUMNS = {Kpi.NEW_FOLLOWERS: "new_followers", Kpi.LIKES: "likes", Kpi.COMMENTS: "comments",
           Kpi.SHARES: "shares"}  # fmt: skip


def network_days(workspace: Workspace, personas: list[int], rng: random.Random) -> None:
    """Rows on some days only, some networks and personas only, zeros included; the
    account rows (persona 0) with followers, the others with posts' figures."""
    rows = []
    for offset in range(-10, 30):
        for network in NETWORKS:
            for persona in [0, *personas]:
                if rng.random() < 0.4:
                    continue
                account = persona == 0
                rows.append(
                    NetworkDay(
                        workspace=workspace,
                        day=day(offset),
                        network=network,
                        persona_id=persona,
                        accounts_read=rng.choice([0, 1, 2]) if account else 0,
                        followers_change=rng.randint(-5, 40) if account else 0,
                        new_followers=rng.randint(0, 9) if account else 0,
                        views=rng.choice([0, rng.randint(1, 500)]),
                        engagements=rng.randint(0, 60),
                        likes=rng.randint(0, 30),
                        comments=rng.randint(0, 5),
                        shares=rng.randint(0, 5),
                    )
                )
    NetworkDay.objects.bulk_create(rows)


def alone(workspace: Workspace, objective, until) -> dict:
    """The objective's days read by itself, as one filtered query."""
    rows = NetworkDay.objects.filter(workspace=workspace, day__lte=until)
    if objective.networks:
        rows = rows.filter(network__in=objective.networks)
    if objective.kpi == Kpi.AUDIENCE:
        found = rows.filter(persona_id=0).values("day")
        found = found.annotate(change=Sum("followers_change"), read=Sum("accounts_read"))
        return {r["day"]: (int(r["change"]), int(r["read"])) for r in found}
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    rows = rows.filter(day__gte=objective_start(objective, zone))
    personas = [p.pk for p in objective.personas.all()]
    if personas and objective.kpi != Kpi.NEW_FOLLOWERS:
        rows = rows.filter(persona_id__in=personas)
    if objective.kpi == Kpi.ENGAGEMENT_RATE:
        by_day: dict = {}
        found = rows.values("day", "network").annotate(v=Sum("views"), e=Sum("engagements"))
        for r in found:
            by_day.setdefault(r["day"], {})[r["network"]] = (int(r["v"]), int(r["e"]))
        return by_day
    found = rows.values("day").annotate(total=Sum(COLUMNS[objective.kpi]))
    return {r["day"]: float(r["total"]) for r in found}


def test_it_reads_each_objective_as_it_would_alone(workspace):
    rng = random.Random(7)
    personas = [Persona.objects.create(workspace=workspace, name=f"P{n}") for n in range(4)]
    network_days(workspace, [p.pk for p in personas], rng)
    objectives = []
    for n in range(60):
        kpi = KINDS[n % len(KINDS)]
        chosen = rng.sample(personas, rng.choice([0, 0, 1, 2]))
        objectives.append(
            make_objective(
                workspace,
                kpi,
                networks=rng.sample(NETWORKS, rng.choice([0, 1, 2])),
                personas=chosen,
                # Starts from day 0 to day 4.
                created_at=datetime(2025, 3, 1 + n % 5, 10, 0, tzinfo=UTC),
            )
        )
    # Series shared by several objectives are computed once and must still be right.
    objectives.append(make_objective(workspace, Kpi.LIKES, networks=["bluesky"]))
    objectives.append(make_objective(workspace, Kpi.LIKES, networks=["bluesky"]))
    until = day(25)
    figures = Figures.load(workspace, objectives, until)
    for objective in objectives:
        store = {Kpi.AUDIENCE: figures.audience, Kpi.ENGAGEMENT_RATE: figures.rates}.get(
            objective.kpi, figures.totals
        )
        assert store.get(objective.pk, {}) == alone(workspace, objective, until), objective.pk


def test_it_reads_nothing_after_until_nor_another_workspaces_days(workspace, charlie):
    other = Workspace.objects.get(slug="other")
    NetworkDay.objects.create(workspace=other, day=day(1), network="mastodon", likes=500)
    NetworkDay.objects.create(workspace=workspace, day=day(3), network="mastodon", likes=7)
    NetworkDay.objects.create(workspace=workspace, day=day(9), network="mastodon", likes=9)
    objective = make_objective(workspace, Kpi.LIKES)
    assert Figures.load(workspace, [objective], day(5)).totals[objective.pk] == {day(3): 7.0}
