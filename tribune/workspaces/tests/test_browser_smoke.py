"""Sign in through a real browser and check the pages of the workspaces domain with axe."""

import pytest

from tribune.strategy.models import Persona
from tribune.testing.browser import axe_violations, sign_in
from tribune.workspaces.demo import SLUG, create_demo
from tribune.workspaces.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


MAIN_PAGES = [
    "/",
    "team/",
    "team/invite/",
    "audit/",
    "settings/",
    "personas/",
    "personas/{persona}/",
    "objectives/",
    "networks/",
    "networks/catalog/",
    "plan/",
]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_passes_axe_on_every_main_page(page, language):
    username, password = create_demo()
    User.objects.filter(username=username).update(language=language)
    sign_in(page, username, password)
    for tail in MAIN_PAGES:
        tail = tail.format(persona=Persona.objects.filter(workspace__slug=SLUG).first().pk)
        path = tail if tail.startswith("/") else f"/w/{SLUG}/{tail}"
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        assert page.title().endswith("Tribune"), path
        assert axe_violations(page) == [], path


def test_it_has_an_axe_check_that_can_fail(page):
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    assert [v["id"] for v in axe_violations(page)] == ["image-alt"]
