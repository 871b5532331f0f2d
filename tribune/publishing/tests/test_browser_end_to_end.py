"""A new user, in a real browser, against a real WordPress and a real Bluesky PDS.

They connect both accounts from the Accounts page, schedule a post on both a
minute or two ahead, and watch it appear as published, with links to the real
WordPress post and Bluesky record. Then the WordPress application password is
revoked on the WordPress side, and the next post fails there with a clear
message and what to do.

The worker is the product's own code (`publishing.tasks.dispatch`, which the
per-minute Huey task runs), called every second from a thread of the test
process so that it shares the test database with the live server.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from tribune.editorial.choices import PostState
from tribune.editorial.models import Post, Variant
from tribune.editorial.timezones import zone
from tribune.publishing.models import Target, TargetState
from tribune.testing.browser import axe_violations, sign_in
from tribune.testing.fixtures import make_user, require
from tribune.testing.servers import bluesky
from tribune.testing.servers.wordpress import missing_reason, start_wordpress
from tribune.workspaces.models import Membership, Workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.real_server,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

WAIT_MS = 240_000


@pytest.fixture(scope="module")
def wordpress_site():
    require(missing_reason())
    server = start_wordpress(os.environ.get("PYTEST_XDIST_WORKER", "main") + "-e2e")
    try:
        yield server.site
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pds():
    require(bluesky.missing_reason())
    server = bluesky.start_pds(os.environ.get("PYTEST_XDIST_WORKER", "main") + "-e2e")
    try:
        yield server.pds
    finally:
        server.stop()


@pytest.fixture
def worker(settings) -> Iterator[None]:
    """The dispatcher every second, Huey tasks run in-process (immediate mode).

    The test database is SQLite in memory with a shared cache, where two
    connections writing at once get "table is locked" at once instead of
    waiting (a property of the test database, not of the product's file
    database). Such a round is simply tried again a second later; an attempt
    cut short by it is recovered by the sweeper, hence a short lease.
    """
    from django.db import OperationalError
    from huey.contrib.djhuey import HUEY

    from tribune.publishing.tasks import dispatch

    settings.PUBLISH_LEASE_SECONDS = 15
    stop = threading.Event()

    def loop() -> None:
        from django.db import connection

        try:
            while not stop.wait(1.0):
                try:
                    dispatch.call_local()
                except OperationalError as error:
                    if "locked" not in str(error):
                        raise
        finally:
            connection.close()

    HUEY.immediate = True
    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
        HUEY.immediate = False


def approved_post(workspace: Workspace, author, title: str) -> Post:
    post = Post.objects.create(
        workspace=workspace, title=title, author=author, state=PostState.APPROVED
    )
    text = f"{title}: our new roast is out. #café https://brulerie.example/guji"
    Variant.objects.create(post=post, network="wordpress", text=text)
    Variant.objects.create(post=post, network="bluesky", text=text)
    return post


def connect(page, slug: str, network: str, fields: dict[str, str]) -> None:
    page.goto(f"/w/{slug}/accounts/connect/")
    page.get_by_role("link", name=network, exact=True).click()
    page.wait_for_load_state()
    for label, value in fields.items():
        page.get_by_label(label).fill(value)  # the label ends with "*": required
    page.get_by_role("button", name="Connect").click()
    page.wait_for_load_state()


def test_a_new_user_publishes_on_wordpress_and_bluesky_then_sees_a_clear_failure(
    page, wordpress_site, pds, worker
):
    nina = make_user("nina")
    workspace = Workspace.objects.create(
        name="Brûlerie du Canal", slug="canal", time_zone="Europe/Paris", language="en"
    )
    Membership.objects.create(workspace=workspace, user=nina, roles=["owner"])
    sign_in(page, "nina", "password-123")

    connect(page, workspace.slug, "WordPress", {
        "Site address": wordpress_site.base_url,
        "User name": wordpress_site.username,
        "Application password": wordpress_site.app_password,
    })  # fmt: skip
    connect(page, workspace.slug, "Bluesky", {
        "PDS address": pds.url,
        "Handle": pds.alice.handle,
        "App password": pds.alice.app_password,
    })  # fmt: skip
    page.goto(f"/w/{workspace.slug}/accounts/")
    listing = page.locator("main").inner_text()
    assert "WordPress" in listing and pds.alice.handle in listing
    assert axe_violations(page) == []

    # Schedule on both, at the next whole minute that is at least 30 s away.
    post = approved_post(workspace, nina, "Guji")
    local = timezone.localtime(timezone.now() + timedelta(seconds=90), zone(workspace.time_zone))
    page.goto(f"/w/{workspace.slug}/posts/{post.pk}/workflow/")
    page.get_by_label("Publication time").fill(local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    page.wait_for_load_state()
    assert Target.objects.filter(post=post).count() == 2

    page.goto(f"/w/{workspace.slug}/posts/{post.pk}/publishing/")
    panel = page.locator("#publishing-panel")
    wp_link = panel.locator(f"a[href^='{wordpress_site.base_url}']")
    bsky_link = panel.locator("a[href^='https://bsky.app/profile/']")
    wp_link.first.wait_for(timeout=WAIT_MS)
    bsky_link.first.wait_for(timeout=WAIT_MS)
    assert axe_violations(page) == []
    wordpress_target = Target.objects.get(post=post, account__network="wordpress")
    bluesky_target = Target.objects.get(post=post, account__network="bluesky")
    assert {wordpress_target.state, bluesky_target.state} == {TargetState.PUBLISHED}
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED

    # The links point at what the networks really hold.
    remote = httpx.get(
        f"{wordpress_site.base_url}/?rest_route=/wp/v2/posts/{wordpress_target.remote_id}"
    ).json()
    assert remote["title"]["rendered"] == "Guji"
    assert wp_link.first.get_attribute("href") == wordpress_target.url == remote["link"]
    repo, collection, rkey = bluesky_target.remote_id.removeprefix("at://").split("/")
    record = httpx.get(
        f"{pds.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": repo, "collection": collection, "rkey": rkey},
    ).json()
    assert record["value"]["text"].startswith("Guji: our new roast is out.")
    assert bsky_link.first.get_attribute("href").endswith(f"/post/{rkey}")

    # The WordPress application password is revoked on WordPress's side.
    revoked = httpx.delete(
        f"{wordpress_site.base_url}/?rest_route=/wp/v2/users/me/application-passwords",
        auth=(wordpress_site.username, wordpress_site.app_password),
    )
    assert revoked.status_code == 200, revoked.text

    second = approved_post(workspace, nina, "Sidamo")
    page.goto(f"/w/{workspace.slug}/posts/{second.pk}/publishing/")
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_load_state()
    panel = page.locator("#publishing-panel")
    panel.get_by_text("Reconnect the account, then retry.").wait_for(timeout=WAIT_MS)
    failed = Target.objects.get(post=second, account__network="wordpress")
    assert failed.state == TargetState.FAILED and failed.problem == "auth"
    text = panel.inner_text()
    assert "Failed" in text
    assert failed.message and failed.message in text  # WordPress's own words
    second.refresh_from_db()
    # Bluesky went out; WordPress did not: partially published, and said so.
    panel.get_by_text("Partially published").first.wait_for(timeout=WAIT_MS)
    assert Target.objects.get(post=second, account__network="bluesky").state == "published"
    assert axe_violations(page) == []
