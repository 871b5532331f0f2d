"""Every state a target moves through, and the attempt recorded for each move.

Moves made by the engine are driven through claim_next() and execute() with a scripted
network (httpx.MockTransport: an imitation of the network's HTTP side, tests/support.py);
the moves made by people go through actions.py. The sweepers' moves (lease expired,
missed) are in test_sweeper.py.
"""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tribune.editorial.models import MediaAsset, VariantMedia
from tribune.networks import clients
from tribune.networks.models import Account, AccountMode, AccountStatus
from tribune.publishing import actions
from tribune.publishing.drafts import build_draft
from tribune.publishing.engine import drain, execute
from tribune.publishing.models import Outcome, Problem, Target, TargetState
from tribune.publishing.targets import plan_targets

from .support import (
    ScriptedNetwork,
    access_for,
    attempts,
    claim,
    created,
    make_account,
    notified,
    scheduled_post,
    status,
    targets,
)

T = TargetState

# What the network answers -> the target's state and problem, and the attempt's outcome.
ENGINE_MOVES = [
    ("published", "mastodon", status(1), T.PUBLISHED, "", Outcome.PUBLISHED, 200),
    ("never left", "mastodon", httpx.ConnectError("refused"), T.SCHEDULED, "", Outcome.RETRY,
     None),
    ("429", "mastodon", httpx.Response(429), T.SCHEDULED, "", Outcome.RATE_LIMITED, 429),
    ("5xx, same key", "mastodon", httpx.Response(503), T.SCHEDULED, "", Outcome.RETRY, 503),
    ("timeout, same key", "mastodon", httpx.ReadTimeout("-"), T.SCHEDULED, "", Outcome.RETRY,
     None),
    ("timeout, searchable", "findable", httpx.ReadTimeout("-"), T.SCHEDULED, "", Outcome.RETRY,
     None),
    ("5xx, nothing to check", "blind", httpx.Response(502), T.UNKNOWN, Problem.UNKNOWN,
     Outcome.UNKNOWN, 502),
    ("dropped, nothing to check", "blind", httpx.RemoteProtocolError("-"), T.UNKNOWN,
     Problem.UNKNOWN, Outcome.UNKNOWN, None),
    ("401", "mastodon", httpx.Response(401), T.FAILED, Problem.AUTH, Outcome.FAILED, 401),
    ("403", "mastodon", httpx.Response(403), T.FAILED, Problem.REJECTED, Outcome.FAILED, 403),
    ("422", "mastodon", httpx.Response(422), T.FAILED, Problem.REJECTED, Outcome.FAILED, 422),
]  # fmt: skip


@pytest.mark.parametrize(
    ("network_key", "answer", "state", "problem", "outcome", "code"),
    [row[1:] for row in ENGINE_MOVES],
    ids=[row[0] for row in ENGINE_MOVES],
)
def test_it_moves_a_claimed_target_by_the_networks_answer(
    workspace, alice, network, test_networks, network_key, answer, state, problem, outcome, code
):
    account = make_account(workspace, network_key)
    post = scheduled_post(workspace, alice, [account], networks=(network_key,))
    [target] = targets(post)
    assert target.state == T.SCHEDULED
    taken = claim(account)
    target.refresh_from_db()
    assert target.state == T.PUBLISHING and target.attempt_count == 1
    network.answers = [answer]
    execute(taken)
    target.refresh_from_db()
    assert (target.state, target.problem) == (state, problem)
    assert (target.lease_owner, target.lease_until) == ("", None)
    [attempt] = attempts(target)
    assert (attempt.outcome, attempt.status_code) == (outcome, code)
    assert attempt.started_at <= attempt.finished_at <= timezone.now()
    if state == T.PUBLISHED:
        assert (attempt.remote_id, attempt.url) == ("101", "https://mastodon.example/@lumen/101")
        assert (target.remote_id, target.url) == (attempt.remote_id, attempt.url)
        assert target.published_at
    else:
        assert (attempt.remote_id, attempt.url, target.published_at) == ("", "", None)
        assert attempt.message


def test_it_records_the_remote_reference_of_a_made_up_network(
    workspace, alice, network, test_networks
):
    account = make_account(workspace, "findable")
    post = scheduled_post(workspace, alice, [account], networks=("findable",))
    network.answers = [created(6)]
    drain(account.pk)
    [attempt] = attempts(targets(post)[0])
    assert (attempt.remote_id, attempt.url, attempt.status_code) == (
        "p6",
        "https://findable.example/p/6",
        200,
    )


def test_it_waits_for_a_person_on_a_reminder_account(workspace, alice, network):
    account = make_account(workspace, mode=AccountMode.REMINDER)
    post = scheduled_post(workspace, alice, [account])
    drain(account.pk)
    [target] = targets(post)
    assert target.state == T.AWAITING
    assert attempts(target)[0].outcome == Outcome.REMINDED
    assert network.requests == []
    [note] = notified("publish_by_hand")
    assert note.recipient == alice and f"/{target.pk}/" in note.url


def test_it_fails_without_a_request_when_the_account_needs_reconnecting(workspace, alice, network):
    account = make_account(
        workspace, status=AccountStatus.RECONNECT, status_message="Token revoked"
    )
    post = scheduled_post(workspace, alice, [account])
    drain(account.pk)
    [target] = targets(post)
    assert (target.state, target.problem, target.message) == (
        T.FAILED,
        Problem.AUTH,
        "Token revoked",
    )
    assert network.requests == []


def test_it_fails_visibly_when_the_stored_credentials_cannot_be_read(workspace, alice, network):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    # As after losing the key: the column holds a value no configured key opens.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Account._meta.db_table} SET token = %s WHERE id = %s",
            ["gAAAAABlost-key", account.pk],
        )
    assert drain(account.pk) == 1
    [target] = targets(post)
    assert (target.state, target.problem) == (T.FAILED, Problem.ACCOUNT)
    assert "reconnect" in target.message
    assert "gAAAA" not in target.message
    assert network.requests == []
    assert notified("publish_failed")


def test_it_fails_when_a_media_file_is_missing_from_storage(workspace, alice, network):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    asset = MediaAsset.objects.create(
        workspace=workspace, file="media/2026/11/gone.png", original_name="poster.png",
        kind="image", mime_type="image/png", size_bytes=10, alt_text="A poster",
    )  # fmt: skip
    VariantMedia.objects.create(variant=post.variants.get(), media=asset)
    drain(account.pk)
    [target] = targets(post)
    assert (target.state, target.problem) == (T.FAILED, Problem.MEDIA)
    assert "poster.png" in target.message
    assert network.requests == []


def test_it_keeps_tribunes_own_options_out_of_the_draft(workspace, alice, network):
    first = make_account(workspace)
    skipped = make_account(workspace, remote_id="m-2", name="Skipped")
    post = scheduled_post(workspace, alice, [first, skipped])
    variant = post.variants.get()
    variant.options = {"skip_accounts": [skipped.pk], "thread": ["two"], "visibility": "unlisted"}
    variant.save()
    plan_targets(post)
    assert [t.account_id for t in targets(post)] == [first.pk]
    assert build_draft(variant).options == {"visibility": "unlisted"}
    network.answers = [status(1), status(2)]
    drain(first.pk)
    sent = json.loads(network.sent("POST", "/statuses")[0].content)
    assert sent["visibility"] == "unlisted"


class TestToken:
    """An OAuth2 token close to expiry is refreshed before publishing (networks/tokens.py)."""

    def expiring_account(self, workspace):
        return make_account(
            workspace, refresh_token="refresh-1", settings={"client_id": "app-1"},
            token_expires_at=timezone.now() + timedelta(hours=1),
        )  # fmt: skip

    def test_it_refreshes_then_publishes_with_the_new_token(self, workspace, alice, network):
        account = self.expiring_account(workspace)
        post = scheduled_post(workspace, alice, [account])
        grant = httpx.Response(200, json={"access_token": "tok-new", "expires_in": 86400 * 7})
        network.answers = [grant, status(1)]
        drain(account.pk)
        assert targets(post)[0].state == T.PUBLISHED
        refresh, publish = network.requests
        assert refresh.url.path == "/oauth/token"
        assert publish.headers["Authorization"] == "Bearer tok-new"
        account.refresh_from_db()
        assert account.token == "tok-new" and account.refresh_token == "refresh-1"

    def test_it_fails_the_target_and_the_account_when_the_refresh_is_refused(
        self, workspace, alice, network
    ):
        account = self.expiring_account(workspace)
        post = scheduled_post(workspace, alice, [account])
        network.answers = [httpx.Response(400, json={"error": "invalid_grant"})]
        drain(account.pk)
        assert (targets(post)[0].state, targets(post)[0].problem) == (T.FAILED, Problem.AUTH)
        account.refresh_from_db()
        assert account.status == AccountStatus.RECONNECT
        assert len(network.requests) == 1

    def test_it_publishes_with_the_old_token_when_the_server_cannot_be_reached(
        self, workspace, alice, network
    ):
        account = self.expiring_account(workspace)
        post = scheduled_post(workspace, alice, [account])
        network.answers = [httpx.ConnectError("down"), status(1)]
        drain(account.pk)
        assert targets(post)[0].state == T.PUBLISHED
        assert network.requests[1].headers["Authorization"] == "Bearer tok-secret-1"


def test_it_closes_every_http_client_it_opens(workspace, alice, monkeypatch, test_networks):
    """Including the refresh check of a network that has no OAuth2 (nothing to refresh)."""
    opened: list[httpx.Client] = []
    scripted = ScriptedNetwork(created(1))

    def client() -> httpx.Client:
        opened.append(scripted.client())
        return opened[-1]

    monkeypatch.setattr(clients, "http_client", client)
    account = make_account(
        workspace, "findable", refresh_token="refresh-1",
        token_expires_at=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    scheduled_post(workspace, alice, [account], networks=("findable",))
    drain(account.pk)
    assert len(opened) == 2
    assert all(c.is_closed for c in opened)


# ---- moves made by people (details in test_decisions.py) --------------------------------

PERSON_MOVES = {
    # decision: (states it is allowed from, the state it leads to)
    "retry": ({T.FAILED}, T.SCHEDULED),
    "publish_again": ({T.UNKNOWN}, T.SCHEDULED),
    "mark_published": ({T.FAILED, T.UNKNOWN, T.AWAITING}, T.PUBLISHED),
    "skip": ({T.FAILED, T.UNKNOWN, T.AWAITING}, T.SKIPPED),
}


def decide(access, decision: str, target_id: int):
    if decision == "retry":
        return actions.do_retry(access, target_id)
    if decision == "publish_again":
        return actions.do_publish_again(access, target_id)
    if decision == "mark_published":
        return actions.do_mark_published(access, target_id, "https://mastodon.example/@l/1")
    return actions.do_skip(access, target_id, "Posted from the phone app already")


@pytest.mark.parametrize("decision", PERSON_MOVES)
@pytest.mark.parametrize("start", list(TargetState))
def test_it_allows_each_decision_only_from_its_states(workspace, alice, decision, start):
    account = make_account(workspace)
    [target] = targets(scheduled_post(workspace, alice, [account]))
    Target.objects.filter(pk=target.pk).update(state=start, attempt_count=1)
    allowed, end = PERSON_MOVES[decision]
    access = access_for(alice, workspace)
    if start in allowed:
        decided = decide(access, decision, target.pk)
        assert decided.state == end
        target.refresh_from_db()
        assert target.state == end
        assert attempts(target)[-1].outcome == Outcome.DECIDED
    else:
        with pytest.raises(ValidationError):
            decide(access, decision, target.pk)
        target.refresh_from_db()
        assert target.state == start
