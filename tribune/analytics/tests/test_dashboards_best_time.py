"""The best-time heatmap (day × hour, posts behind each cell, unreliable cells flagged),
its CSV, and queue slots created from its suggestions through the calendar's action."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.urls import reverse

from tribune.analytics import dashboards
from tribune.editorial.models import QueueSlot
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent
from tribune.workspaces.roles import Role

from .dashboards_samples import account, local, published

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (date(2025, 3, d) for d in range(3, 8))


@pytest.fixture
def figures(workspace):
    masto, linked = account(workspace, "mastodon"), account(workspace, "linkedin")
    for n, (engaged, minute) in enumerate([(10, 0), (20, 15), (30, 45)]):
        published(workspace, masto, f"Tue {n}", local(TUESDAY, 9, minute), engagements=engaged)
    published(workspace, masto, "Wed", local(WEDNESDAY, 14), engagements=100)
    for n in range(4):
        published(workspace, masto, f"Thu {n}", local(THURSDAY, 18), engagements=5)
    for n in range(3):
        published(workspace, masto, f"Fri {n}", local(FRIDAY, 8), engagements=12)
        published(workspace, masto, f"Mon {n}", local(MONDAY, 7), engagements=1)
        # No own total: likes + comments count.
        published(workspace, linked, f"In {n}", local(MONDAY, 8), likes=30, comments=10)
    return masto, linked


def cells(grid) -> dict[tuple[int, int], tuple[int, float | None, int, bool]]:
    return {
        (c.weekday, c.hour): (c.posts, c.average, c.level, c.reliable)
        for line in grid
        for c in line
        if c.posts
    }


def test_it_averages_engagements_per_cell_with_the_posts_behind_them(workspace, figures):
    grid, table = dashboards.heatmap(workspace)
    assert len(grid) == 7 and all(len(line) == 24 for line in grid)
    # (posts, average, shade 1–5 against the best average, enough posts)
    assert cells(grid) == {
        (0, 7): (3, 1.0, 1, True),
        (0, 8): (3, 40.0, 3, True),
        (1, 9): (3, 20.0, 2, True),
        (2, 14): (1, 100.0, 5, False),
        (3, 18): (4, 5.0, 1, True),
        (4, 8): (3, 12.0, 1, True),
    }
    assert len(table.rows) == 7 * 24
    assert table.rows[1 * 24 + 9] == ["Tuesday", "09:00", 3, 20.0, "yes"]
    assert table.rows[2 * 24 + 14] == ["Wednesday", "14:00", 1, 100.0, "no"]
    assert table.rows[0] == ["Monday", "00:00", 0, None, "no"]


def test_it_keeps_to_one_network_when_asked(workspace, figures):
    grid, _table = dashboards.heatmap(workspace, "mastodon")
    assert (0, 8) not in cells(grid)
    assert cells(grid)[(1, 9)] == (3, 20.0, 2, True)


def test_it_suggests_the_three_best_reliable_cells_per_network(workspace, figures):
    QueueSlot.objects.create(workspace=workspace, network="mastodon", weekday=3, time=time(18, 30))
    suggestions = dashboards.slot_suggestions(workspace)
    assert list(suggestions) == ["linkedin", "mastodon"]
    assert [(c.key, c.average, c.slot_exists) for c in suggestions["mastodon"]] == [
        ("1-9", 20.0, False),
        ("4-8", 12.0, False),
        ("3-18", 5.0, True),
    ]
    assert [(c.key, c.average) for c in suggestions["linkedin"]] == [("0-8", 40.0)]


def page(workspace, query: str = "") -> str:
    return reverse("analytics-best-time", args=[workspace.slug]) + (f"?{query}" if query else "")


def test_it_draws_the_heatmap_as_a_table_with_flagged_cells(client, workspace, alice, figures):
    client.force_login(alice)
    response = client.get(page(workspace))
    assert response.status_code == 200
    text = response.text
    assert '<table class="heatmap">' in text
    assert text.count('<th scope="row">') == 7
    assert text.count('class="heat-5 few"') == 1
    assert text.count("not reliable</span>") == 1
    assert "fewer than 3 posts: not reliable" in text
    assert "Average engagements per post" in text
    assert "Add to the queue of Mastodon" in text
    assert "table=best-time" in text


def test_it_downloads_the_heatmap_as_csv(client, workspace, alice, figures):
    client.force_login(alice)
    response = client.get(page(workspace, "network=mastodon&format=csv&table=best-time"))
    assert response.status_code == 200
    assert 'filename="lumen-best-time-mastodon.csv"' in response["Content-Disposition"]
    lines = response.content.decode("utf-8").split("\r\n")
    assert lines[0] == "\ufeffDay,Hour,Posts,Average engagements per post,Enough posts to rely on"
    assert len(lines) == 1 + 7 * 24 + 1  # the header, every cell, the final line end
    assert "Tuesday,09:00,3,20,yes" in lines
    assert "Wednesday,14:00,1,100,no" in lines
    assert "Monday,08:00,0,,no" in lines  # LinkedIn's cell, not Mastodon's


def test_it_explains_an_unknown_network_and_shows_all(client, workspace, alice, figures):
    client.force_login(alice)
    response = client.get(page(workspace, "network=myspace"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert "When posts engage most, all networks" in response.text


def suggest(client, workspace, network: str, cells: list[str]):
    url = reverse("analytics-suggest-slots", args=[workspace.slug])
    return client.post(url, {"network": network, "cells": cells})


def test_it_creates_queue_slots_from_suggestions_through_the_calendar(
    client, workspace, alice, figures
):
    QueueSlot.objects.create(workspace=workspace, network="mastodon", weekday=3, time=time(18, 30))
    client.force_login(alice)
    response = suggest(client, workspace, "mastodon", ["1-9", "4-8", "3-18"])
    assert response.status_code == 302
    slots = QueueSlot.objects.filter(workspace=workspace, network="mastodon")
    assert sorted(slots.values_list("weekday", "time")) == [
        (1, time(9, 0)),
        (3, time(18, 30)),
        (4, time(8, 0)),
    ]
    assert AuditEvent.objects.filter(workspace=workspace, object_type="queueslot").count() == 2
    followed = client.get(response["Location"])
    assert "2 queue slot(s) added on Mastodon." in followed.text


def test_it_refuses_a_time_that_was_not_suggested(client, workspace, alice, figures):
    client.force_login(alice)
    response = suggest(client, workspace, "mastodon", ["2-14"])
    assert response.status_code == 302
    assert not QueueSlot.objects.exists()
    assert "Choose at least one of the suggested times." in client.get(response["Location"]).text


def test_it_lets_only_publishers_of_the_network_add_slots(client, workspace, bob, figures):
    set_roles(bob, workspace, Role.ANALYST)
    client.force_login(bob)
    text = client.get(page(workspace)).text
    assert "Adding queue slots on Mastodon needs the right to publish there." in text
    assert "Add to the queue of" not in text
    assert suggest(client, workspace, "mastodon", ["1-9"]).status_code == 403
    set_roles(bob, workspace, Role.ANALYST, Role.PUBLISHER, scopes={"publisher": ["linkedin"]})
    assert suggest(client, workspace, "mastodon", ["1-9"]).status_code == 403
    assert suggest(client, workspace, "linkedin", ["0-8"]).status_code == 302
    assert list(QueueSlot.objects.values_list("network", "weekday", "time")) == [
        ("linkedin", 0, time(8, 0))
    ]
