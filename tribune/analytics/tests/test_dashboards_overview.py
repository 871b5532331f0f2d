"""The analytics overview: who may read it, and each figure against hand-made rollups
and totals (objectives, audience growth, top posts, published vs planned)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tribune.analytics import dashboards, kpis
from tribune.analytics.dashboards import Period
from tribune.analytics.exports import Link
from tribune.strategy.models import NetworkChoice, Objective
from tribune.testing.fixtures import set_roles
from tribune.workspaces.roles import Role

from .dashboards_samples import account, local, planned, published, rollup

START, END = date(2025, 3, 3), date(2025, 3, 16)  # Monday to Sunday: two full weeks
PERIOD = Period(START, END)
CUSTOM = {"days": "custom", "start": START.isoformat(), "end": END.isoformat()}


@pytest.fixture
def figures(workspace):
    """Two networks with followers, three posts in the period, one after, a planned post."""
    masto, linked = account(workspace, "mastodon"), account(workspace, "linkedin")
    # Mastodon: read before the period (carried in), then on the 5th and the 16th. A post
    # row of the 5th has no follower count (0): it must not pull the level down.
    rollup(workspace, masto, date(2025, 2, 28), followers=95)
    rollup(workspace, masto, date(2025, 3, 5), followers=110, new_followers=15)
    rollup(workspace, masto, date(2025, 3, 5), persona_id=7, likes=4)
    rollup(workspace, masto, date(2025, 3, 16), followers=130, new_followers=20)
    rollup(workspace, linked, date(2025, 3, 10), followers=500, new_followers=3)
    published(workspace, masto, "Spring workshop", local(date(2025, 3, 4), 9),
              views=1000, likes=10, comments=5, shares=5, clicks=0)  # fmt: skip
    published(workspace, linked, "=Open day", local(date(2025, 3, 11), 14),
              views=200, engagements=50, likes=30)  # fmt: skip
    published(workspace, masto, "Behind the scenes", local(date(2025, 3, 12), 9), likes=7)
    published(workspace, masto, "Too late", local(date(2025, 3, 20), 9), engagements=999)
    planned(workspace, "Teaser", local(date(2025, 3, 14), 10), ("mastodon", "linkedin"))
    NetworkChoice.objects.create(
        workspace=workspace, network="mastodon", rationale="r", min_posts_per_week=2,
        max_posts_per_week=4,
    )  # fmt: skip
    NetworkChoice.objects.create(
        workspace=workspace, network="linkedin", rationale="r", min_posts_per_week=1
    )
    return masto, linked


def url(workspace, **params) -> str:
    base = reverse("analytics", args=[workspace.slug])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.mark.parametrize("role", [Role.ANALYST, Role.STRATEGIST, Role.OWNER])
def test_it_shows_the_overview_to_roles_that_read_analytics(client, workspace, bob, role):
    set_roles(bob, workspace, role)
    client.force_login(bob)
    response = client.get(url(workspace))
    assert response.status_code == 200
    assert "Audience growth per network" in response.text


@pytest.mark.parametrize("role", [Role.EDITOR, Role.PUBLISHER, Role.GUEST])
def test_it_refuses_the_overview_to_other_roles(client, workspace, bob, role):
    set_roles(bob, workspace, role)
    client.force_login(bob)
    assert client.get(url(workspace)).status_code == 403
    assert client.get(url(workspace, format="csv", table="audience")).status_code == 403


def test_it_hides_the_overview_from_another_workspace(client, workspace, alice, charlie):
    client.force_login(charlie)
    assert client.get(url(workspace)).status_code == 404


def test_it_counts_followers_per_day_carrying_the_last_level(workspace, figures):
    per_day, growth = dashboards.audience(workspace, PERIOD)
    assert [c.label for c in per_day.columns] == ["Day", "LinkedIn", "Mastodon"]
    rows = {row[0]: row[1:] for row in per_day.rows}
    assert len(rows) == 14
    assert rows[date(2025, 3, 3)] == [None, 95]
    assert rows[date(2025, 3, 5)] == [None, 110]
    assert rows[date(2025, 3, 9)] == [None, 110]
    assert rows[date(2025, 3, 10)] == [500, 110]
    assert rows[date(2025, 3, 16)] == [500, 130]
    assert growth.rows == [["LinkedIn", 500, 500, 0, 3], ["Mastodon", 95, 130, 35, 35]]
    chart = per_day.charts[0]
    assert chart.kind == "line"
    assert chart.labels[0] == "2025-03-03"
    assert chart.datasets[1] == {"label": "Mastodon", "data": [95, 95] + [110] * 11 + [130]}


def test_it_adds_up_the_accounts_of_one_network(workspace, figures):
    second = account(workspace, "mastodon", name="Lumen staff")
    rollup(workspace, second, date(2025, 3, 10), followers=40)
    per_day, _growth = dashboards.audience(workspace, PERIOD)
    rows = {row[0]: row[1:] for row in per_day.rows}
    assert rows[date(2025, 3, 9)] == [None, 110]
    assert rows[date(2025, 3, 10)] == [500, 150]


def test_it_ranks_top_posts_by_engagements_in_the_period(workspace, figures):
    table = dashboards.top_posts(workspace, PERIOD)
    titles = [str(row[0]) for row in table.rows]
    assert titles == ["=Open day", "Spring workshop", "Behind the scenes"]
    open_day = table.rows[0]
    assert open_day[1:3] == ["LinkedIn", local(date(2025, 3, 11), 14)]
    # views, likes, comments, shares, clicks, engagements (the network's own), rate
    assert open_day[3:10] == [200, 30, None, None, None, 50, 25.0]
    assert isinstance(open_day[0], Link) and open_day[0].href.endswith(
        f"/posts/{figures[1].targets.get().post_id}/"
    )
    assert open_day[10].href.startswith("https://linkedin.example/@lumen/")
    # No own total: likes + comments + shares + saves + clicks; rate over the views.
    assert table.rows[1][8:10] == [20, 2.0]
    # No views from the network: no rate.
    assert table.rows[2][8:10] == [7, None]


def test_it_compares_published_with_planned_per_network_and_week(workspace, figures):
    summary, weeks = dashboards.rhythm(workspace, PERIOD)
    assert summary.rows == [
        ["LinkedIn", "at least 1", 1, 0.5, 2, 1.0, "below the plan"],
        ["Mastodon", "2–4", 2, 1.0, 3, 1.5, "below the plan"],
    ]
    assert weeks.rows == [
        [date(2025, 3, 3), 7, "LinkedIn", 0, 0, "at least 1", "below the plan"],
        [date(2025, 3, 3), 7, "Mastodon", 1, 1, "2–4", "below the plan"],
        [date(2025, 3, 10), 7, "LinkedIn", 1, 2, "at least 1", "as planned"],
        [date(2025, 3, 10), 7, "Mastodon", 1, 2, "2–4", "below the plan"],
    ]
    datasets = {d["label"]: d["data"] for d in summary.charts[0].datasets}
    assert datasets == {
        "Published per week": [0.5, 1.0],
        "On the calendar per week": [1.0, 1.5],
        "Planned minimum per week": [1, 2],
        "Planned maximum per week": [None, 4],
    }


def test_it_marks_weeks_cut_by_the_period_as_partial(workspace, figures):
    _summary, weeks = dashboards.rhythm(workspace, Period(date(2025, 3, 5), date(2025, 3, 12)))
    assert [(row[0], row[1], row[6]) for row in weeks.rows if row[2] == "Mastodon"] == [
        (date(2025, 3, 3), 5, "partial week"),
        (date(2025, 3, 10), 3, "partial week"),
    ]


def test_it_shows_every_figure_on_the_page(client, workspace, alice, figures):
    Objective.objects.create(
        workspace=workspace, title="Grow the audience", lever="visibility", kpi="audience",
        baseline=50, target=200_000, deadline=timezone.localdate() + timedelta(days=90),
    )  # fmt: skip
    client.force_login(alice)
    response = client.get(url(workspace, **CUSTOM))
    assert response.status_code == 200
    text = response.text
    assert "Grow the audience" in text
    assert escape(str(kpis.PROGRESS_METHOD)) in text  # the KPI's definition beside it
    assert "Spring workshop" in text and "Too late" not in text
    assert "Followers of the account at the end of the day." in text
    assert "Engagement rate = engagements ÷ views × 100" in text
    assert 'id="chart-audience-1"' in text and 'data-chart="chart-rhythm-1"' in text
    assert "vendor/chart.js/chart.umd.min.js" in text
    assert "<summary>Show the figures as a table</summary>" in text
    assert "table=top-posts" in text and "start=2025-03-03" in text
    assert "From March 3, 2025 to March 16, 2025 (14 days)" in text


def test_it_says_when_there_is_nothing_yet(client, workspace, alice):
    client.force_login(alice)
    text = client.get(url(workspace)).text
    assert "No audience figures collected in this period." in text
    assert "No objective yet" in text


@pytest.mark.parametrize(
    "params, message",
    [
        ({"days": "custom", "start": "2025-03-10", "end": "2025-03-01"}, "must start before"),
        ({"days": "custom", "start": "2025-02-30", "end": "2025-03-01"}, "Enter a valid date"),
        ({"days": "custom", "start": "2025-03-01"}, "Give both dates"),
        ({"days": "custom", "start": "2020-01-01", "end": "2025-01-01"}, "at most 732 days"),
        ({"days": "365"}, "Select a valid choice"),
        ({"days": "custom", "start": "9999-01-01", "end": "9999-12-31"}, "within a year"),
    ],
)
def test_it_explains_a_bad_period_and_shows_the_default(client, workspace, alice, params, message):
    client.force_login(alice)
    response = client.get(url(workspace, **params))
    assert response.status_code == 400
    assert message in response.text
    assert "(30 days)" in response.text
    csv = client.get(url(workspace, **params, format="csv", table="audience"))
    assert csv.status_code == 400 and message in csv.text


def test_it_takes_the_last_7_days_by_default_length(client, workspace, alice):
    client.force_login(alice)
    response = client.get(url(workspace, days="7"))
    assert response.status_code == 200
    assert response.context["period"] == Period.last(timezone.localdate(), 7)
    assert client.get(url(workspace)).context["period"].days == 30


def csv_lines(client, workspace, table: str) -> list[str]:
    response = client.get(url(workspace, **CUSTOM, format="csv", table=table))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="lumen-{table}-2025-03-03-2025-03-16.csv"' in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads UTF-8 only with the mark
    return body[1:].split("\r\n")


def test_it_downloads_followers_per_day_as_csv(client, workspace, alice, figures):
    client.force_login(alice)
    lines = csv_lines(client, workspace, "audience")
    assert lines[:3] == ["Day,LinkedIn,Mastodon", "2025-03-03,,95", "2025-03-04,,95"]
    assert lines[-3:] == ["2025-03-15,500,110", "2025-03-16,500,130", ""]
    growth = csv_lines(client, workspace, "audience-growth")
    assert growth == [
        "Network,Followers at the first reading,Followers at the last reading,Change,New followers",
        "LinkedIn,500,500,0,3",
        "Mastodon,95,130,35,35",
        "",
    ]


def test_it_downloads_top_posts_with_iso_times_addresses_and_no_formulas(
    client, workspace, alice, figures
):
    client.force_login(alice)
    lines = csv_lines(client, workspace, "top-posts")
    ids = {t.post.title: t.post_id for t in figures[0].targets.all() | figures[1].targets.all()}
    assert lines == [
        "Post,Network,Published,Views,Likes,Comments,Shares,Clicks,Engagements,"
        "Engagement rate (%),Published address",
        # A title starting with "=" is kept as text, not run as a formula.
        "'=Open day,LinkedIn,2025-03-11T14:00+01:00,200,30,,,,50,25,"
        f"https://linkedin.example/@lumen/{ids['=Open day']}",
        "Spring workshop,Mastodon,2025-03-04T09:00+01:00,1000,10,5,5,0,20,2,"
        f"https://mastodon.example/@lumen/{ids['Spring workshop']}",
        "Behind the scenes,Mastodon,2025-03-12T09:00+01:00,,7,,,,7,,"
        f"https://mastodon.example/@lumen/{ids['Behind the scenes']}",
        "",
    ]


def test_it_downloads_published_vs_planned_as_csv(client, workspace, alice, figures):
    client.force_login(alice)
    assert csv_lines(client, workspace, "rhythm")[1:] == [
        "LinkedIn,at least 1,1,0.5,2,1,below the plan",
        "Mastodon,2–4,2,1,3,1.5,below the plan",
        "",
    ]
    weeks = csv_lines(client, workspace, "rhythm-weeks")
    assert weeks[0] == (
        "Week of,Days of the week in the period,Network,Published,On the calendar,"
        "Planned per week,Compared with the plan"
    )
    assert weeks[3] == "2025-03-10,7,LinkedIn,1,2,at least 1,as planned"


def test_it_downloads_the_objectives_status(client, workspace, alice, figures):
    Objective.objects.create(
        workspace=workspace, title="Grow the audience", lever="visibility", kpi="audience",
        baseline=50, target=100, deadline=timezone.localdate() + timedelta(days=90),
    )  # fmt: skip
    client.force_login(alice)
    response = client.get(url(workspace, format="csv", table="objectives"))
    lines = response.content.decode("utf-8").split("\r\n")
    assert lines[0] == (
        "\ufeffObjective,Indicator,Baseline,Current value,Target,Deadline,Progress (%),"
        "Trend per week,Forecast at the deadline,Status"
    )
    deadline = (timezone.localdate() + timedelta(days=90)).isoformat()
    # Both accounts' last levels (500 + 130) are past the target: achieved. Trend and
    # forecast are the KPI module's (tested there); here only their place.
    cells = lines[1].split(",")
    assert cells[:7] + cells[9:] == [
        "Grow the audience", "Audience", "50", "630", "100", deadline, "1160", "Achieved"
    ]  # fmt: skip
    assert all(float(c) for c in cells[7:9])
