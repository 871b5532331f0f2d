"""The indicators API: /api/v1/workspaces/{slug}/indicators (list, create, delete)."""

from datetime import date
from decimal import Decimal

import pytest

from tribune.analytics import actions_indicators as actions
from tribune.analytics.models import IndicatorValue
from tribune.analytics.tests.test_indicators_actions import custom_objective
from tribune.testing import api_client
from tribune.testing.api_client import assert_problem
from tribune.testing.fixtures import set_roles
from tribune.workspaces.actions import access_workspace
from tribune.workspaces.roles import Action, Role

api_as = api_client.api_as  # the fixture, under its own name

URL = "/api/v1/workspaces/lumen/indicators"
FIGURE = {"indicator": "downloads", "date": "2026-11-02", "value": "57"}


@pytest.fixture
def analyst(bob, workspace):
    set_roles(bob, workspace, Role.ANALYST)
    return bob


def test_it_creates_then_replaces_a_figure(api_as, analyst):
    api = api_as(analyst)
    created = api.post(URL, FIGURE)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["indicator"], body["date"], body["source"], body["created_by"]) == (
        "downloads",
        "2026-11-02",
        "api",
        analyst.pk,
    )
    assert Decimal(body["value"]) == 57
    again = api.post(URL, FIGURE | {"value": 58.5, "note": "corrected"})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert IndicatorValue.objects.get().value == Decimal("58.50")


def test_it_names_a_custom_indicators_objective_by_id_or_title(api_as, alice, workspace):
    objective = custom_objective(workspace)
    figure = {"indicator": "custom", "date": "2026-11-02", "value": 3}
    by_id = api_as(alice).post(URL, figure | {"objective": objective.pk})
    by_title = api_as(alice).post(URL, figure | {"objective": "grow the NEWSLETTER"})
    assert (by_id.status_code, by_title.status_code) == (201, 200)
    assert by_title.json()["objective"] == objective.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "1,234"}, "value"),
        ({"value": "12e3"}, "value"),
        ({"date": "2099-01-01"}, "date"),
        ({"indicator": "custom"}, "objective"),
        ({"objective": "Grow the newsletter"}, "objective"),
    ],
)
def test_it_answers_422_naming_the_field(api_as, alice, change, field):
    body = assert_problem(api_as(alice).post(URL, FIGURE | change), 422)
    assert [e["loc"] for e in body["errors"]] == [["body", field]]
    assert IndicatorValue.objects.count() == 0


@pytest.mark.parametrize(
    "payload",
    [
        FIGURE | {"value": True},
        FIGURE | {"indicator": "followers"},
        FIGURE | {"colour": "red"},
        {"indicator": "sales"},
        FIGURE | {"note": "x" * 301},
    ],
)
def test_it_refuses_wrong_shapes_with_422(api_as, alice, payload):
    assert_problem(api_as(alice).post(URL, payload), 422)


def test_it_lists_figures_newest_first_with_filters_and_pages(api_as, alice, workspace):
    access = access_workspace(alice, "lumen", Action.ENTER_FIGURES)
    for day in range(1, 6):
        actions.do_enter(access, "sales", date(2026, 11, day), Decimal(day))
    actions.do_enter(access, "contacts", date(2026, 11, 3), Decimal(9))
    api = api_as(alice)
    everything = api.get(URL).json()
    assert everything["count"] == 6 and everything["items"][0]["date"] == "2026-11-05"
    sales = api.get(URL, {"indicator": "sales", "since": "2026-11-02", "until": "2026-11-03"})
    assert [i["date"] for i in sales.json()["items"]] == ["2026-11-03", "2026-11-02"]
    page = api.get(URL, {"limit": 2, "offset": 2}).json()
    assert page["count"] == 6 and len(page["items"]) == 2
    assert_problem(api.get(URL, {"limit": 201}), 422)


def test_it_deletes_a_figure(api_as, alice):
    api = api_as(alice)
    figure_id = api.post(URL, FIGURE).json()["id"]
    assert api.delete(f"{URL}/{figure_id}").status_code == 204
    assert_problem(api.delete(f"{URL}/{figure_id}"), 404)


def test_it_checks_roles_and_hides_other_workspaces(api_as, alice, bob, charlie, workspace):
    figure_id = api_as(alice).post(URL, FIGURE).json()["id"]
    editor = api_as(bob)  # bob is an Editor: no analytics
    assert_problem(editor.get(URL), 403)
    assert_problem(editor.post(URL, FIGURE), 403)
    assert_problem(editor.delete(f"{URL}/{figure_id}"), 403)
    outsider = api_as(charlie)
    assert_problem(outsider.get(URL), 404)
    assert_problem(outsider.post(URL, FIGURE), 404)
    # charlie's own workspace does not reach alice's figure either
    assert_problem(outsider.delete(f"/api/v1/workspaces/other/indicators/{figure_id}"), 404)
    assert_problem(api_as(None).get(URL), 401)
    assert IndicatorValue.objects.count() == 1


def test_it_answers_problems_for_bad_json_and_media_types(api_as, alice):
    api = api_as(alice)
    response = api.client.post(
        URL, "{oops", content_type="application/json", headers=api._headers()
    )
    assert_problem(response, 400)
    response = api.client.post(URL, "x", content_type="text/csv", headers=api._headers())
    assert_problem(response, 415)
