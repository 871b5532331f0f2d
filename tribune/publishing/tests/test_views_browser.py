"""The publishing pages in a real browser: the panel turns "published" by itself, and the
reminder page works on a phone-sized screen (copy, then "I posted it"), with no serious
accessibility violation."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tribune.publishing.engine import drain
from tribune.publishing.models import TargetState
from tribune.testing.browser import axe_violations, sign_in

from .support import make_account, scheduled_post, status, targets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_published_appear_without_reloading(page, workspace, alice, network) -> None:
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account], due=timezone.now())
    sign_in(page, "alice", "password-123")
    page.goto(f"/w/{workspace.slug}/posts/{post.pk}/publishing/")
    panel = page.locator("#publishing-panel")
    assert "Scheduled" in panel.inner_text()
    assert axe_violations(page) == []
    network.answers = [status(1)]
    drain(account.pk)
    # The panel asks again every 5 s; no reload.
    panel.get_by_text("https://mastodon.example/@lumen/101").wait_for(timeout=12_000)
    assert "Published" in page.locator("#publishing-panel .badge.ok").inner_text()


def test_it_lets_a_person_post_by_hand_from_a_phone(page, workspace, alice, network) -> None:
    account = make_account(workspace, "instagram", mode="reminder", remote_id="ig-1")
    post = scheduled_post(workspace, alice, [account], networks=("instagram",))
    drain(account.pk)
    [target] = targets(post)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "alice", "password-123")
    page.goto(f"/w/{workspace.slug}/publishing/reminders/{target.pk}/")
    assert axe_violations(page) == []
    # On a phone, the page (top bar included) fits the screen, the reminder too, and its
    # buttons are big enough to tap.
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_violations(page) == []
    box = page.locator(".reminder").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.querySelector('.reminder').scrollWidth <= 375")
    copy = page.locator("button[data-copy=reminder-text]")
    assert copy.is_visible() and copy.bounding_box()["height"] >= 44
    assert page.locator("button:text('I posted it')").bounding_box()["height"] >= 44
    copy.click()
    page.locator("#reminder-text-status").get_by_text("Copied.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "Our spring workshop opens on Monday."
    page.fill("input[name=url]", "https://www.instagram.com/p/Cabc/")
    page.click("button:text('I posted it')")
    page.get_by_text("Marked as published.").wait_for()
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
