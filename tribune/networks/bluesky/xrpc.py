"""Bluesky's XRPC answers turned into Tribune's typed errors.

XRPC errors are JSON `{"error": "<Name>", "message": "<text>"}`
(https://atproto.com/specs/xrpc#error-responses). Two things differ from plain
HTTP and from tribune/networks/http.py's defaults:
- a bad or expired access token is a **400** naming `ExpiredToken` or
  `InvalidToken` (seen on the PDS), not a 401: it must read as "authenticate
  again", not as a refused post;
- a 429 names its reset in `RateLimit-Reset` as a Unix time in seconds (the
  PDS's rate limiter), not the delay in seconds of the IETF draft.
"""

from __future__ import annotations

import time

import httpx

from ..errors import AuthExpired, OutcomeUnknown, RateLimited, Rejected
from ..http import retry_after as http_retry_after

# Names that mean "these credentials or this token no longer work".
AUTH_ERRORS = frozenset(
    {"AuthenticationRequired", "ExpiredToken", "InvalidToken", "AuthMissing", "AccountTakedown"}
)
# A Unix time, not a delay, above this many seconds (2001-09-09).
_EPOCH_THRESHOLD = 1_000_000_000


def error_name(response: httpx.Response) -> str:
    """Return the XRPC error name of an answer ("" when its body names none)."""
    body = _body(response)
    value = body.get("error")
    return value if isinstance(value, str) else ""


def raise_for_xrpc(response: httpx.Response) -> None:
    """Raise the typed error an XRPC answer means; return when it succeeded."""
    status = response.status_code
    if status < 400:
        return
    name = error_name(response)
    message = _message(response, name) or f"refused ({status})"
    if status == 429:
        raise RateLimited(message, retry_after=retry_after(response))
    if status == 401 or name in AUTH_ERRORS:
        raise AuthExpired(message, status=status)
    if status >= 500:
        # The PDS failed while handling it: it may or may not have written.
        raise OutcomeUnknown(message, status=status)
    raise Rejected(message, status=status)


def retry_after(response: httpx.Response, now: float | None = None) -> float:
    """Seconds to wait: from RateLimit-Reset (a Unix time) or the usual headers."""
    reset = response.headers.get("RateLimit-Reset", "").strip()
    if reset.isdigit():
        value = float(reset)
        if value > _EPOCH_THRESHOLD:
            return max(0.0, value - (time.time() if now is None else now))
        return value
    return http_retry_after(response)


def _message(response: httpx.Response, name: str) -> str:
    body = _body(response)
    text = body.get("message")
    text = text if isinstance(text, str) else ""
    if name and text:
        return f"{name}: {text}"[:500]
    return (name or text)[:500]


def _body(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
