"""In a real browser: enter a figure from the keyboard, fix a mistake read from the field's
description, import a GA4 file, make a webhook secret. Every page is checked with axe-core."""

from __future__ import annotations

import pytest

from tribune.analytics.models import IndicatorValue
from tribune.analytics.tests.samples import HERE
from tribune.testing.browser import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_axe(page) -> None:
    assert axe_violations(page) == [], page.url


def test_it_runs_the_indicators_pages_from_the_keyboard(page, workspace, alice):
    sign_in(page, "alice", "password-123")
    base = f"/w/{workspace.slug}/analytics/indicators/"
    page.goto(base)
    check_axe(page)

    # From the keyboard: Tab moves through the form in reading order, Enter submits it.
    page.locator("#id_date").fill("2026-11-02")
    page.focus("#id_indicator")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_objective"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_value"
    page.keyboard.type("1,234")  # a thousands separator: refused with an explanation
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_axe(page)
    value = page.locator("#id_value")
    assert value.get_attribute("aria-invalid") == "true"
    described = value.get_attribute("aria-describedby").split()
    message = page.locator(f"#{described[-1]}").inner_text()
    assert "thousands separator" in message
    value.fill("1234")
    page.locator("main form[action$='/add/'] button[type=submit]").press("Enter")
    page.wait_for_url(f"**{base}?indicator=site_traffic&month=2026-11")
    assert page.get_by_role("status").inner_text().strip() == "Figure saved."
    assert IndicatorValue.objects.get().value == 1234
    check_axe(page)

    page.goto(f"{base}import/")
    check_axe(page)
    page.get_by_label("Google Analytics 4: a report downloaded as CSV, by Date").check()
    page.get_by_label("Views", exact=True).check()
    page.set_input_files("#id_file", str(HERE / "ga4_traffic_by_date.csv"))
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert "7 new figures" in page.get_by_role("status").inner_text()
    check_axe(page)

    page.goto(f"{base}webhook/")
    check_axe(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Make a secret").click()
    secret = page.get_by_label("Webhook secret").input_value()
    assert secret.startswith("trbwh_")
    check_axe(page)
