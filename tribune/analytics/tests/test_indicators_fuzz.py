"""Fuzzy input never breaks the indicators: files, webhook bodies and API payloads (Hypothesis)."""

import json
import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tribune.analytics import actions_indicators as actions
from tribune.analytics.forms_indicators import Lookups
from tribune.analytics.indicator_csv import FORMATS, FileRefused, ImportSettings, read_figures
from tribune.analytics.tests.samples import plausible_zip, sample
from tribune.testing import api_client
from tribune.workspaces.actions import access_workspace
from tribune.workspaces.roles import Action

api_as = api_client.api_as  # the fixture, under its own name

LOOKUPS = Lookups(objectives={7: "Grow the newsletter"}, today=date(2026, 11, 26))
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["2026-11-02", "20261102", "sales", "custom", "7", "1,5", "-3", "#", '"']),
)
ROWS = st.lists(st.lists(CELLS, max_size=8), max_size=12)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def read_or_refuse(raw: bytes, fmt: str) -> None:
    try:
        reading = read_figures(raw, ImportSettings(fmt=fmt), LOOKUPS)
    except FileRefused as refusal:
        assert str(refusal)
        return
    assert bool(reading.figures) != bool(reading.errors)  # all or nothing
    assert all(error.message for error in reading.errors)


@FUZZ
@given(raw=st.binary(max_size=2000), fmt=st.sampled_from(FORMATS))
def test_it_reads_or_refuses_any_bytes(raw, fmt):
    read_or_refuse(raw, fmt)


@FUZZ
@given(
    header=st.sampled_from(
        ["date,indicator,value,objective,note", "Date,Sessions", "date,visitors,pageviews,visits"]
    ),
    rows=ROWS,
    delimiter=st.sampled_from([",", ";", "\t"]),
    fmt=st.sampled_from(FORMATS),
)
def test_it_reads_or_refuses_any_csv_shaped_text(header, rows, delimiter, fmt):
    lines = [header.replace(",", delimiter)] + [delimiter.join(row) for row in rows]
    read_or_refuse("\n".join(lines).encode(), fmt)


@FUZZ
@given(cut=st.integers(min_value=1, max_value=2000), flip=st.integers(min_value=0, max_value=255))
def test_it_refuses_a_damaged_plausible_zip_cleanly(cut, flip):
    raw = bytearray(plausible_zip(sample("plausible_visitors.csv")))
    position = cut % len(raw)
    raw[position] ^= flip
    read_or_refuse(bytes(raw[: max(cut, 4)]), "plausible")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["indicator", "date", "value", "objective", "note", "x"]),
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)


@pytest.mark.django_db
@FUZZ
@given(body=JSON)
def test_it_answers_any_signed_json_without_a_server_error(client, alice, body):
    access = access_workspace(alice, "lumen", Action.ENTER_FIGURES)
    secret = actions.webhook_secret(access.workspace) or actions.do_rotate_webhook_secret(access)
    raw = json.dumps(body).encode()
    stamp = str(int(time.time()))
    headers = {
        "X-Tribune-Timestamp": stamp,
        "X-Tribune-Signature": actions.webhook_signature(secret, stamp, raw),
    }
    response = client.post("/hooks/indicators/lumen/", raw, "application/json", headers=headers)
    assert response.status_code in {200, 400, 422}, response.content


@pytest.mark.django_db
@FUZZ
@given(payload=JSON)
def test_it_answers_any_api_payload_without_a_server_error(api_as, alice, payload):
    response = api_as(alice).post("/api/v1/workspaces/lumen/indicators", payload)
    assert response.status_code in {200, 201, 400, 422}, response.content
