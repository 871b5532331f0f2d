"""Each retry rule of the engine, driven through drain() with a scripted network.

The network is an imitation (httpx.MockTransport answering from a script, tests/support.py):
Mastodon's connector for a network that honours an idempotency key, and the made-up
connectors of tests/connectors.py for one that can only be searched and one that can do
neither. Time never passes by sleeping: next attempts and attempt start times are moved.
"""

from __future__ import annotations

import random
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from tribune.networks.models import AccountStatus
from tribune.publishing import retry
from tribune.publishing.engine import drain
from tribune.publishing.models import Outcome, Problem, TargetState

from .support import (
    age_attempts,
    attempts,
    created,
    make_account,
    make_due,
    notified,
    scheduled_post,
    search,
    status,
    targets,
)


def one_target(workspace, author, network_key="mastodon", **post_fields):
    account = make_account(workspace, network_key)
    post = scheduled_post(workspace, author, [account], networks=(network_key,), **post_fields)
    [target] = targets(post)
    return account, post, target


def test_it_retries_an_error_before_the_request_left_without_duplicating(workspace, alice, network):
    account, _post, target = one_target(workspace, alice)
    network.answers = [httpx.ConnectError("refused"), status(1)]
    before = timezone.now()
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.SCHEDULED
    # Nothing can have reached the network: no need to check before the next try.
    assert not target.verify_first
    assert before + timedelta(seconds=retry.BASE_DELAY_S / 2) <= target.next_attempt_at
    assert target.next_attempt_at <= timezone.now() + timedelta(seconds=retry.BASE_DELAY_S)
    assert attempts(target)[0].outcome == Outcome.RETRY
    make_due(target)
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert len(network.sent("POST", "/statuses")) == 2
    assert drain(account.pk) == 0
    assert len(network.requests) == 2


def test_it_waits_for_retry_after_on_a_429_and_pauses_the_account(workspace, alice, network):
    account, _post, target = one_target(workspace, alice)
    network.answers = [httpx.Response(429, headers={"Retry-After": "120"}), status(1)]
    before = timezone.now()
    drain(account.pk)
    target.refresh_from_db()
    account.refresh_from_db()
    after = timezone.now()
    assert target.state == TargetState.SCHEDULED
    assert (
        before + timedelta(seconds=120) <= target.next_attempt_at <= after + timedelta(seconds=120)
    )
    assert before + timedelta(seconds=120) <= account.paused_until <= after + timedelta(seconds=120)
    [attempt] = attempts(target)
    assert attempt.outcome == Outcome.RATE_LIMITED and attempt.status_code == 429
    # Another target of the account due now is held back by the pause, too.
    other = scheduled_post(workspace, alice, [account])
    assert drain(account.pk) == 0
    assert targets(other)[0].state == TargetState.SCHEDULED
    assert len(network.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [httpx.Response(503), httpx.ReadTimeout("no answer")],
    ids=["5xx", "timeout"],
)
def test_it_retries_mastodon_with_the_same_idempotency_key(workspace, alice, network, failure):
    account, _post, target = one_target(workspace, alice)
    network.answers = [failure, status(1)]
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.SCHEDULED and target.verify_first
    assert attempts(target)[0].outcome == Outcome.RETRY
    make_due(target)
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED and not target.verify_first
    keys = [r.headers["Idempotency-Key"] for r in network.sent("POST", "/statuses")]
    assert keys == [target.idempotency_key, target.idempotency_key]


def test_it_looks_before_repeating_and_settles_on_what_it_finds(
    workspace, alice, network, test_networks
):
    account, _post, target = one_target(workspace, alice, "findable")
    network.answers = [httpx.Response(502), search(7)]
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.SCHEDULED and target.verify_first
    make_due(target)
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert (target.remote_id, target.url) == ("p7", "https://findable.example/p/7")
    assert [a.outcome for a in attempts(target)] == [Outcome.RETRY, Outcome.FOUND]
    assert len(network.sent("POST")) == 1, "found: never published a second time"
    [looked] = network.sent("GET", "/posts")
    assert looked.url.params["marker"] == target.idempotency_key


def test_it_publishes_again_when_the_search_finds_nothing(workspace, alice, network, test_networks):
    account, _post, target = one_target(workspace, alice, "findable")
    network.answers = [httpx.ReadTimeout("no answer"), search(), created(8)]
    drain(account.pk)
    make_due(target)
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED and target.remote_id == "p8"
    assert [(r.method, r.url.path) for r in network.requests] == [
        ("POST", "/posts"),
        ("GET", "/posts"),
        ("POST", "/posts"),
    ]
    assert [a.outcome for a in attempts(target)] == [Outcome.RETRY, Outcome.PUBLISHED]


def test_it_hands_a_doubt_to_a_person_when_nothing_can_settle_it(
    workspace, alice, network, test_networks
):
    account, post, target = one_target(workspace, alice, "blind")
    network.answers = [httpx.Response(500, json={"error": "upstream timeout"})]
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.UNKNOWN and target.problem == Problem.UNKNOWN
    assert target.message == "upstream timeout"
    [attempt] = attempts(target)
    assert attempt.outcome == Outcome.UNKNOWN and attempt.status_code == 500
    [note] = notified("publish_unknown")
    assert note.recipient == alice and post.title in note.text
    make_due(target)
    assert drain(account.pk) == 0, "never retried by itself"
    assert len(network.requests) == 1


def test_it_does_not_repeat_blindly_once_the_idempotency_window_closed(workspace, alice, network):
    account, _post, target = one_target(workspace, alice)
    network.answers = [httpx.Response(503), status(1)]
    drain(account.pk)
    # Mastodon remembers a key for an hour; the retry comes later than that.
    age_attempts(target, timedelta(hours=1))
    make_due(target)
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.UNKNOWN and target.problem == Problem.UNKNOWN
    assert len(network.sent("POST", "/statuses")) == 1
    assert notified("publish_unknown")


def test_it_does_not_retry_a_timeout_seen_after_the_window_closed(workspace, alice, network):
    account, _post, target = one_target(workspace, alice)
    network.answers = [httpx.ConnectError("down"), httpx.ReadTimeout("no answer")]
    drain(account.pk)
    age_attempts(target, timedelta(minutes=56))
    make_due(target)
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.UNKNOWN
    assert len(network.requests) == 2


def test_it_fails_on_401_and_asks_for_the_account_to_be_reconnected(workspace, alice, network):
    account, _post, target = one_target(workspace, alice)
    network.answers = [httpx.Response(401, json={"error": "The access token was revoked"})]
    drain(account.pk)
    target.refresh_from_db()
    account.refresh_from_db()
    assert target.state == TargetState.FAILED and target.problem == Problem.AUTH
    assert account.status == AccountStatus.RECONNECT
    assert account.status_message == "The access token was revoked"
    assert attempts(target)[0].status_code == 401
    # The account's next target fails at once, without a request.
    other = scheduled_post(workspace, alice, [account])
    drain(account.pk)
    assert targets(other)[0].problem == Problem.AUTH
    assert len(network.requests) == 1
    assert len(notified("publish_failed")) == 2


def test_it_fails_as_an_account_problem_when_no_key_opens_the_credentials(
    workspace, alice, network, settings
):
    """A lost key: the claim still works (the secrets stay sealed until used), and the
    target fails visibly with what to do, without a request and without the secret."""
    from cryptography.fernet import Fernet

    settings.CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    account, _post, target = one_target(workspace, alice)
    settings.CREDENTIALS_KEYS = [Fernet.generate_key().decode()]  # the first key is gone
    network.answers = [status(1)]
    assert drain(account.pk) == 1
    target.refresh_from_db()
    assert (target.state, target.problem) == (TargetState.FAILED, Problem.ACCOUNT)
    assert "reconnect" in target.message and "tok-secret-1" not in target.message
    assert network.requests == []


def test_it_fails_on_422_with_the_networks_own_message(workspace, alice, network):
    account, _post, target = one_target(workspace, alice)
    network.answers = [httpx.Response(422, json={"error": "Validation failed: Text too long"})]
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.FAILED and target.problem == Problem.REJECTED
    assert target.message == "Validation failed: Text too long"
    [attempt] = attempts(target)
    assert (attempt.outcome, attempt.status_code) == (Outcome.FAILED, 422)
    assert attempt.message == "Validation failed: Text too long"
    [note] = notified("publish_failed")
    assert "Validation failed: Text too long" in note.text
    make_due(target)
    assert drain(account.pk) == 0


def test_it_gives_up_after_max_attempts(workspace, alice, network):
    account, post, target = one_target(workspace, alice)
    network.answers = [httpx.ConnectError("down")]
    for _ in range(retry.MAX_ATTEMPTS):
        make_due(target)
        assert drain(account.pk) == 1
    target.refresh_from_db()
    assert target.state == TargetState.FAILED and target.problem == Problem.GAVE_UP
    assert target.attempt_count == retry.MAX_ATTEMPTS
    assert len(network.requests) == retry.MAX_ATTEMPTS
    assert notified("publish_failed")
    make_due(target)
    assert drain(account.pk) == 0


def test_it_gives_up_with_a_doubt_still_open_as_outcome_unknown(
    workspace, alice, network, test_networks
):
    account, _post, target = one_target(workspace, alice, "findable")
    # The search itself keeps failing: the doubt of the first 502 is never settled.
    network.answers = [httpx.Response(502), httpx.ConnectError("down")]
    for _ in range(retry.MAX_ATTEMPTS):
        make_due(target)
        drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.UNKNOWN and target.problem == Problem.UNKNOWN
    assert attempts(target)[-1].outcome == Outcome.UNKNOWN
    assert len(network.sent("POST")) == 1


def test_it_keeps_the_doubt_when_the_check_fails_for_another_reason(
    workspace, alice, network, test_networks
):
    account, _post, target = one_target(workspace, alice, "findable")
    network.answers = [httpx.Response(502), httpx.Response(401)]
    drain(account.pk)
    make_due(target)
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.FAILED and target.problem == Problem.AUTH
    # The first publish may still be out there: whoever retries must look first.
    assert target.verify_first


class TestBackoff:
    def test_it_stays_between_half_the_base_and_the_doubling_ceiling(self):
        rng = random.Random(7)
        for attempt in range(1, 12):
            ceiling = min(retry.MAX_DELAY_S, retry.BASE_DELAY_S * 2 ** (attempt - 1))
            for _ in range(50):
                delay = retry.backoff(attempt, rng).total_seconds()
                assert retry.BASE_DELAY_S / 2 <= delay <= ceiling

    def test_it_never_exceeds_the_ceiling(self):
        rng = random.Random(1)
        delays = [retry.backoff(n, rng).total_seconds() for n in range(1, 40)]
        assert max(delays) <= retry.MAX_DELAY_S
        assert max(delays) > retry.MAX_DELAY_S / 2, "late attempts do reach the ceiling's range"

    def test_it_spreads_retries_with_jitter(self):
        rng = random.Random(3)
        delays = {round(retry.backoff(5, rng).total_seconds(), 3) for _ in range(20)}
        assert len(delays) == 20

    def test_it_is_reproducible_with_a_seed(self):
        first = [retry.backoff(n, random.Random(42)) for n in range(1, 8)]
        again = [retry.backoff(n, random.Random(42)) for n in range(1, 8)]
        assert first == again

    def test_it_grows_with_the_attempt_number(self):
        rng = random.Random(11)
        early = sum(retry.backoff(1, rng).total_seconds() for _ in range(200))
        late = sum(retry.backoff(6, rng).total_seconds() for _ in range(200))
        assert late > 10 * early

    def test_it_gives_up_at_max_attempts(self):
        assert not retry.gave_up(retry.MAX_ATTEMPTS - 1)
        assert retry.gave_up(retry.MAX_ATTEMPTS)
