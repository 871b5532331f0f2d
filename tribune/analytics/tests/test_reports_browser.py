"""In a real browser: set up a report template with a logo and colours, preview it with
unsaved colours in a new tab, schedule it, write a comment. Every page, the report
itself included, is checked with axe-core."""

from __future__ import annotations

import pytest

from tribune.analytics.models import ReportSchedule, ReportTemplate
from tribune.editorial.tests.media_samples import image_bytes
from tribune.testing.browser import axe_violations, sign_in

from .test_reports_support import fill_week

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def check_axe(page) -> None:
    assert axe_violations(page) == [], page.url


def test_it_sets_up_previews_and_schedules_a_report(page, workspace, alice, tmp_path):
    fill_week(workspace, alice)
    logo = tmp_path / "logo.png"
    logo.write_bytes(image_bytes("PNG", (120, 40)))
    sign_in(page, "alice", "password-123")
    base = f"/w/{workspace.slug}/analytics/reports"

    page.goto(f"{base}/")
    check_axe(page)
    page.click("text=New template")
    check_axe(page)
    page.fill("input[name=name]", "Client monthly")
    page.uncheck("input[name=sections][value=bottom_posts]")
    page.set_input_files("input[name=logo]", str(logo))
    page.click("main button[type=submit]:not([formaction])")
    page.wait_for_url(f"**{base}/templates/*/")
    template = ReportTemplate.objects.get()
    assert "bottom_posts" not in template.sections and template.logo.name

    # An unsaved colour, previewed in a new tab: the report itself must be accessible too.
    page.eval_on_selector("input[name=colour]", "el => { el.value = '#2b8a3e'; }")
    with page.expect_popup() as popup:
        page.click("button[formaction]")
    report = popup.value
    report.wait_for_load_state()
    assert report.locator("h1", has_text="Client monthly").count() == 1
    assert report.locator("img[src^='data:image/png']").count() == 1
    html = report.content()
    assert "#2b8a3e" in html
    report.close()
    # The served report forbids every script (CSP sandbox): axe runs on a copy of it.
    copy = page.context.new_page()
    copy.set_content(html)
    assert axe_violations(copy) == [], "report preview"
    copy.close()
    template.refresh_from_db()
    assert template.colour == "#1f4fd1"  # the preview saved nothing

    page.goto(f"{base}/schedules/new/")
    check_axe(page)
    page.fill("input[name=name]", "Monthly for the client")
    page.select_option("select[name=template]", label="Client monthly")
    page.select_option("select[name=frequency]", "monthly")
    page.fill("textarea[name=recipients]", "client@example.org\nboss@example.org")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{base}/")
    check_axe(page)
    schedule = ReportSchedule.objects.get()
    assert schedule.recipients == ["client@example.org", "boss@example.org"]
    assert page.locator("td", has_text="2 recipients").count() == 1

    page.click("text=Write a comment")
    check_axe(page)
    page.fill("textarea[name=body]", "A strong week for the workshop.")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{base}/")
    assert page.locator("article", has_text="A strong week for the workshop.").count() == 1
