"""Breakdowns by network, persona, pillar and format: exact sums from hand-made totals,
names resolved, the engagement rate's definition shown, and the CSV."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tribune.analytics import dashboards
from tribune.analytics.dashboards import Period

from .dashboards_samples import account, local, persona, pillar, published

PERIOD = Period(date(2025, 3, 3), date(2025, 3, 16))
CUSTOM = "days=custom&start=2025-03-03&end=2025-03-16"


@pytest.fixture
def figures(workspace):
    masto, linked = account(workspace, "mastodon"), account(workspace, "linkedin")
    lea, ghost = persona(workspace, "Léa, maker"), persona(workspace, "Ghost")
    scenes = pillar(workspace, "Behind the scenes")
    day = date(2025, 3, 4)
    published(
        workspace,
        masto,
        "One",
        local(day, 9),
        persona_obj=lea,
        pillar_obj=scenes,
        views=1000,
        engagements=20,
        likes=10,
        comments=5,
        shares=5,
        clicks=0,
    )
    published(
        workspace,
        linked,
        "Two",
        local(day, 10),
        persona_obj=lea,
        format="sponsored",
        views=200,
        engagements=50,
        likes=30,
        comments=10,
        shares=5,
        clicks=5,
    )
    # Mastodon gives no views for this one: its 7 engagements stay out of the rate.
    published(workspace, masto, "Three", local(day, 11), pillar_obj=scenes, engagements=7, likes=7)
    published(
        workspace,
        linked,
        "Four",
        local(day, 12),
        persona_obj=ghost,
        format="share",
        views=10,
        engagements=1,
        likes=1,
    )
    # Outside the period: counted nowhere.
    published(workspace, masto, "Later", local(date(2025, 3, 17), 9), views=5, engagements=5)
    ghost_id = ghost.pk
    ghost.delete()
    return ghost_id  # fmt: skip


def test_it_groups_by_network_with_the_rate_over_posts_that_have_views(workspace, figures):
    table = dashboards.breakdown(workspace, PERIOD, "network")
    assert [c.label for c in table.columns] == [
        "Network", "Posts", "Views", "Engagements", "Engagement rate (%)", "Likes", "Comments",
        "Shares", "Clicks",
    ]  # fmt: skip
    assert table.rows == [
        ["LinkedIn", 2, 210, 51, 24.29, 31, 10, 5, 5],
        ["Mastodon", 2, 1000, 27, 2.0, 17, 5, 5, 0],
    ]
    engaged, rate = table.charts
    assert engaged.labels == ["LinkedIn", "Mastodon"]
    assert engaged.datasets[0]["data"] == [51, 27]
    assert rate.percent and rate.datasets[0]["data"] == [24.29, 2.0]


def test_it_names_personas_and_says_none_or_deleted(workspace, figures):
    table = dashboards.breakdown(workspace, PERIOD, "persona")
    assert table.rows == [
        ["Léa, maker", 2, 1200, 70, 5.83, 40, 15, 10, 5],
        ["none", 1, None, 7, None, 7, None, None, None],
        [f"deleted (#{figures})", 1, 10, 1, 10.0, 1, None, None, None],
    ]


def test_it_groups_by_pillar_and_format(workspace, figures):
    pillars = dashboards.breakdown(workspace, PERIOD, "pillar")
    assert [(r[0], r[1], r[3]) for r in pillars.rows] == [
        ("none", 2, 51),
        ("Behind the scenes", 2, 27),
    ]
    formats = dashboards.breakdown(workspace, PERIOD, "format")
    assert [(r[0], r[1], r[3]) for r in formats.rows] == [
        ("Sponsored post", 1, 50),
        ("Organic post", 2, 27),
        ("Share", 1, 1),
    ]


def page(workspace, query: str) -> str:
    return reverse("analytics-breakdown", args=[workspace.slug]) + "?" + query


def test_it_shows_the_breakdown_with_its_definitions(client, workspace, alice, figures):
    client.force_login(alice)
    response = client.get(page(workspace, CUSTOM + "&by=persona"))
    assert response.status_code == 200
    text = response.text
    assert "Posts published in the period by persona" in text
    assert "Léa, maker" in text and "none" in text
    assert "Engagement rate = engagements ÷ views × 100" in text
    assert 'data-chart="chart-breakdown-persona-1"' in text
    assert 'data-chart="chart-breakdown-persona-2"' in text
    assert "table=breakdown-persona" in text and "by=persona" in text


def test_it_refuses_an_unknown_grouping_with_a_message(client, workspace, alice, figures):
    client.force_login(alice)
    response = client.get(page(workspace, CUSTOM + "&by=colour"))
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert "Posts published in the period by network" in response.text


def test_it_downloads_the_breakdown_as_csv(client, workspace, alice, figures):
    client.force_login(alice)
    query = CUSTOM + "&by=network&format=csv&table=breakdown-network"
    response = client.get(page(workspace, query))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="lumen-breakdown-network-2025-03-03-2025-03-16.csv"'
    )
    assert response.content.decode("utf-8") == (
        "\ufeffNetwork,Posts,Views,Engagements,Engagement rate (%),Likes,Comments,Shares,Clicks\r\n"
        "LinkedIn,2,210,51,24.29,31,10,5,5\r\n"
        "Mastodon,2,1000,27,2,17,5,5,0\r\n"
    )


def test_it_answers_404_for_a_table_the_page_does_not_have(client, workspace, alice):
    client.force_login(alice)
    url = page(workspace, "by=persona&format=csv&table=breakdown-network")
    assert client.get(url).status_code == 404
