"""The OAuth2 authorisation-code flow (RFC 6749 §4.1) with PKCE (RFC 7636), for connecting
accounts.

Independent of Django views: the accounts views keep `state` and the PKCE
verifier in the session, send the person to `authorize_url(...)`, and on the
way back call `exchange_code(...)`. Tokens are exchanged with the client
credentials in the form body ("client_secret_post", RFC 6749 §2.3.1), which
Mastodon (Doorkeeper) accepts.

Errors: an `invalid_grant` answer (a code used twice or expired, a refresh
token revoked) raises AuthExpired, so the account is connected again; every
other failure is typed by tribune.networks.http.send.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urljoin

import httpx

from .base import OAuthSpec, TokenGrant
from .errors import AuthExpired, Rejected
from .http import send


def new_pkce() -> tuple[str, str]:
    """Return a fresh (verifier, challenge): 32 random octets base64url-encoded, and their
    S256 challenge (RFC 7636 §4.1, §4.2)."""
    verifier = _base64url(secrets.token_bytes(32))
    return verifier, pkce_challenge(verifier)


def pkce_challenge(verifier: str) -> str:
    """Return BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 §4.2, S256)."""
    return _base64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_state() -> str:
    """Return an unguessable `state` value binding the redirect to the person who started it."""
    return secrets.token_urlsafe(32)


def endpoint(spec_url: str, base_url: str) -> str:
    """Return the absolute URL of an OAuth endpoint: relative paths are resolved against the
    account's server (Mastodon: every instance is its own authorisation server)."""
    if spec_url.startswith(("https://", "http://")):
        return spec_url
    return urljoin(base_url.rstrip("/") + "/", spec_url.lstrip("/"))


def authorize_url(
    spec: OAuthSpec,
    base_url: str,
    client_id: str,
    redirect_uri: str,
    state: str,
    challenge: str,
    scopes: Sequence[str] | None = None,
) -> str:
    """Return the address to send the person to; `challenge` is ignored when the spec has no
    PKCE. `scopes` defaults to the spec's."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(spec.scopes if scopes is None else scopes),
        "state": state,
    }
    if spec.pkce:
        params["code_challenge"] = challenge
        params["code_challenge_method"] = "S256"
    url = endpoint(spec.authorize_url, base_url)
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def exchange_code(
    http: httpx.Client,
    spec: OAuthSpec,
    base_url: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    code: str,
    verifier: str,
) -> TokenGrant:
    """Exchange an authorisation code for tokens (RFC 6749 §4.1.3).

    Returns a TokenGrant; raises AuthExpired for `invalid_grant` (the person must
    authorise again), else the typed errors of `send`.
    """
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "client_secret": client_secret,
    }
    if spec.pkce:
        form["code_verifier"] = verifier
    return _token_request(http, endpoint(spec.token_url, base_url), form)


def refresh_grant(
    http: httpx.Client,
    spec: OAuthSpec,
    base_url: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
) -> TokenGrant:
    """Exchange a refresh token for new tokens (RFC 6749 §6).

    The answer's refresh token is empty when the server sends none: the caller
    keeps the stored one. Raises AuthExpired for `invalid_grant`.
    """
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": client_id,
        "client_secret": client_secret,
    }
    return _token_request(http, endpoint(spec.token_url, base_url), form)


class _KeptResponse:
    """Passes requests to the client and keeps the last response, so a refusal typed by
    `send` can still be read for its OAuth error code (`send` keeps only the message)."""

    def __init__(self, http: httpx.Client):
        self.http = http
        self.response: httpx.Response | None = None

    def send(self, request: httpx.Request) -> httpx.Response:
        self.response = self.http.send(request)
        return self.response


def _token_request(http: httpx.Client, url: str, form: dict) -> TokenGrant:
    sent_at = datetime.now(UTC)  # expiry counted from before sending: never later than true
    request = http.build_request("POST", url, data=form, headers={"Accept": "application/json"})
    kept = _KeptResponse(http)
    try:
        response = send(kept, request)  # type: ignore[arg-type]
    except (Rejected, AuthExpired) as refused:
        if kept.response is not None and _oauth_error(kept.response) == "invalid_grant":
            raise AuthExpired(
                refused.message or "invalid_grant", status=kept.response.status_code
            ) from None
        raise
    return _grant(response, sent_at)


def _oauth_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""


def _grant(response: httpx.Response, sent_at: datetime) -> TokenGrant:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not body.get("access_token"):
        raise Rejected("the token answer holds no access token", status=response.status_code)
    expires_at = None
    expires_in = body.get("expires_in")
    if isinstance(expires_in, int | float) or (
        isinstance(expires_in, str) and expires_in.isdigit()
    ):
        expires_at = sent_at + timedelta(seconds=int(expires_in))
    return TokenGrant(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token") or ""),
        expires_at=expires_at,
        scope=str(body.get("scope") or ""),
    )


def _base64url(octets: bytes) -> str:
    return base64.urlsafe_b64encode(octets).rstrip(b"=").decode("ascii")
