"""The business indicators pages: list by indicator and month, entry, import, webhook secret."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tribune.analytics import actions_indicators as actions
from tribune.analytics.models import IndicatorValue
from tribune.analytics.tests.samples import plausible_zip, sample
from tribune.analytics.tests.test_indicators_actions import custom_objective
from tribune.testing.fixtures import set_roles
from tribune.workspaces.actions import access_workspace
from tribune.workspaces.roles import Action, Role

LIST = reverse("indicator-list", args=["lumen"])
ADD = reverse("indicator-add", args=["lumen"])
IMPORT = reverse("indicator-import", args=["lumen"])
WEBHOOK = reverse("indicator-webhook", args=["lumen"])


def enter(user, kpi="sales", day=date(2026, 11, 2), value=14, objective=None):
    access = access_workspace(user, "lumen", Action.ENTER_FIGURES)
    return actions.do_enter(access, kpi, day, Decimal(value), objective)[0]


def upload(client, raw: bytes, fmt: str, name: str = "figures.csv", **choices):
    data = {"format": fmt, "ga4_metric": "sessions", "plausible_metric": "visitors"} | choices
    return client.post(IMPORT, data | {"file": SimpleUploadedFile(name, raw)})


@pytest.mark.parametrize("url", [LIST, IMPORT, WEBHOOK])
def test_it_opens_to_analysts_only(client, bob, charlie, workspace, url):
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(bob)
    assert client.get(url).status_code == 403  # an Editor
    set_roles(bob, workspace, Role.ANALYST)
    assert client.get(url).status_code == 200
    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_it_lists_the_latest_indicator_and_month_then_any_other(client, alice, workspace):
    enter(alice, "sales", date(2026, 10, 30), 3)
    enter(alice, "contacts", date(2026, 11, 4), 9)
    client.force_login(alice)
    page = client.get(LIST).content.decode()
    assert "Contacts — November 2026" in page and "Nov. 4, 2026" in page
    october = client.get(LIST, {"indicator": "sales", "month": "2026-10"}).content.decode()
    assert "Sales or pre-orders — October 2026" in october and "Oct. 30, 2026" in october
    assert 'href="?indicator=sales&amp;month=2026-09"' in october  # previous month
    empty = client.get(LIST, {"indicator": "downloads", "month": "nonsense"}).content.decode()
    assert "No figure for this indicator in this month." in empty


def test_it_lists_a_custom_indicator_by_its_objective(client, alice, workspace):
    objective = custom_objective(workspace)
    enter(alice, "custom", objective=objective, value=38)
    client.force_login(alice)
    page = client.get(LIST, {"indicator": f"custom:{objective.pk}", "month": "2026-11"})
    assert "Custom: Grow the newsletter — November 2026" in page.content.decode()
    assert "<td>38</td>" in page.content.decode()


def test_it_reads_the_list_in_the_same_number_of_queries_however_many_figures(client, alice):
    client.force_login(alice)
    enter(alice, day=date(2026, 11, 1))
    client.get(LIST)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(LIST, {"indicator": "sales", "month": "2026-11"})
    for day in range(2, 25):
        enter(alice, day=date(2026, 11, day))
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST, {"indicator": "sales", "month": "2026-11"})
    assert response.content.decode().count('<th scope="row">') == 24
    assert len(many) == len(few)


def test_it_saves_a_figure_typed_by_hand(client, alice):
    client.force_login(alice)
    response = client.post(ADD, {"indicator": "sales", "date": "2026-11-02", "value": "1 250,5"})
    assert response.status_code == 302
    assert response["Location"] == LIST + "?indicator=sales&month=2026-11"
    assert IndicatorValue.objects.get().value == Decimal("1250.50")
    assert "Figure saved." in client.get(response["Location"]).content.decode()
    client.post(ADD, {"indicator": "sales", "date": "2026-11-02", "value": "3"})
    assert IndicatorValue.objects.get().value == 3


def test_it_ties_each_error_to_its_field_and_saves_nothing(client, alice):
    client.force_login(alice)
    response = client.post(ADD, {"indicator": "custom", "date": "2026-02-30", "value": "a lot"})
    page = response.content.decode()
    assert response.status_code == 200 and IndicatorValue.objects.count() == 0
    assert 'role="alert"' in page
    for field in ("date", "value", "objective"):
        assert f'id="id_{field}_error"' in page
    assert 'aria-describedby="id_value_helptext id_value_error"' in page
    assert 'aria-invalid="true"' in page


def test_it_refuses_to_enter_or_delete_without_the_role(client, alice, bob, charlie, workspace):
    figure = enter(alice)
    delete = reverse("indicator-delete", args=["lumen", figure.pk])
    client.force_login(bob)
    assert (
        client.post(ADD, {"indicator": "sales", "date": "2026-11-02", "value": 1}).status_code
        == 403
    )
    assert client.post(delete).status_code == 403
    client.force_login(charlie)
    assert client.post(delete).status_code == 404
    other = reverse("indicator-delete", args=["other", figure.pk])
    assert client.post(other).status_code == 404  # charlie's own workspace has no such figure
    assert IndicatorValue.objects.count() == 1


def test_it_deletes_a_figure_from_the_list(client, alice):
    figure = enter(alice)
    client.force_login(alice)
    response = client.post(reverse("indicator-delete", args=["lumen", figure.pk]))
    assert response["Location"] == LIST + "?indicator=sales&month=2026-11"
    assert IndicatorValue.objects.count() == 0
    assert client.get(reverse("indicator-delete", args=["lumen", 1])).status_code == 405


class TestImportPage:
    def test_it_explains_that_nothing_is_written_when_a_row_is_wrong(self, client, alice):
        client.force_login(alice)
        page = client.get(IMPORT).content.decode()
        assert "If any row is wrong, nothing is written" in page
        assert "<legend>File format</legend>" in page

    @pytest.mark.parametrize(
        ("raw", "fmt", "created"),
        [
            (sample("tribune_excel_semicolon.csv"), "tribune", 3),
            (sample("ga4_traffic_by_date.csv"), "ga4", 7),
            (sample("plausible_visitors.csv"), "plausible", 5),
            (plausible_zip(), "plausible", 5),
        ],
    )
    def test_it_imports_each_format(self, client, alice, raw, fmt, created):
        client.force_login(alice)
        response = upload(client, raw, fmt)
        assert response.status_code == 200
        assert f"{created} new figures" in response.content.decode()
        assert IndicatorValue.objects.count() == created

    def test_it_shows_the_metric_chosen_for_site_traffic(self, client, alice):
        client.force_login(alice)
        upload(client, sample("ga4_traffic_by_date.csv"), "ga4", ga4_metric="views")
        assert IndicatorValue.objects.get(day=date(2026, 11, 1)).value == 1093

    def test_it_lists_row_errors_and_writes_nothing(self, client, alice):
        client.force_login(alice)
        response = upload(client, sample("tribune_errors.csv"), "tribune")
        page = response.content.decode()
        assert response.status_code == 422 and IndicatorValue.objects.count() == 0
        assert "Nothing was written: fix these 4 errors" in page
        assert '<th scope="row">3</th>' in page and "2026-02-30" in page

    @pytest.mark.parametrize(
        "raw", [b"\x00\x01\x02\xff" * 100, b"PK\x03\x04" + b"\x00" * 64, b"\xef\xbb\xbf", b"#"]
    )
    def test_it_answers_unreadable_files_without_a_server_error(self, client, alice, raw):
        client.force_login(alice)
        response = upload(client, raw, "plausible")
        assert response.status_code == 422
        assert '<th scope="row">File</th>' in response.content.decode()

    def test_it_refuses_a_file_over_5_mb_at_the_form(self, client, alice):
        client.force_login(alice)
        response = upload(client, b"x" * (5 * 1024 * 1024 + 1), "tribune")
        assert response.status_code == 200 and 'id="id_file_error"' in response.content.decode()


class TestWebhookPage:
    def test_it_shows_a_new_secret_once(self, client, alice, workspace):
        client.force_login(alice)
        assert "No secret yet" in client.get(WEBHOOK).content.decode()
        made = client.post(WEBHOOK, {"action": "rotate"})
        secret = actions.webhook_secret(workspace)
        assert secret in made.content.decode() and made["Cache-Control"] == "no-store"
        later = client.get(WEBHOOK).content.decode()
        assert secret not in later and "A secret is set" in later
        assert "/hooks/indicators/lumen/" in later

    def test_it_turns_the_webhook_off(self, client, alice, workspace):
        client.force_login(alice)
        client.post(WEBHOOK, {"action": "rotate"})
        response = client.post(WEBHOOK, {"action": "revoke"})
        assert response.status_code == 302 and actions.webhook_secret(workspace) == ""

    def test_it_lets_an_analyst_rotate_but_not_an_editor(self, client, bob, workspace):
        client.force_login(bob)
        assert client.post(WEBHOOK, {"action": "rotate"}).status_code == 403
        set_roles(bob, workspace, Role.ANALYST)
        assert client.post(WEBHOOK, {"action": "rotate"}).status_code == 200
        assert actions.webhook_secret(workspace)
