"""OAuth2 authorisation-code helpers. Token endpoints are an httpx.MockTransport imitation,
answering in the shapes of RFC 6749 §5.1/§5.2 and Mastodon's documented token response."""

import base64
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tribune.networks.base import OAuthSpec
from tribune.networks.contract import recorded
from tribune.networks.errors import AuthExpired, ConnectorError, OutcomeUnknown, Rejected
from tribune.networks.oauth import (
    authorize_url,
    endpoint,
    exchange_code,
    new_pkce,
    new_state,
    pkce_challenge,
    refresh_grant,
)

MASTODON = OAuthSpec("/oauth/authorize", "/oauth/token", ("read", "write"), True, True)
ABSOLUTE = OAuthSpec("https://auth.example/authorize", "https://auth.example/token", ("posts",),
                     pkce=False)  # fmt: skip

# RFC 7636, Appendix B: the 32 octets, their base64url verifier, and its S256 challenge.
RFC7636_OCTETS = bytes([
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77,
    105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
])  # fmt: skip
RFC7636_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC7636_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def token_endpoint(status: int, body: dict):
    sent: list[httpx.Request] = []

    def handler(request):
        sent.append(request)
        return httpx.Response(status, json=body)

    return httpx.Client(transport=httpx.MockTransport(handler)), sent


class TestPkce:
    def test_it_matches_the_rfc_7636_s256_example(self):
        encoded = base64.urlsafe_b64encode(RFC7636_OCTETS).rstrip(b"=").decode()
        assert encoded == RFC7636_VERIFIER
        assert pkce_challenge(RFC7636_VERIFIER) == RFC7636_CHALLENGE

    def test_it_makes_a_fresh_verifier_of_the_rfcs_shape_each_time(self):
        verifier, challenge = new_pkce()
        assert re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", verifier)
        assert challenge == pkce_challenge(verifier)
        assert new_pkce()[0] != verifier
        assert new_state() != new_state()


class TestAuthorizeUrl:
    def test_it_points_at_the_accounts_own_server_with_pkce(self):
        url = authorize_url(
            MASTODON, "https://mastodon.example/", "cid", "https://tribune.example/cb", "st4te",
            RFC7636_CHALLENGE,
        )  # fmt: skip
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc, parts.path) == (
            "https", "mastodon.example", "/oauth/authorize",
        )  # fmt: skip
        assert parse_qs(parts.query) == {
            "response_type": ["code"],
            "client_id": ["cid"],
            "redirect_uri": ["https://tribune.example/cb"],
            "scope": ["read write"],
            "state": ["st4te"],
            "code_challenge": [RFC7636_CHALLENGE],
            "code_challenge_method": ["S256"],
        }

    def test_it_keeps_absolute_endpoints_and_leaves_pkce_out_when_not_used(self):
        url = authorize_url(ABSOLUTE, "https://ignored.example", "cid", "https://t/cb", "s", "c",
                            scopes=["a", "b"])  # fmt: skip
        query = parse_qs(urlsplit(url).query)
        assert url.startswith("https://auth.example/authorize?")
        assert query["scope"] == ["a b"]
        assert "code_challenge" not in query

    def test_it_resolves_relative_paths_under_a_sub_path(self):
        assert endpoint("/oauth/token", "https://host.example/social") == (
            "https://host.example/social/oauth/token"
        )


class TestExchange:
    def test_it_exchanges_the_code_with_the_verifier(self):
        http, sent = token_endpoint(200, recorded("mastodon__token"))
        grant = exchange_code(
            http, MASTODON, "https://mastodon.example", "cid", "csecret",
            "https://tribune.example/cb", "the-code", RFC7636_VERIFIER,
        )  # fmt: skip
        [request] = sent
        assert (request.method, str(request.url)) == (
            "POST", "https://mastodon.example/oauth/token",
        )  # fmt: skip
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert parse_qs(request.content.decode()) == {
            "grant_type": ["authorization_code"],
            "code": ["the-code"],
            "redirect_uri": ["https://tribune.example/cb"],
            "client_id": ["cid"],
            "client_secret": ["csecret"],
            "code_verifier": [RFC7636_VERIFIER],
        }
        assert grant.access_token == "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
        assert (grant.refresh_token, grant.expires_at, grant.scope) == ("", None, "read write")

    def test_it_turns_expires_in_into_an_aware_utc_time(self):
        body = {
            "access_token": "a",
            "refresh_token": "r",
            "expires_in": 3600,
            "token_type": "Bearer",
        }
        http, _sent = token_endpoint(200, body)
        before = datetime.now(UTC)
        grant = refresh_grant(http, MASTODON, "https://mastodon.example", "cid", "cs", "r0")
        assert grant.refresh_token == "r"
        assert grant.expires_at.tzinfo is not None
        assert before + timedelta(seconds=3600) <= grant.expires_at
        assert grant.expires_at <= datetime.now(UTC) + timedelta(seconds=3600)

    def test_it_never_shows_tokens_in_its_repr(self):
        http, _sent = token_endpoint(200, {"access_token": "tok-123", "refresh_token": "ref-456"})
        grant = refresh_grant(http, MASTODON, "https://m.example", "cid", "cs", "r0")
        assert "tok-123" not in repr(grant) and "ref-456" not in repr(grant)

    @pytest.mark.parametrize("status", [400, 401])
    def test_it_maps_invalid_grant_to_auth_expired(self, status):
        body = {"error": "invalid_grant", "error_description": "The provided authorization grant "
                "is invalid, expired, revoked or was issued to another client."}  # fmt: skip
        http, _sent = token_endpoint(status, body)
        with pytest.raises(AuthExpired) as caught:
            exchange_code(http, MASTODON, "https://m.example", "c", "s", "https://t/cb", "x", "v")
        assert "grant is invalid" in caught.value.message

    def test_it_keeps_other_refusals_typed_by_send(self):
        http, _sent = token_endpoint(400, {"error": "unsupported_grant_type"})
        with pytest.raises(Rejected) as caught:
            refresh_grant(http, MASTODON, "https://m.example", "c", "s", "r")
        assert not isinstance(caught.value, AuthExpired)
        assert caught.value.message == "unsupported_grant_type"

    def test_it_refuses_an_answer_without_an_access_token(self):
        http, _sent = token_endpoint(200, {"token_type": "Bearer"})
        with pytest.raises(Rejected):
            refresh_grant(http, MASTODON, "https://m.example", "c", "s", "r")

    def test_it_types_transport_failures_like_every_request(self):
        def lost(request):
            raise httpx.ReadTimeout("no answer", request=request)

        def refused(request):
            raise httpx.ConnectError("refused", request=request)

        for handler, expected in ((lost, OutcomeUnknown), (refused, ConnectorError)):
            http = httpx.Client(transport=httpx.MockTransport(handler))
            with pytest.raises(expected):
                refresh_grant(http, MASTODON, "https://m.example", "c", "s", "r")
