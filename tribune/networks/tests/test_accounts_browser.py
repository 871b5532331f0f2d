"""In a real browser: the accounts list, connecting with a form, checking an account from the
keyboard, and disconnecting after the confirmation. Every page is checked with axe-core.

The network is an imitation (test_accounts_support.ImitationConnector answering through
httpx.MockTransport); the test server runs in this process, so it uses it too.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tribune.networks.models import Account, AccountStatus
from tribune.testing.browser import axe_violations, sign_in

from .test_accounts_support import PASSWORD, SITE, ImitationSite, imitation_site, make_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def imitation(monkeypatch) -> ImitationSite:
    return imitation_site(monkeypatch)


def check_axe(page) -> None:
    assert axe_violations(page) == [], page.url


def test_it_connects_checks_and_disconnects_from_the_pages(page, workspace, alice, imitation):
    make_account(workspace, token_expires_at=timezone.now() + timedelta(days=2, hours=3))
    make_account(workspace, "bluesky", remote_id="did:plc:x", status=AccountStatus.RECONNECT,
                 status_message="Token has been revoked")  # fmt: skip
    sign_in(page, "alice", "password-123")
    base = f"/w/{workspace.slug}/accounts"
    page.goto(f"{base}/")
    check_axe(page)
    assert page.get_by_role("heading", name="Mastodon", exact=True, level=2).is_visible()
    assert "Expires in 2 days." in page.inner_text("main")

    page.get_by_role("link", name="Connect an account").click()
    check_axe(page)
    page.get_by_role("link", name="Imitation Press").click()
    check_axe(page)
    page.get_by_label("Site address").fill(SITE)
    page.get_by_label("User name").fill("lumen")
    page.get_by_label("Application password").fill("not-it")
    page.get_by_label("Site key").fill("sk-1")
    page.get_by_label("Blog name").fill("journal")
    page.get_by_role("button", name="Connect").click()
    assert page.get_by_role("alert").inner_text().startswith("Imitation Press refused")
    check_axe(page)
    assert page.get_by_label("Application password").input_value() == ""
    page.get_by_label("Application password").fill(PASSWORD)
    page.get_by_label("Site key").fill("sk-1")
    page.get_by_role("button", name="Connect").click()
    page.wait_for_url(f"**{base}/")
    assert "Atelier Lumen is connected." in page.get_by_role("status").first.inner_text()
    account = Account.objects.get(network="imitation")

    # Check now, from the keyboard: htmx swaps the card, the outcome is read out.
    check = page.get_by_role("button", name="Check now Atelier Lumen")
    check.focus()
    page.keyboard.press("Enter")
    card = page.locator(f"#account-{account.pk}")
    card.get_by_text("The network accepted the account's credentials.").wait_for()
    check_axe(page)

    card.get_by_role("link", name="Disconnect Atelier Lumen").click()
    check_axe(page)
    page.get_by_role("button", name="Disconnect").click()
    page.wait_for_url(f"**{base}/")
    account.refresh_from_db()
    assert account.status == AccountStatus.DISCONNECTED and account.token == ""
    assert "Disconnected" in page.locator(f"#account-{account.pk}").inner_text()
