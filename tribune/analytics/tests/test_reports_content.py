"""What a report holds: each section's figures, the team's comments of the period only,
in the workspace's language (PDF read back with pypdf)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from tribune.analytics import report_data
from tribune.analytics.models import ReportComment
from tribune.analytics.reports import build_report, render_report_html, text_colour_on

from .test_reports_support import WEEK, fill_week, make_template

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
    return " ".join(" ".join(pages).split())


@pytest.fixture
def week(workspace, alice) -> dict:
    return fill_week(workspace, alice)


def test_it_prints_every_section_in_english_with_charts_tables_and_definitions(workspace, week):
    workspace.language = "en"
    workspace.save()
    document = build_report(workspace, make_template(workspace), *WEEK)
    assert document.pdf.startswith(b"%PDF-")
    text = pdf_text(document.pdf)
    for needle in (
        "Atelier Lumen",
        "Client weekly",
        "03/03/2025 to 03/09/2025",  # English dates: month first
        "Objectives' status",
        "Grow the Mastodon audience",
        "Audience growth",
        "Top posts",
        "Spring workshop",
        "Bottom posts",
        "Breakdown by network",
        "Published vs planned",
        "The workshop post carried the week.",
        "Engagement rate = engagements ÷ views × 100",
        "Followers gained during the day",
        "page 1 of",
    ):
        assert needle in text, needle
    assert "Comment about the following week." not in text
    # Charts are drawn in SVG, each followed by its table.
    html = document.html
    assert html.count("<svg") == 4
    assert html.index("<svg", html.index('id="networks"')) < html.index(
        "<table", html.index('id="networks"')
    )
    assert '<html lang="en">' in html


def test_it_writes_the_report_in_french_for_a_french_workspace(workspace, week):
    assert workspace.language == "fr"
    template = make_template(workspace, sections=["objectives", "networks", "comments"])
    text = pdf_text(build_report(workspace, template, *WEEK).pdf)
    assert "03/03/2025" in text and "09/03/2025" in text  # day first
    assert "Objectif" in text and "Réseau" in text
    assert "page 1 sur" in text
    assert "Top posts" not in text  # a section the template left out
    assert "The workshop post carried the week." in text


def test_it_includes_only_the_comments_whose_dates_overlap_the_period(workspace, alice):
    start, end = WEEK
    for body, first, last in (
        ("ends on the first day", start - timedelta(days=6), start),
        ("starts on the last day", end, end + timedelta(days=6)),
        ("the day before", start - timedelta(days=7), start - timedelta(days=1)),
        ("the day after", end + timedelta(days=1), end + timedelta(days=8)),
        ("a whole quarter", date(2025, 1, 1), date(2025, 3, 31)),
    ):
        ReportComment.objects.create(
            workspace=workspace, period_start=first, period_end=last, body=body, author=alice
        )
    html = render_report_html(workspace, make_template(workspace, sections=["comments"]), *WEEK)
    assert "ends on the first day" in html
    assert "starts on the last day" in html
    assert "a whole quarter" in html
    assert "the day before" not in html
    assert "the day after" not in html


def test_it_never_prints_another_workspace_s_comments(workspace, alice, charlie):
    from tribune.workspaces.models import Workspace

    other = Workspace.objects.get(slug="other")
    ReportComment.objects.create(
        workspace=other, period_start=WEEK[0], period_end=WEEK[1], body="Secret of another brand"
    )
    html = render_report_html(workspace, make_template(workspace, sections=["comments"]), *WEEK)
    assert "Secret of another brand" not in html


def test_it_sums_audience_from_the_level_before_the_period(workspace, week):
    period = report_data.period_of(workspace, *WEEK)
    growth = report_data.audience_growth(workspace, period)
    rows = {row.network: row for row in growth.rows}
    assert (rows["mastodon"].start, rows["mastodon"].end, rows["mastodon"].change) == (
        1000,
        1040,
        40,
    )
    assert rows["mastodon"].new_followers == 40
    # Bluesky was first read on the period's second day: no level before it.
    assert growth.series["bluesky"][:2] == [None, 200]
    assert (rows["bluesky"].start, rows["bluesky"].end) == (200, 200)


def test_it_ranks_posts_and_never_repeats_a_top_post_at_the_bottom(workspace, week):
    period = report_data.period_of(workspace, *WEEK)
    ranked = report_data.ranked_posts(workspace, period)
    assert [p.title for p in ranked.top] == ["Spring workshop", "Studio tour", "Quiet Tuesday note"]
    assert ranked.bottom == []
    assert ranked.top[0].engagements == 62
    assert ranked.top[0].engagement_rate == 7.75


def test_it_compares_published_with_planned_per_network(workspace, week):
    period = report_data.period_of(workspace, *WEEK)
    delivery = {d.network: d for d in report_data.published_vs_planned(workspace, period)}
    assert (delivery["bluesky"].planned, delivery["bluesky"].published) == (2, 1)
    assert (delivery["mastodon"].planned, delivery["mastodon"].published) == (2, 2)


def test_it_sums_each_network_and_derives_its_engagement_rate(workspace, week):
    period = report_data.period_of(workspace, *WEEK)
    networks = {n.network: n for n in report_data.network_breakdown(workspace, period)}
    assert networks["mastodon"].views == 1000
    assert networks["mastodon"].engagements == 40  # the network's own total
    assert networks["bluesky"].engagements == 4  # no total given: the sum of its parts
    assert networks["mastodon"].engagement_rate == 4.0


def test_it_uses_the_template_s_colours_and_readable_heading_text(workspace, week):
    template = make_template(workspace, sections=["networks"], colour="#ffd43b")
    html = render_report_html(workspace, template, *WEEK)
    assert "#ffd43b" in html
    assert text_colour_on("#ffd43b") == "#000000"
    assert text_colour_on("#1f4fd1") == "#ffffff"
    # A colour that is not #rrggbb never reaches the stylesheet.
    template.colour = "red;} body{display:none"
    assert "display:none" not in render_report_html(workspace, template, *WEEK)
