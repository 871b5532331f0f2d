"""Each dashboard runs a fixed, small number of queries, whatever the amount of data, and
never reads the raw snapshots (ten million of them would make any page slow)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tribune.strategy.models import NetworkChoice, Objective

from .dashboards_samples import account, local, persona, pillar, planned, published, rollup

START = date(2025, 3, 3)
PERIOD = "days=custom&start=2025-03-03&end=2025-03-30"
PAGES = {
    "analytics": PERIOD,
    "analytics-breakdown": PERIOD + "&by=persona",
    "analytics-best-time": "network=mastodon",
}
# Measured: 13, 7 and 9 (session, user, membership, the menu's workspaces and
# notifications, the KPIs' own three, each figure's one to three), plus room for two
# more in the shared layout.
MAX_QUERIES = {"analytics": 15, "analytics-breakdown": 9, "analytics-best-time": 11}


def add_data(workspace, networks: list[str], posts_per_account: int) -> None:
    """Accounts on `networks`, each with posts, personas, pillars and daily rollups."""
    for network in networks:
        on = account(workspace, network)
        label = f"{network} {posts_per_account}"
        who, what = persona(workspace, f"Persona {label}"), pillar(workspace, f"Pillar {label}")
        NetworkChoice.objects.get_or_create(
            workspace=workspace, network=network, defaults={"rationale": "r",
            "min_posts_per_week": 1},
        )  # fmt: skip
        for i in range(posts_per_account):
            day = START + timedelta(days=i % 28)
            published(workspace, on, f"{network} {i}", local(day, 8 + i % 12),
                      persona_obj=who, pillar_obj=what, views=100 + i, likes=i)  # fmt: skip
            rollup(workspace, on, day, persona_id=i + 1, likes=i)
            planned(workspace, f"Plan {network} {i}", local(day, 18), (network,))
        for i in range(28):
            rollup(workspace, on, START + timedelta(days=i), followers=1000 + i)


def count(client, workspace, name: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name, args=[workspace.slug]) + "?" + PAGES[name])
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("name", list(PAGES))
def test_it_runs_the_same_few_queries_on_more_data(client, workspace, alice, name):
    Objective.objects.create(
        workspace=workspace, title="Audience", lever="visibility", kpi="audience",
        baseline=10, target=20, deadline=date(2030, 1, 1),
    )  # fmt: skip
    client.force_login(alice)
    add_data(workspace, ["mastodon"], 3)
    small = count(client, workspace, name)
    add_data(workspace, ["linkedin", "bluesky", "threads"], 12)
    add_data(workspace, ["mastodon"], 5)
    large = count(client, workspace, name)
    assert len(large) == len(small), "\n".join(large)
    assert len(large) <= MAX_QUERIES[name], "\n".join(large)
    assert not [sql for sql in large if "analytics_snapshot" in sql]


def test_it_keeps_under_the_bound_with_django_assert(
    client, workspace, alice, django_assert_max_num_queries
):
    client.force_login(alice)
    add_data(workspace, ["mastodon", "linkedin"], 6)
    for name, query in PAGES.items():
        with django_assert_max_num_queries(MAX_QUERIES[name]):
            client.get(reverse(name, args=[workspace.slug]) + "?" + query)
