"""The signed webhook: POST /hooks/indicators/<slug>/ with X-Tribune-Timestamp and -Signature."""

import json
import re
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from tribune.analytics import actions_indicators as actions
from tribune.analytics.models import IndicatorValue
from tribune.testing.api_client import assert_problem
from tribune.testing.fixtures import require
from tribune.workspaces.actions import access_workspace
from tribune.workspaces.models import AuditEvent
from tribune.workspaces.roles import Action

URL = "/hooks/indicators/lumen/"


@pytest.fixture
def secret(alice, workspace) -> str:
    return actions.do_rotate_webhook_secret(access_workspace(alice, "lumen", Action.ENTER_FIGURES))


def send(client, body, secret: str | None, *, timestamp=None, signature=None, url=URL):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {"X-Tribune-Timestamp": stamp}
    if signature is None and secret is not None:
        signature = actions.webhook_signature(secret, stamp, raw)
    if signature is not None:
        headers["X-Tribune-Signature"] = signature
    return client.post(url, raw, content_type="application/json", headers=headers)


FIGURE = {"indicator": "sales", "date": "2026-11-02", "value": 14}


def test_it_stores_a_signed_figure(client, secret):
    response = send(client, FIGURE, secret)
    assert response.status_code == 200 and response.json() == {"created": 1, "replaced": 0}
    figure = IndicatorValue.objects.get()
    assert (figure.kpi, figure.value, figure.source, figure.created_by) == (
        "sales",
        Decimal("14.00"),
        "webhook",
        None,
    )
    assert AuditEvent.objects.get(verb="receive_figures").actor_name == "tribune"


def test_it_takes_a_list_and_replaces_what_it_sent_before(client, secret):
    batch = [FIGURE, {"indicator": "contacts", "date": "2026-11-02", "value": "3,5"}]
    assert send(client, batch, secret).json() == {"created": 2, "replaced": 0}
    assert send(client, batch, secret).json() == {"created": 0, "replaced": 2}
    assert IndicatorValue.objects.count() == 2


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, "sha1=abc", "sha256=not-hex", "é" * 10],
)
def test_it_refuses_a_wrong_or_missing_signature(client, secret, signature):
    if signature:
        response = send(client, FIGURE, secret, signature=signature)
    else:
        response = send(client, FIGURE, None)  # no signature header at all
    body = assert_problem(response, 401)
    assert "signature" in body["detail"]
    assert IndicatorValue.objects.count() == 0


def test_it_refuses_a_body_signed_with_another_secret_or_altered(client, secret):
    raw = json.dumps(FIGURE).encode()
    stamp = str(int(time.time()))
    good = actions.webhook_signature(secret, stamp, raw)
    altered = raw.replace(b"14", b"99")
    headers = {"X-Tribune-Timestamp": stamp, "X-Tribune-Signature": good}
    response = client.post(URL, altered, content_type="application/json", headers=headers)
    assert_problem(response, 401)
    assert_problem(send(client, FIGURE, "trbwh_" + "1" * 64), 401)


def test_it_refuses_a_replay_older_than_five_minutes_and_a_time_far_ahead(client, secret):
    now = int(time.time())
    assert (
        "5 minutes"
        in assert_problem(send(client, FIGURE, secret, timestamp=now - 301), 401)["detail"]
    )
    assert_problem(send(client, FIGURE, secret, timestamp=now + 301), 401)
    assert_problem(send(client, FIGURE, secret, timestamp="yesterday"), 401)
    assert IndicatorValue.objects.count() == 0


def test_it_refuses_the_same_way_an_unknown_workspace_or_one_without_secret(client, workspace):
    unknown = send(client, FIGURE, "trbwh_x", url="/hooks/indicators/nobody/")
    no_secret = send(client, FIGURE, "trbwh_x")
    assert assert_problem(unknown, 401)["detail"] == assert_problem(no_secret, 401)["detail"]


def test_it_refuses_requests_once_the_webhook_is_off(client, alice, secret):
    actions.do_revoke_webhook_secret(access_workspace(alice, "lumen", Action.ENTER_FIGURES))
    assert_problem(send(client, FIGURE, secret), 401)


def test_it_answers_400_for_a_body_that_is_not_json(client, secret):
    assert "JSON" in assert_problem(send(client, b"{not json", secret), 400)["detail"]
    assert_problem(send(client, b"\xff\xfe", secret), 400)


def test_it_lists_every_invalid_value_and_writes_nothing(client, secret):
    batch = [
        FIGURE,
        {"indicator": "followers", "date": "2026-13-01", "value": "a lot"},
        {"indicator": "custom", "date": "2026-11-02", "value": True, "colour": "red"},
        FIGURE,
    ]
    body = assert_problem(send(client, batch, secret), 422)
    locs = {tuple(e["loc"]) for e in body["errors"]}
    assert {
        ("body", 1, "indicator"),
        ("body", 1, "date"),
        ("body", 1, "value"),
        ("body", 2, "value"),
        ("body", 2, "colour"),
        ("body", 3, "date"),
    } == locs
    assert IndicatorValue.objects.count() == 0


@pytest.mark.parametrize("body", [[], 42, "sales", [1, 2], {"indicator": []}, [None]])
def test_it_refuses_bodies_of_the_wrong_shape_with_422(client, secret, body):
    assert_problem(send(client, body, secret), 422)


def test_it_answers_405_to_other_methods_and_needs_no_csrf_token(secret):
    strict = Client(enforce_csrf_checks=True)
    assert_problem(strict.get(URL), 405)
    assert send(strict, FIGURE, secret).status_code == 200


def test_it_refuses_a_body_over_the_upload_limit(client, secret, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    batch = [FIGURE | {"note": "x" * 200}] * 10
    assert_problem(send(client, batch, secret), 413)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_accepts_the_request_signed_as_the_docs_show(live_server, alice, workspace):
    """Runs docs/analytics.md's openssl + curl example against a live server."""
    missing = [tool for tool in ("bash", "curl", "openssl") if shutil.which(tool) is None]
    require(f"missing {', '.join(missing)}" if missing else None)
    docs = (Path(__file__).resolve().parents[3] / "docs" / "analytics.md").read_text()
    script = next(b for b in re.findall(r"```sh\n(.*?)```", docs, re.S) if "X-Tribune" in b)
    secret = actions.do_rotate_webhook_secret(
        access_workspace(alice, "lumen", Action.ENTER_FIGURES)
    )
    script = re.sub(r"^SECRET=.*$", f"SECRET='{secret}'", script, flags=re.M)
    script = re.sub(r"https://\S+/hooks/indicators/\S+/", f"{live_server.url}{URL}", script)
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert json.loads(done.stdout) == {"created": 2, "replaced": 0}, done.stderr
    assert IndicatorValue.objects.filter(source="webhook").count() == 2
