"""In a real browser: upload an image, see its thumbnail, fix its alt text, tick it in
the composer's picker, and set the link tags. Every page is checked with axe-core."""

from __future__ import annotations

import pytest

from tribune.editorial.models import MediaAsset
from tribune.testing.browser import axe_violations, sign_in

from .media_samples import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def check_axe(page) -> None:
    assert axe_violations(page) == [], page.url


def test_it_runs_the_media_library_and_link_settings(page, workspace, alice, tmp_path):
    picture = tmp_path / "beach.png"
    picture.write_bytes(image_bytes("PNG", (400, 300)))
    sign_in(page, "alice", "password-123")
    base = f"/w/{workspace.slug}"

    page.goto(f"{base}/media/upload/")
    check_axe(page)
    page.set_input_files("input[name=file]", str(picture))
    page.click("main button[type=submit]")
    # Alt text is required: the browser keeps the form until it is given.
    assert page.url.endswith("/media/upload/")
    page.fill("textarea[name=alt_text]", "A beach at dawn")
    page.set_input_files("input[name=file]", str(picture))
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{base}/media/")
    check_axe(page)
    thumbnail = page.locator("img[alt='A beach at dawn']")
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 320

    media = MediaAsset.objects.get()
    page.goto(f"{base}/media/{media.pk}/edit/")
    check_axe(page)
    page.fill("textarea[name=alt_text]", "A sandy beach at dawn")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{base}/media/")
    assert page.locator("img[alt='A sandy beach at dawn']").count() == 1

    page.goto(f"{base}/media/picker/")
    check_axe(page)
    page.check(f"#media-choice-{media.pk}")
    # htmx reloads the picker; the ticked media stays listed and ticked.
    page.eval_on_selector("#media-picker", "el => el.dataset.old = 'yes'")
    with page.expect_response(lambda r: "/media/picker/?" in r.url and "media_q=nothing" in r.url):
        page.fill("input[name=media_q]", "nothing-matches")
    page.wait_for_selector("#media-picker:not([data-old])")
    assert page.is_checked(f"#media-choice-{media.pk}")

    page.goto(f"{base}/settings/links/")
    check_axe(page)
    page.fill("input[name=utm_campaign]", "summer")
    page.fill("input[name=source_instagram]", "ig")
    page.click("main form.card button[type=submit]")
    page.wait_for_load_state()
    assert "utm_campaign=summer" in page.locator("code").inner_text()
