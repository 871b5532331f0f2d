"""Sending a request to a network and turning what comes back into typed errors.

The one distinction that matters for never posting twice: did the request
leave? A connection that could not be opened means it did not (safe to retry);
a timeout or a dropped connection after sending means it may have arrived
(OutcomeUnknown).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from .errors import AuthExpired, ConnectorError, OutcomeUnknown, RateLimited, Rejected

# When a 429 names no delay, wait this long (seconds).
DEFAULT_RETRY_AFTER = 60.0


def send(
    http: httpx.Client,
    request: httpx.Request,
    *,
    check: Callable[[httpx.Response], None] | None = None,
) -> httpx.Response:
    """Send `request`; raise a typed error for transport failures and error statuses.

    `check` replaces `raise_for_status` for networks whose error statuses mean
    something else (Bluesky's XRPC answers an expired token with a 400).
    """
    try:
        response = http.send(request)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ConnectorError(f"could not reach the network: {type(exc).__name__}") from None
    except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError):
        raise OutcomeUnknown("no answer after the request was sent") from None
    (check or raise_for_status)(response)
    return response


def raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    message = network_message(response)
    if status == 401:
        raise AuthExpired(message or "the network refused the credentials", status=status)
    if status == 429:
        raise RateLimited(message or "rate limited", retry_after=retry_after(response))
    if status >= 500:
        # The network failed while handling it: it may or may not have acted.
        raise OutcomeUnknown(message or f"network error {status}", status=status)
    raise Rejected(message or f"refused ({status})", status=status)


def retry_after(response: httpx.Response, now: datetime | None = None) -> float:
    """Seconds to wait, from Retry-After (seconds or HTTP date) or X-RateLimit-Reset."""
    now = now or datetime.now(UTC)
    header = response.headers.get("Retry-After", "").strip()
    if header:
        if header.isdigit():
            return float(header)
        try:
            return max(0.0, (parsedate_to_datetime(header) - now).total_seconds())
        except (TypeError, ValueError):
            pass
    reset = response.headers.get("X-RateLimit-Reset", "").strip()
    if reset:
        try:  # Mastodon sends an ISO 8601 time
            return max(0.0, (datetime.fromisoformat(reset.replace("Z", "+00:00")) - now)
                       .total_seconds())  # fmt: skip
        except ValueError:
            pass
    return DEFAULT_RETRY_AFTER


def network_message(response: httpx.Response) -> str:
    """Return the network's own error message, when its body has one."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("error_description", "error", "message", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:500]
    return ""
