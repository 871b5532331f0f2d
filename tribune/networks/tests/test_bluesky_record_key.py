"""The record key a Bluesky post gets from its idempotency key, and the XRPC error mapping."""

import re
from datetime import UTC, datetime

import httpx
import pytest

from tribune.networks.bluesky.record_key import (
    WINDOW_BITS,
    WINDOW_START_US,
    decode_tid,
    encode_tid,
    record_key,
)
from tribune.networks.bluesky.xrpc import raise_for_xrpc, retry_after
from tribune.networks.errors import AuthExpired, OutcomeUnknown, RateLimited, Rejected
from tribune.networks.http import send

# The TID syntax the PDS checks (atproto.com/specs/tid).
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def test_it_gives_the_same_key_the_same_record_key():
    assert record_key("0f1e2d3c4b5a69788796a5b4c3d2e1f0") == record_key(
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    )


def test_it_gives_different_keys_different_record_keys():
    keys = {record_key(f"target-{n}") for n in range(5000)}
    assert len(keys) == 5000


@pytest.mark.parametrize("key", ["a", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "reply-" + "f" * 64, "é"])
def test_it_makes_a_valid_tid_dated_within_its_window(key):
    rkey = record_key(key)
    assert TID.match(rkey)
    micros, clock = decode_tid(rkey)
    assert WINDOW_START_US <= micros < WINDOW_START_US + (1 << WINDOW_BITS)
    assert 0 <= clock < 1024
    assert datetime.fromtimestamp(micros / 1e6, UTC).year in (2024, 2025)


def test_it_encodes_tids_as_the_spec_does():
    # The spec's example TID reads back to itself through decode and encode.
    assert encode_tid(*decode_tid("3jzfcijpj2z2a")) == "3jzfcijpj2z2a"
    assert encode_tid(0, 0) == "2222222222222"
    with pytest.raises(ValueError):
        encode_tid(1 << 53, 0)
    with pytest.raises(ValueError):
        decode_tid("tribune-abc")


def xrpc(status: int, name: str, message: str = "", headers: dict | None = None):
    return httpx.Response(status, json={"error": name, "message": message}, headers=headers)


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (xrpc(400, "ExpiredToken", "Token has expired"), AuthExpired),
        (xrpc(400, "InvalidToken", "Token could not be verified"), AuthExpired),
        (xrpc(401, "AuthenticationRequired", "Invalid identifier or password"), AuthExpired),
        (xrpc(400, "InvalidRequest", "Invalid app.bsky.feed.post record"), Rejected),
        (xrpc(500, "InternalServerError", "Internal Server Error"), OutcomeUnknown),
        (xrpc(502, "UpstreamFailure", "Upstream service unreachable"), OutcomeUnknown),
        (xrpc(429, "RateLimitExceeded", "Rate Limit Exceeded"), RateLimited),
    ],
)
def test_it_maps_xrpc_errors_to_typed_errors(response, error):
    with pytest.raises(error) as caught:
        raise_for_xrpc(response)
    assert caught.value.message == f"{response.json()['error']}: {response.json()['message']}"
    assert caught.value.status == response.status_code


def test_it_passes_a_success_through():
    assert raise_for_xrpc(httpx.Response(200, json={})) is None


def test_it_keeps_a_bare_error_status_readable():
    with pytest.raises(Rejected) as caught:
        raise_for_xrpc(httpx.Response(404, text="<html>Not Found</html>"))
    assert caught.value.message == "refused (404)"


def test_it_reads_ratelimit_reset_as_a_unix_time_or_a_delay():
    reset = httpx.Response(429, headers={"RateLimit-Reset": "1800000120"})
    assert retry_after(reset, now=1_800_000_000) == 120
    assert retry_after(reset, now=1_900_000_000) == 0
    assert retry_after(httpx.Response(429, headers={"RateLimit-Reset": "30"})) == 30
    assert retry_after(httpx.Response(429, headers={"Retry-After": "7"})) == 7


def test_it_lets_a_network_choose_how_statuses_read():
    """http.send(check=...) replaces raise_for_status; without it nothing changes."""

    def answer(request):
        return xrpc(400, "ExpiredToken", "Token has expired")

    http = httpx.Client(transport=httpx.MockTransport(answer))
    request = http.build_request("GET", "https://pds.example/xrpc/x")
    with pytest.raises(Rejected):
        send(http, request)
    with pytest.raises(AuthExpired):
        send(http, request, check=raise_for_xrpc)
    seen = []
    assert send(http, request, check=seen.append).status_code == 400
    assert [r.status_code for r in seen] == [400]
