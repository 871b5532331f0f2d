"""The dashboards in headless Chromium: charts drawn from the page's JSON, each chart's
table opened from the keyboard, a CSV downloaded, and axe-core on every page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tribune.strategy.models import NetworkChoice, Objective
from tribune.testing.browser import axe_violations, sign_in

from .dashboards_samples import account, local, persona, published, rollup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERIOD = "days=custom&start=2025-03-03&end=2025-03-16"


@pytest.fixture
def figures(workspace):
    masto, linked = account(workspace, "mastodon"), account(workspace, "linkedin")
    lea = persona(workspace, "Léa")
    for n in range(14):
        day = date(2025, 3, 3) + timedelta(days=n)
        rollup(workspace, masto, day, followers=100 + 3 * n, new_followers=3)
        rollup(workspace, linked, day, followers=400 + n, new_followers=1)
    for n in range(4):
        day = date(2025, 3, 4 + n)
        published(
            workspace,
            masto,
            f"Workshop {n}",
            local(day, 9),
            persona_obj=lea,
            views=300 + n,
            engagements=20 + n,
            likes=15,
            comments=3,
            shares=2,
        )
        published(workspace, linked, f"Open day {n}", local(day, 14), views=90, engagements=9)
    NetworkChoice.objects.create(
        workspace=workspace,
        network="mastodon",
        rationale="r",
        min_posts_per_week=2,
        max_posts_per_week=5,
    )
    Objective.objects.create(
        workspace=workspace, title="Grow the audience", lever="visibility", kpi="audience",
        baseline=100, target=1000, deadline=timezone.localdate() + timedelta(days=60),
    )  # fmt: skip


def open_table_by_keyboard(page, index: int = 0) -> None:
    summary = page.locator("summary", has_text="Show the figures as a table").nth(index)
    table = summary.locator("xpath=..").locator("table")
    assert not table.is_visible()
    summary.focus()
    page.keyboard.press("Enter")
    table.wait_for(state="visible")


def charts_drawn(page) -> int:
    """Wait until every chart box holds a drawn canvas; return how many there are."""
    boxes = page.locator("[data-chart]")
    page.locator("[data-chart] canvas").nth(boxes.count() - 1).wait_for()
    assert page.locator("[data-chart] canvas").count() == boxes.count()
    for n in range(boxes.count()):
        canvas = boxes.nth(n).locator("canvas")
        assert canvas.get_attribute("role") == "img"
        assert "table below" in canvas.get_attribute("aria-label")
        assert canvas.evaluate("c => window.Chart.getChart(c) !== undefined && c.width > 0")
    return boxes.count()


def test_it_draws_the_overview_and_opens_its_tables_from_the_keyboard(page, alice, figures):
    sign_in(page, "alice", "password-123")
    page.goto(f"/w/lumen/analytics/?{PERIOD}")
    assert charts_drawn(page) == 2  # followers per network, published vs planned
    open_table_by_keyboard(page, 0)
    followers = page.get_by_role("table", name="Followers per day and network")
    assert followers.locator("tbody tr").count() == 14
    assert page.get_by_role("link", name="Grow the audience").is_visible()
    with page.expect_download() as download:
        page.locator("a[href*='table=top-posts']").click()
    with open(download.value.path(), encoding="utf-8-sig") as csv_file:
        text = csv_file.read()
    assert text.startswith("Post,Network,Published,")
    assert "Workshop 3,Mastodon,2025-03-07T09:00+01:00,303" in text
    assert axe_violations(page) == []


def test_it_draws_the_breakdown_charts(page, alice, figures):
    sign_in(page, "alice", "password-123")
    page.goto(f"/w/lumen/analytics/breakdown/?{PERIOD}&by=persona")
    assert charts_drawn(page) == 2  # engagements, engagement rate
    open_table_by_keyboard(page)
    table = page.get_by_role("table", name="Posts published in the period by persona")
    assert table.locator("tbody th").all_text_contents() == ["Léa", "none"]
    page.locator("summary", has_text="How these figures are counted").click()
    assert page.get_by_text("Engagement rate = engagements ÷ views × 100").is_visible()
    assert axe_violations(page) == []


def test_it_shows_the_heatmap_and_suggested_slots(page, alice, figures):
    sign_in(page, "alice", "password-123")
    page.goto("/w/lumen/analytics/best-time/")
    heatmap = page.get_by_role("table", name="Average engagements per post by day and hour")
    assert heatmap.locator("tbody tr").count() == 7
    # One post per day and hour on each network: every cell flagged, nothing suggested.
    assert heatmap.locator("td.few").count() == 8
    assert page.get_by_text("No day and hour has 3 posts yet on any network.").is_visible()
    page.get_by_label("Network", exact=True).select_option("mastodon")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**network=mastodon")
    assert page.get_by_role("heading", name="When posts on Mastodon engage most").is_visible()
    assert axe_violations(page) == []
