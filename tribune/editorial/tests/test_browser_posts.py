"""The composer in a real browser: compose for three networks, see a limit error come and go."""

from __future__ import annotations

import pytest

from tribune.editorial.models import Post
from tribune.testing.browser import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_axe(page) -> None:
    assert axe_violations(page) == [], page.url


def test_it_composes_for_three_networks_with_a_live_limit(page, workspace, alice) -> None:
    sign_in(page, "alice", "password-123")
    base = f"/w/{workspace.slug}/posts"
    page.goto(f"{base}/new/")
    check_axe(page)
    page.fill("input[name=title]", "Spring launch")
    page.fill("textarea[name=body]", "Our lamps are back.")
    for network in ("x", "bluesky", "mastodon"):
        page.check(f"input[name=networks][value={network}]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{base}/*/edit/")
    check_axe(page)
    post = Post.objects.get(title="Spring launch")

    bluesky = page.locator("textarea[name=v-bluesky-text]")
    bluesky.fill("é" * 310)
    # The plain-JS mirror counts at once; the server's answer then says what is wrong.
    assert page.locator("#status-bluesky .live-count").inner_text() == "310"
    problems = page.locator("#problems-bluesky")
    problems.get_by_text("10 too many").wait_for()
    assert "graphemes" in problems.inner_text()
    check_axe(page)

    bluesky.fill("é" * 300)
    problems.get_by_text("Within every Bluesky rule").wait_for()
    assert page.locator("#status-bluesky .live-count").inner_text() == "300"

    x_text = page.locator("textarea[name=v-x-text]")
    x_text.fill("Read https://lumen.example/" + "a" * 300)
    page.locator("#status-x .live-count").get_by_text("28").wait_for()  # "Read " + 23

    # The JS mirror and the server agree on X's weights: CJK 2 each, an emoji 2.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    with page.expect_response("**/posts/check/x/") as answer:
        x_text.fill("日本" + family)
        assert page.locator("#status-x .live-count").inner_text() == "6"
    assert answer.value.ok
    page.wait_for_load_state("networkidle")  # htmx has swapped the server's count in
    assert page.locator("#status-x .live-count").inner_text() == "6"

    page.click("main form button[type=submit]:text('Save')")
    page.get_by_text("Post saved.").wait_for()
    assert post.variants.get(network="bluesky").text == "é" * 300

    page.goto(f"{base}/{post.pk}/")
    check_axe(page)
    page.goto(f"{base}/")
    check_axe(page)
    assert page.get_by_role("link", name="Spring launch").is_visible()
