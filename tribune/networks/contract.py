"""The contract every connector's tests inherit (Apprise's shared provider suite, in spirit).

A connector test class sets `connector_class`, `credentials`, `draft` and
`published_body` (a response recorded from, or shaped after, the network's
documentation) and gets these tests for free. Responses come from an
httpx.MockTransport: an imitation of the network's HTTP side, named as such;
tests against real servers live beside each connector where one can run here.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from tribune.editorial.rules_table import rules_for

from .base import AccountCredentials, Connector, PostDraft
from .errors import AuthExpired, ConnectorError, OutcomeUnknown, RateLimited, Rejected


class ConnectorContract:
    connector_class: type[Connector]
    credentials: AccountCredentials
    draft: PostDraft
    published_body: dict

    def connector(self, handler: Callable[[httpx.Request], httpx.Response]) -> Connector:
        http = httpx.Client(transport=httpx.MockTransport(handler), timeout=5)
        return self.connector_class(self.credentials, http)

    def answering(self, status: int, body: dict | None = None, headers: dict | None = None):
        sent: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return httpx.Response(status, json=body or {}, headers=headers or {})

        return self.connector(handler), sent

    def test_it_takes_its_limits_from_the_rules_table(self):
        assert self.connector_class.limits() == rules_for(self.connector_class.key)

    def test_it_publishes_and_reads_the_remote_reference(self):
        connector, sent = self.answering(200, self.published_body)
        result = connector.publish(self.draft, "key-1")
        assert result.ref.remote_id
        assert len(sent) == 1

    def test_it_maps_401_to_auth_expired(self):
        connector, _sent = self.answering(401, {"error": "The access token is invalid"})
        with pytest.raises(AuthExpired) as caught:
            connector.publish(self.draft, "key-1")
        assert caught.value.permanent
        assert "access token is invalid" in caught.value.message

    def test_it_maps_429_to_rate_limited_honouring_retry_after(self):
        connector, _sent = self.answering(429, {}, {"Retry-After": "30"})
        with pytest.raises(RateLimited) as caught:
            connector.publish(self.draft, "key-1")
        assert caught.value.retry_after == 30

    def test_it_maps_a_refusal_to_rejected_with_the_networks_message(self):
        connector, _sent = self.answering(422, {"error": "Validation failed: Text too long"})
        with pytest.raises(Rejected) as caught:
            connector.publish(self.draft, "key-1")
        assert "Text too long" in caught.value.message

    def test_it_maps_a_timeout_after_sending_to_outcome_unknown(self):
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ReadTimeout("no answer", request=request)

        with pytest.raises(OutcomeUnknown):
            self.connector(handler).publish(self.draft, "key-1")

    def test_it_treats_a_refused_connection_as_safe_to_retry(self):
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        with pytest.raises(ConnectorError) as caught:
            self.connector(handler).publish(self.draft, "key-1")
        assert not isinstance(caught.value, OutcomeUnknown)
        assert not caught.value.permanent

    def test_it_keeps_the_idempotency_promise(self):
        connector, sent = self.answering(200, self.published_body)
        connector.publish(self.draft, "same-key")
        connector.publish(self.draft, "same-key")
        if self.connector_class.idempotent_publish:
            # Both attempts carry the key, so the network can answer the second with the first.
            keys = {r.headers.get("Idempotency-Key") for r in sent}
            assert keys == {"same-key"}
        else:
            # Without a network-side key, find_published must be able to settle a doubt.
            assert hasattr(connector, "find_published")

    def test_it_never_shows_secrets_in_its_repr(self):
        assert self.credentials.token not in repr(self.credentials)


def recorded(name: str) -> dict:
    """Load a recorded response from tribune/networks/tests/fixtures/<name>.json."""
    from pathlib import Path

    path = Path(__file__).parent / "tests" / "fixtures" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))
