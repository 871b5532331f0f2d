"""What people decide about a target (actions.py): retry, publish again, mark published, skip.

Targets reach their states through the engine with a scripted network (httpx.MockTransport:
an imitation of the network, tests/support.py), not through fields set by hand, except
where a test needs a state the engine would take many steps to reach.
"""

from __future__ import annotations

import httpx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tribune.editorial.choices import PostState
from tribune.editorial.tests.workflow_support import make_post
from tribune.networks.models import AccountMode, AccountStatus
from tribune.publishing import actions, retry
from tribune.publishing.engine import drain
from tribune.publishing.models import Outcome, Problem, Target, TargetState
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent
from tribune.workspaces.roles import Role

from .support import (
    access_for,
    attempts,
    created,
    make_account,
    make_due,
    scheduled_post,
    status,
    targets,
)

T = TargetState

# The made-up networks of tests/connectors.py ("blind": no way to settle a doubt).
pytestmark = pytest.mark.usefixtures("test_networks")


def failed_target(workspace, author, network):
    account = make_account(workspace)
    post = scheduled_post(workspace, author, [account])
    network.answers = [httpx.Response(422, json={"error": "Too long"})]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == T.FAILED
    return account, post, target


def unknown_target(workspace, author, network):
    account = make_account(workspace, "blind")
    post = scheduled_post(workspace, author, [account], networks=("blind",))
    network.answers = [httpx.Response(504)]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == T.UNKNOWN
    return account, post, target


class TestRetry:
    def test_it_schedules_a_failed_target_now_and_publishes_it(self, workspace, alice, network):
        account, post, target = failed_target(workspace, alice, network)
        retried = actions.do_retry(access_for(alice, workspace), target.pk)
        assert retried.state == T.SCHEDULED and retried.problem == ""
        assert retried.next_attempt_at <= timezone.now()
        assert (retried.decided_by, retried.retries_from) == (alice, 1)
        network.answers = [status(1)]
        drain(account.pk)
        target.refresh_from_db()
        assert target.state == T.PUBLISHED
        keys = {r.headers["Idempotency-Key"] for r in network.sent("POST", "/statuses")}
        assert keys == {target.idempotency_key}
        assert [a.outcome for a in attempts(target)] == [
            Outcome.FAILED,
            Outcome.DECIDED,
            Outcome.PUBLISHED,
        ]
        event = AuditEvent.objects.filter(verb="retry_publication").get()
        assert (event.actor, event.object_id) == (alice, str(target.pk))
        assert event.before["state"] == T.FAILED and event.after["state"] == T.SCHEDULED

    @pytest.mark.parametrize("state", [T.PUBLISHED, T.UNKNOWN, T.SCHEDULED, T.PUBLISHING])
    def test_it_retries_only_a_failed_target(self, workspace, alice, network, state):
        _account, _post, target = failed_target(workspace, alice, network)
        Target.objects.filter(pk=target.pk).update(state=state)
        with pytest.raises(ValidationError, match="Only a failed publication"):
            actions.do_retry(access_for(alice, workspace), target.pk)

    def test_it_asks_for_the_account_to_be_reconnected_first(self, workspace, alice, network):
        account, _post, target = failed_target(workspace, alice, network)
        account.status = AccountStatus.RECONNECT
        account.save()
        with pytest.raises(ValidationError, match="Reconnect"):
            actions.do_retry(access_for(alice, workspace), target.pk)
        target.refresh_from_db()
        assert target.state == T.FAILED

    def test_it_gives_a_retried_target_a_fresh_attempt_budget(self, workspace, alice, network):
        account = make_account(workspace)
        [target] = targets(scheduled_post(workspace, alice, [account]))
        network.answers = [httpx.ConnectError("down")]
        for _ in range(retry.MAX_ATTEMPTS):
            make_due(target)
            drain(account.pk)
        target.refresh_from_db()
        assert target.problem == Problem.GAVE_UP
        actions.do_retry(access_for(alice, workspace), target.pk)
        drain(account.pk)
        target.refresh_from_db()
        assert target.state == T.SCHEDULED, "one failure after a retry is not a give-up"

    def test_it_keeps_an_open_doubt_when_a_person_retries(
        self, workspace, alice, network, test_networks
    ):
        account = make_account(workspace, "findable")
        post = scheduled_post(workspace, alice, [account], networks=("findable",))
        network.answers = [httpx.Response(502), httpx.Response(401)]
        drain(account.pk)
        [target] = targets(post)
        make_due(target)
        drain(account.pk)
        target.refresh_from_db()
        assert target.state == T.FAILED and target.verify_first
        account.status = AccountStatus.ACTIVE
        account.save()
        actions.do_retry(access_for(alice, workspace), target.pk)
        target.refresh_from_db()
        assert target.verify_first, "the first publish may be out: look before sending again"


class TestRetryPost:
    def test_it_retries_the_failed_targets_and_leaves_the_others_untouched(
        self, workspace, alice, network, test_networks
    ):
        ok = make_account(workspace, name="Ok", remote_id="m-1", token="tok-ok")
        refused = make_account(workspace, name="Refused", remote_id="m-2", token="tok-refused")
        blind = make_account(workspace, "blind")
        post = scheduled_post(
            workspace, alice, [ok, refused, blind], networks=("mastodon", "blind")
        )

        def answer(request: httpx.Request) -> httpx.Response:
            if request.url.host == "blind.example":
                return httpx.Response(503)
            if request.headers["Authorization"] == "Bearer tok-refused":
                return httpx.Response(422, json={"error": "Too long"})
            return status(1)

        network.answers = [answer]
        for account in (ok, refused, blind):
            drain(account.pk)
        states = {t.account_id: t.state for t in targets(post)}
        assert states == {ok.pk: T.PUBLISHED, refused.pk: T.FAILED, blind.pk: T.UNKNOWN}
        published = Target.objects.get(account=ok)
        sent_before = len(network.requests)

        retried = actions.do_retry_post(access_for(alice, workspace), post.pk)
        assert [t.account_id for t in retried] == [refused.pk]
        network.answers = [status(2)]
        for account in (ok, refused, blind):
            drain(account.pk)
        assert len(network.requests) == sent_before + 1
        assert network.requests[-1].headers["Authorization"] == "Bearer tok-refused"
        again = Target.objects.get(account=ok)
        assert (again.state, again.attempt_count, again.url, again.published_at) == (
            T.PUBLISHED,
            published.attempt_count,
            published.url,
            published.published_at,
        )
        assert Target.objects.get(account=blind).state == T.UNKNOWN

    def test_it_says_so_when_there_is_nothing_to_retry(self, workspace, alice, network):
        account = make_account(workspace)
        post = scheduled_post(workspace, alice, [account])
        network.answers = [status(1)]
        drain(account.pk)
        with pytest.raises(ValidationError, match="Nothing to retry"):
            actions.do_retry_post(access_for(alice, workspace), post.pk)

    def test_it_retries_only_what_a_scoped_publisher_may_publish(
        self, workspace, alice, bob, network, test_networks
    ):
        mastodon = make_account(workspace)
        blind = make_account(workspace, "blind")
        post = scheduled_post(workspace, alice, [mastodon, blind], networks=("mastodon", "blind"))
        network.answers = [httpx.Response(422, json={"error": "No"})]
        drain(mastodon.pk)
        drain(blind.pk)
        set_roles(bob, workspace, Role.PUBLISHER, scopes={"publisher": ["blind"]})
        [retried] = actions.do_retry_post(access_for(bob, workspace), post.pk)
        assert retried.account_id == blind.pk
        assert Target.objects.get(account=mastodon).state == T.FAILED


class TestMarkPublished:
    @pytest.mark.parametrize(
        "url",
        ["", "  ", "not an address", "ftp://example.org/p/1", "javascript:alert(1)", "https://"],
    )
    def test_it_refuses_anything_but_a_web_address(self, workspace, alice, network, url):
        _account, _post, target = unknown_target(workspace, alice, network)
        with pytest.raises(ValidationError, match="address of the published post"):
            actions.do_mark_published(access_for(alice, workspace), target.pk, url)
        target.refresh_from_db()
        assert target.state == T.UNKNOWN

    @pytest.mark.parametrize("how", ["unknown", "failed", "awaiting"])
    def test_it_records_the_address_a_person_gives(self, workspace, alice, network, how):
        if how == "unknown":
            _account, post, target = unknown_target(workspace, alice, network)
        elif how == "failed":
            _account, post, target = failed_target(workspace, alice, network)
        else:
            account = make_account(workspace, mode=AccountMode.REMINDER)
            post = scheduled_post(workspace, alice, [account])
            drain(account.pk)
            [target] = targets(post)
        url = "  https://social.example/@lumen/42  "
        marked = actions.do_mark_published(access_for(alice, workspace), target.pk, url)
        assert (marked.state, marked.url, marked.problem) == (
            T.PUBLISHED,
            "https://social.example/@lumen/42",
            "",
        )
        assert marked.published_at and marked.decided_by == alice
        assert attempts(target)[-1].url == "https://social.example/@lumen/42"
        assert AuditEvent.objects.filter(verb="mark_published", object_id=str(target.pk)).exists()
        post.refresh_from_db()
        assert post.state == PostState.PUBLISHED

    def test_it_refuses_a_target_that_waits_for_no_decision(self, workspace, alice, network):
        account = make_account(workspace)
        post = scheduled_post(workspace, alice, [account])
        [target] = targets(post)
        with pytest.raises(ValidationError, match="not waiting for a decision"):
            actions.do_mark_published(access_for(alice, workspace), target.pk, "https://a.b/c")


class TestPublishAgain:
    def test_it_sends_again_after_a_person_checked_it_was_not_out(
        self, workspace, alice, network, test_networks
    ):
        account, _post, target = unknown_target(workspace, alice, network)
        again = actions.do_publish_again(access_for(alice, workspace), target.pk)
        assert (again.state, again.verify_first, again.problem) == (T.SCHEDULED, False, "")
        network.answers = [created(2, "blind")]
        drain(account.pk)
        target.refresh_from_db()
        assert (target.state, target.remote_id) == (T.PUBLISHED, "p2")
        assert len(network.sent("POST")) == 2

    @pytest.mark.parametrize("state", [T.FAILED, T.PUBLISHED, T.AWAITING, T.SKIPPED])
    def test_it_publishes_again_only_an_unknown_outcome(self, workspace, alice, network, state):
        _account, _post, target = unknown_target(workspace, alice, network)
        Target.objects.filter(pk=target.pk).update(state=state)
        with pytest.raises(ValidationError, match="outcome is unknown"):
            actions.do_publish_again(access_for(alice, workspace), target.pk)


class TestSkip:
    @pytest.mark.parametrize("reason", ["", "   "])
    def test_it_needs_a_reason(self, workspace, alice, network, reason):
        _account, _post, target = failed_target(workspace, alice, network)
        with pytest.raises(ValidationError, match="Say why"):
            actions.do_skip(access_for(alice, workspace), target.pk, reason)
        target.refresh_from_db()
        assert target.state == T.FAILED

    def test_it_skips_with_the_reason_kept(self, workspace, alice, network):
        _account, post, target = failed_target(workspace, alice, network)
        skipped = actions.do_skip(access_for(alice, workspace), target.pk, " Old news now ")
        assert (skipped.state, skipped.message) == (T.SKIPPED, "Old news now")
        assert attempts(target)[-1].message == "Old news now"
        assert AuditEvent.objects.filter(verb="skip_publication").exists()


class TestPermissions:
    DECISIONS = [
        lambda access, pk: actions.do_retry(access, pk),
        lambda access, pk: actions.do_publish_again(access, pk),
        lambda access, pk: actions.do_mark_published(access, pk, "https://a.example/1"),
        lambda access, pk: actions.do_skip(access, pk, "reason"),
    ]

    @pytest.mark.parametrize("decision", DECISIONS, ids=["retry", "again", "mark", "skip"])
    def test_it_refuses_a_publisher_scoped_to_another_network(
        self, workspace, alice, bob, network, decision
    ):
        _account, _post, target = failed_target(workspace, alice, network)
        set_roles(bob, workspace, Role.PUBLISHER, scopes={"publisher": ["bluesky"]})
        with pytest.raises(PermissionDenied):
            decision(access_for(bob, workspace), target.pk)
        target.refresh_from_db()
        assert target.state == T.FAILED

    @pytest.mark.parametrize("decision", DECISIONS, ids=["retry", "again", "mark", "skip"])
    def test_it_refuses_a_member_who_may_not_publish(
        self, workspace, alice, bob, network, decision
    ):
        _account, _post, target = failed_target(workspace, alice, network)
        with pytest.raises(PermissionDenied):
            decision(access_for(bob, workspace), target.pk)

    @pytest.mark.parametrize("decision", DECISIONS, ids=["retry", "again", "mark", "skip"])
    def test_it_hides_another_workspaces_target(self, workspace, alice, charlie, network, decision):
        _account, _post, target = failed_target(workspace, alice, network)
        other = charlie.memberships.get().workspace
        with pytest.raises(Http404):
            decision(access_for(charlie, other), target.pk)
        target.refresh_from_db()
        assert target.state == T.FAILED

    def test_it_lets_a_publisher_scoped_to_the_network_decide(self, workspace, alice, bob, network):
        _account, _post, target = failed_target(workspace, alice, network)
        set_roles(bob, workspace, Role.PUBLISHER, scopes={"publisher": ["mastodon"]})
        assert actions.do_retry(access_for(bob, workspace), target.pk).state == T.SCHEDULED


class TestPublishNow:
    def test_it_schedules_an_approved_post_for_right_now(self, workspace, alice, network):
        account = make_account(workspace)
        post = make_post(workspace, alice, networks=("mastodon",), state=PostState.APPROVED)
        actions.do_publish_now(access_for(alice, workspace), post)
        [target] = targets(post)
        assert target.account_id == account.pk and target.state == T.SCHEDULED
        assert target.due_at <= timezone.now() + actions.NOW_DELAY
        post.refresh_from_db()
        assert post.state == PostState.SCHEDULED

    def test_it_refuses_a_post_that_is_not_approved(self, workspace, alice):
        post = make_post(workspace, alice, networks=("mastodon",))
        with pytest.raises(ValidationError, match="approved or scheduled"):
            actions.do_publish_now(access_for(alice, workspace), post)
