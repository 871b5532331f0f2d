"""A newcomer in the demo, in headless Chromium and in French (the demo team's language):
open the workspace, see the objective at risk, open the network breakdown, export a
chart's figures as CSV, download last month's report and read its PDF (its period,
sections, objectives and the team's comment). axe-core on every page visited."""

from __future__ import annotations

import csv

import pytest

from tribune.analytics.reports import last_full_month
from tribune.strategy.actions_objectives import workspace_today
from tribune.testing.browser import axe_violations, sign_in
from tribune.workspaces.demo import SLUG, create_demo
from tribune.workspaces.models import Workspace

from .test_reports_content import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AT_RISK = "Gagner 1 500 abonnés sur Instagram"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def charts_drawn(page) -> int:
    """Wait until every chart of the page is drawn; return how many there are."""
    boxes = page.locator("[data-chart]")
    page.locator("[data-chart] canvas").nth(boxes.count() - 1).wait_for()
    for canvas in page.locator("[data-chart] canvas").all():
        assert "tableau sous le graphique" in canvas.get_attribute("aria-label")
        assert canvas.evaluate("c => window.Chart.getChart(c) !== undefined && c.width > 0")
    return boxes.count()


def check_axe(page) -> None:
    assert axe_violations(page) == [], page.url


def test_it_walks_a_newcomer_from_the_objective_at_risk_to_the_monthly_report(page):
    username, password = create_demo()
    sign_in(page, username, password)  # the only workspace: it opens at once
    page.get_by_role("link", name="Statistiques", exact=True).click()
    page.wait_for_url("**/analytics/")
    assert charts_drawn(page) == 2
    check_axe(page)

    objectives = page.get_by_role("table").filter(has=page.get_by_text(AT_RISK))
    row = objectives.locator("tr", has_text=AT_RISK)
    assert row.get_by_text("À risque").is_visible()
    assert (
        objectives.locator("tr", has_text="Doubler le trafic").get_by_text("En bonne voie").count()
    )
    row.get_by_role("link", name=AT_RISK).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=AT_RISK).is_visible()
    assert page.get_by_text("À risque").first.is_visible()
    check_axe(page)
    page.go_back()

    page.get_by_role("link", name="Répartitions").click()
    page.wait_for_url("**/analytics/breakdown/**")
    assert charts_drawn(page) == 2  # engagements, engagement rate
    check_axe(page)
    with page.expect_download() as download:
        page.locator("a[href*='table=breakdown-network']").click()
    assert download.value.suggested_filename.startswith("brulerie-des-canuts-breakdown-network-")
    with open(download.value.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["Réseau", "Publications", "Vues"]
    assert {r[0] for r in rows[1:]} == {"Instagram", "LinkedIn", "Facebook"}
    assert all(int(r[1]) > 0 and int(r[2]) > int(r[1]) for r in rows[1:])

    page.get_by_role("link", name="Rapports", exact=True).click()
    page.wait_for_url("**/analytics/reports/")
    check_axe(page)
    with page.expect_download() as download:
        page.locator("a[href$='/pdf/']").first.click()
    with open(download.value.path(), "rb") as handle:
        text = pdf_text(handle.read())
    start, end = last_full_month(workspace_today(Workspace.objects.get(slug=SLUG)))
    period = f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"
    for expected in ("Brûlerie des Canuts", "Rapport mensuel", period, "Avancement des objectifs",
                     "Croissance de l’audience", AT_RISK, "vidéos courtes"):  # fmt: skip
        assert expected in text, expected
