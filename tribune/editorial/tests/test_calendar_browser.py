"""The calendar in headless Chromium: French locale, drag and drop accepted and refused,
the keyboard path to "move to", and axe-core on every calendar page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tribune.editorial.actions import editorial_settings
from tribune.editorial.choices import PostState
from tribune.editorial.models import Post
from tribune.testing.browser import axe_violations, sign_in
from tribune.workspaces.models import User

from .browser_steps import drag
from .calendar_samples import make_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# January 2031 is winter time in Paris (UTC+01:00).
MONTH = "/w/lumen/calendar/?date=2031-01-01"


def test_it_drags_a_post_and_snaps_back_when_the_server_refuses(page, alice, workspace):
    User.objects.filter(pk=alice.pk).update(language="fr")
    settings = editorial_settings(workspace)
    settings.blackout_dates = ["2031-01-15"]
    settings.save()
    post = make_post(
        workspace,
        "Lancement",
        datetime(2031, 1, 7, 9, 0, tzinfo=UTC),
        ("linkedin",),
        PostState.SCHEDULED,
    )
    sign_in(page, "alice", "password-123")
    page.goto(MONTH)
    event = page.locator(".fc-event", has_text="Lancement")
    event.wait_for()
    with translation.override("fr"):
        label = f"[{PostState.SCHEDULED.label}] Lancement · LinkedIn"
    # 09:00 UTC shows as 10 h: the calendar runs on Paris time, with French formats.
    assert event.inner_text().split("\n") == ["10 h", label]
    assert page.locator(".fc-toolbar-title").inner_text().lower().startswith("janvier 2031")
    assert axe_violations(page) == []

    drag(page, event, page.locator('td.fc-daygrid-day[data-date="2031-01-09"]'))
    page.locator("#calendar-status").filter(has_text="Lancement").wait_for()
    post.refresh_from_db()
    # Same wall-clock time (10:00 in Paris), two days later.
    assert post.scheduled_at == datetime(2031, 1, 9, 9, 0, tzinfo=UTC)

    # The calendar draws its events anew after a move: drag the new element (the drag
    # waits for the redraw; the one being replaced was detached mid-drag in CI).
    moved = page.locator('td.fc-daygrid-day[data-date="2031-01-09"] .fc-event')
    moved.wait_for()
    drag(page, moved, page.locator('td.fc-daygrid-day[data-date="2031-01-15"]'))
    alert = page.locator("#calendar-alert")
    with translation.override("fr"):
        refused = gettext("Not moved: %(why)s").split("%")[0].strip()
    alert.filter(has_text=refused).wait_for()
    assert "2031" in alert.inner_text()  # the blackout finding names the day
    page.locator('td.fc-daygrid-day[data-date="2031-01-09"] .fc-event').wait_for()
    assert page.locator('td.fc-daygrid-day[data-date="2031-01-15"] .fc-event').count() == 0
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2031, 1, 9, 9, 0, tzinfo=UTC)


def test_it_opens_a_post_by_keyboard_and_moves_it_with_the_form(page, alice, workspace):
    post = make_post(workspace, "Teaser", datetime(2031, 1, 7, 9, 0, tzinfo=UTC), ("linkedin",))
    sign_in(page, "alice", "password-123")
    page.goto(MONTH)
    event = page.locator(".fc-event", has_text="Teaser")
    event.wait_for()
    event.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#event-dialog")
    dialog.wait_for(state="visible")
    assert "Teaser" in dialog.locator("h2").inner_text()
    assert "UTC+01:00" in dialog.inner_text()
    assert axe_violations(page) == []
    dialog.locator("[data-link=move]").click()
    page.wait_for_url("**/move/**")
    assert axe_violations(page) == []
    page.fill("input[name=date]", "2031-01-20")
    page.fill("input[name=time]", "14:45")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/calendar/**")
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2031, 1, 20, 13, 45, tzinfo=UTC)
    assert "Teaser" in page.locator(".messages").inner_text()
    # The week and list views are checked too.
    for view in ("timeGridWeek", "listMonth"):
        page.locator(f".fc-{view}-button").click()
        page.locator(f".fc-{view}-view").wait_for()
        assert axe_violations(page) == [], view
    assert "Teaser" in page.locator(".fc-list-event").inner_text()


def test_it_passes_axe_on_the_slot_and_feed_pages(page, alice, workspace):
    sign_in(page, "alice", "password-123")
    page.goto("/w/lumen/calendar/slots/")
    page.check("input[name=weekdays][value='1']")
    page.check("input[name=weekdays][value='3']")
    page.select_option("select[name=network]", "linkedin")
    page.fill("input[name=time]", "09:30")
    page.locator("main form.card button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("main table tbody tr").count() == 2
    assert axe_violations(page) == []
    page.goto("/w/lumen/calendar/ical/")
    page.locator("main form button[value=create]").click()
    page.wait_for_load_state()
    assert "/ical/" in page.locator("#feed-url").input_value()
    assert axe_violations(page) == []
    assert Post.objects.count() == 0
