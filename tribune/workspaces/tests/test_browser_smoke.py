"""Sign in through a real browser and check the pages of the workspaces domain with axe."""

import pytest

from tribune.testing.browser import axe_violations, sign_in
from tribune.workspaces.demo import SLUG, create_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_in_and_passes_axe_on_team_pages(page):
    username, password = create_demo()
    sign_in(page, username, password)
    for path in ["/", f"/w/{SLUG}/team/", f"/w/{SLUG}/team/invite/", f"/w/{SLUG}/audit/",
                 f"/w/{SLUG}/settings/", "/account/", f"/w/{SLUG}/personas/"]:
        page.goto(path)
        assert page.title().endswith("Tribune"), path
        assert axe_violations(page) == [], path


def test_it_has_an_axe_check_that_can_fail(page):
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    assert [v["id"] for v in axe_violations(page)] == ["image-alt"]
