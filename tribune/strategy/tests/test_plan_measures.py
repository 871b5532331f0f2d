"""Where each objective stands, shown on the plan, its PDF and the objectives pages."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from pypdf import PdfReader

from tribune.analytics.kpis import FORECAST_METHOD
from tribune.analytics.models import DailyRollup
from tribune.analytics.rollups import rebuild_network_days
from tribune.analytics.vocabulary import ENGAGEMENT_RATE
from tribune.networks.models import Account
from tribune.strategy.actions_objectives import workspace_today
from tribune.strategy.choices import Kpi, Lever
from tribune.strategy.models import Objective
from tribune.strategy.pdf import render_plan_pdf
from tribune.strategy.tests.test_plan import LOCMEM
from tribune.workspaces.models import User, Workspace

pytestmark = pytest.mark.django_db

# Ten days of followers up to today, a little uneven: rising about 10 a day.
LEVELS = [1000, 1012, 1018, 1033, 1039, 1052, 1058, 1071, 1079, 1090]


def objective(workspace: Workspace, title: str, kpi: str, baseline: int, target: int) -> Objective:
    return Objective.objects.create(
        workspace=workspace,
        title=title,
        lever=Lever.VISIBILITY,
        kpi=kpi,
        baseline=Decimal(baseline),
        target=Decimal(target),
        deadline=workspace_today(workspace) + timedelta(days=30),
        created_at=timezone.now() - timedelta(days=9),
        networks=["mastodon"],
    )


def collected(workspace: Workspace) -> Account:
    """Ten days of hand-made rollups: followers rising, an engagement rate of 12.5 %."""
    account = Account.objects.create(workspace=workspace, network="mastodon", name="Lumen")
    today = workspace_today(workspace)
    for n, level in enumerate(LEVELS):
        DailyRollup.objects.create(
            workspace=workspace,
            account=account,
            network="mastodon",
            day=today - timedelta(days=9 - n),
            followers=level,
            views=1000,
            engagements=125,
        )
    rebuild_network_days(workspace.pk)
    return account


@pytest.fixture
def measured(workspace):
    collected(workspace)
    objective(workspace, "Be read by more", Kpi.AUDIENCE, 1000, 2000)
    objective(workspace, "Talk with readers", Kpi.ENGAGEMENT_RATE, 10, 15)
    objective(workspace, "Answer fast", Kpi.RESPONSE_TIME, 240, 60)
    return workspace


def page_of(client, user, name: str, *args) -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_where_each_objective_stands_on_the_plan(client, measured, alice):
    page = page_of(client, alice, "plan", measured.slug)
    assert "Where each objective stands" in page
    # Audience: now, progress in words and as a bar, trend and forecast in words.
    assert "Now: <strong>1,090</strong>" in page
    assert "9% of the way from baseline to target" in page
    assert '<progress max="100" value="9"' in page
    assert "Trend: Rising," in page and "(the right way)" in page
    assert "Forecast: ≈ 1,3" in page and "(between " in page
    assert "Status: Off track" in page  # ≈ 1,390 by the deadline: far from 2,000
    # Engagement rate: the one definition, beside the figure.
    assert "Now: <strong>12.50</strong>" in page
    assert "How is this computed?" in page
    assert escape(str(ENGAGEMENT_RATE)) in page and escape(str(FORECAST_METHOD)) in page
    # Response time: no source yet, said so.
    assert "Response times will come from the inbox" in page
    assert "Status: Not known yet" in page


def test_it_shows_the_measures_in_french(client, measured, alice):
    alice.language = "fr"
    alice.save()
    page = page_of(client, alice, "plan", measured.slug)
    assert "Objectifs et indicateurs" in page
    assert "<strong>12,50</strong>" in page  # French decimals
    with translation.override("fr"):
        definition = escape(str(ENGAGEMENT_RATE))
        forecast = escape(str(FORECAST_METHOD))
    assert definition in page and forecast in page


def test_it_shows_fresh_measures_under_a_cached_plan(client, measured, alice, settings):
    from django.core.cache import cache

    settings.CACHES = LOCMEM
    cache.clear()
    assert "Now: <strong>1,090</strong>" in page_of(client, alice, "plan", measured.slug)
    # A new reading records no audit event: the plan's body stays cached, not its measures.
    DailyRollup.objects.filter(workspace=measured, day=workspace_today(measured)).update(
        followers=1500
    )
    rebuild_network_days(measured.pk)
    assert "Now: <strong>1,500</strong>" in page_of(client, alice, "plan", measured.slug)


def test_it_shows_the_measures_in_the_objectives_list_and_page(client, measured, alice):
    listing = page_of(client, alice, "objective-list", measured.slug)
    assert "Where it stands" in listing and "Now: <strong>1,090</strong>" in listing
    assert "Status: Off track" in listing and "How is this computed?" in listing
    audience = Objective.objects.get(workspace=measured, kpi=Kpi.AUDIENCE)
    detail = page_of(client, alice, "objective-detail", measured.slug, audience.pk)
    assert "Now: <strong>1,090</strong>" in detail and "Trend: Rising," in detail


def test_it_never_shows_another_workspaces_figures(client, workspace, alice, charlie):
    collected(Workspace.objects.get(slug="other"))
    objective(workspace, "Be read by more", Kpi.AUDIENCE, 1000, 2000)
    page = page_of(client, alice, "plan", workspace.slug)
    assert "1,090" not in page and "No figures collected yet from the networks." in page


def pdf_text(workspace: Workspace) -> str:
    pages = PdfReader(io.BytesIO(render_plan_pdf(workspace))).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_it_prints_the_measures_in_the_pdf(measured):
    measured.language = "en"
    measured.save()
    text = pdf_text(measured)
    assert "Where each objective stands" in text
    assert "Be read by more — Off track" in text and "Now: 1,090" in text
    assert "Trend: Rising," in text and "Forecast: ≈ 1,3" in text
    assert "How is this computed?" in text
    assert " ".join(str(ENGAGEMENT_RATE).split()) in text
    assert "Response times will come from the inbox" in text


def test_it_prints_the_measures_in_the_workspaces_language(measured):
    measured.language = "fr"
    measured.save()
    text = pdf_text(measured)
    assert "12,50" in text
    with translation.override("fr"):
        assert " ".join(str(ENGAGEMENT_RATE).split()) in text


def test_it_measures_the_plan_in_a_fixed_number_of_queries(
    client, workspace, alice, django_assert_max_num_queries
):
    collected(workspace)
    kinds = [Kpi.AUDIENCE, Kpi.ENGAGEMENT_RATE, Kpi.LIKES, Kpi.SITE_TRAFFIC, Kpi.CUSTOM]
    client.force_login(alice)
    url = reverse("plan", args=[workspace.slug])
    counts = []
    for size in (5, 40):
        for n in range(size - Objective.objects.filter(workspace=workspace).count()):
            objective(workspace, f"Objective {n}", kinds[n % len(kinds)], 0, 100)
        # 14 for the plan; the objectives and personas again, then one query per source.
        with django_assert_max_num_queries(19) as queries:
            client.get(url)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_passes_axe_with_the_measures_open(page):
    from tribune.testing.browser import axe_violations, sign_in
    from tribune.workspaces.demo import SLUG, create_demo

    username, password = create_demo()
    User.objects.filter(username=username).update(language="en")  # this test reads English
    demo = Workspace.objects.get(slug=SLUG)
    collected(demo)
    audience = objective(demo, "Be read by more", Kpi.AUDIENCE, 1000, 2000)
    sign_in(page, username, password)
    for path in (
        f"/w/{SLUG}/plan/",
        f"/w/{SLUG}/objectives/",
        f"/w/{SLUG}/objectives/{audience.pk}/",
    ):
        page.goto(path)
        bar = page.get_by_role("progressbar", name="Progress from baseline to target").first
        assert bar.get_attribute("value") == "9", path
        disclosure = page.locator("details", has_text="Followers of the accounts").first
        disclosure.locator("summary").click()
        assert disclosure.get_by_text("least squares").is_visible(), path
        assert axe_violations(page) == [], path
