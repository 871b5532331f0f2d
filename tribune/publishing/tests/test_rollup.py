"""A post's publishing state follows from its targets: derive() as a table, then end to end.

End to end, the network is the scripted imitation of tests/support.py (httpx.MockTransport).
"""

from __future__ import annotations

import httpx
import pytest

from tribune.editorial.choices import PostState
from tribune.editorial.models import Transition
from tribune.networks.models import AccountMode
from tribune.publishing.actions import do_mark_published, do_retry_post
from tribune.publishing.engine import drain
from tribune.publishing.models import Target, TargetState
from tribune.publishing.rollup import derive, rollup

from .support import access_for, make_account, make_due, scheduled_post, status, targets

T = TargetState
P = PostState


ROWS = [
    ([], None),
    ([(T.SCHEDULED, 0)], P.SCHEDULED),
    ([(T.SCHEDULED, 0), (T.SCHEDULED, 0)], P.SCHEDULED),
    ([(T.SCHEDULED, 2)], P.PUBLISHING),  # waiting for a retry
    ([(T.PUBLISHING, 1)], P.PUBLISHING),
    ([(T.PUBLISHING, 1), (T.SCHEDULED, 0)], P.PUBLISHING),
    ([(T.AWAITING, 1)], P.PUBLISHING),  # a person posts it by hand
    ([(T.PUBLISHED, 1), (T.SCHEDULED, 0)], P.PUBLISHING),
    ([(T.PUBLISHED, 1), (T.SCHEDULED, 3)], P.PUBLISHING),
    ([(T.FAILED, 1), (T.PUBLISHING, 2)], P.PUBLISHING),
    ([(T.UNKNOWN, 1), (T.AWAITING, 1)], P.PUBLISHING),
    ([(T.FAILED, 0), (T.SCHEDULED, 0)], P.PUBLISHING),  # one missed, one still to go
    ([(T.PUBLISHED, 1)], P.PUBLISHED),
    ([(T.PUBLISHED, 1), (T.PUBLISHED, 3)], P.PUBLISHED),
    ([(T.PUBLISHED, 1), (T.SKIPPED, 1)], P.PUBLISHED),
    ([(T.SKIPPED, 0)], P.PUBLISHED),  # docs/publishing.md: "all published (or skipped)"
    ([(T.UNKNOWN, 1)], P.OUTCOME_UNKNOWN),
    ([(T.UNKNOWN, 1), (T.PUBLISHED, 1)], P.OUTCOME_UNKNOWN),
    ([(T.UNKNOWN, 1), (T.FAILED, 1), (T.PUBLISHED, 1)], P.OUTCOME_UNKNOWN),
    ([(T.PUBLISHED, 1), (T.FAILED, 1)], P.PARTIALLY_PUBLISHED),
    ([(T.PUBLISHED, 1), (T.FAILED, 8), (T.SKIPPED, 1)], P.PARTIALLY_PUBLISHED),
    ([(T.FAILED, 1)], P.FAILED),
    ([(T.FAILED, 0)], P.FAILED),  # missed
    ([(T.FAILED, 1), (T.FAILED, 8)], P.FAILED),
    ([(T.FAILED, 1), (T.SKIPPED, 1)], P.FAILED),
]


@pytest.mark.parametrize(("target_states", "post_state"), ROWS)
def test_it_derives_the_post_state_from_its_targets(target_states, post_state):
    assert derive(target_states) == post_state


def test_it_covers_every_post_state_the_engine_owns():
    derived = {post for _targets, post in ROWS}
    assert derived - {None} == {
        P.SCHEDULED,
        P.PUBLISHING,
        P.PUBLISHED,
        P.PARTIALLY_PUBLISHED,
        P.FAILED,
        P.OUTCOME_UNKNOWN,
    }
    assert {t for targets_, _post in ROWS for t, _n in targets_} == set(TargetState)


def two_accounts(workspace, author):
    first = make_account(workspace, name="Lumen", remote_id="m-1", token="tok-first")
    second = make_account(workspace, name="Lumen shop", remote_id="m-2", token="tok-second")
    post = scheduled_post(workspace, author, [first, second])
    return first, second, post


def answer_by_account(answers: dict[str, list]):
    """Answer each account (by its token) from its own list."""

    def handler(request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        answer = answers[token].pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler


def history(post) -> list[tuple[str, str]]:
    return list(
        Transition.objects.filter(post=post)
        .exclude(from_state=P.DRAFT)
        .order_by("pk")
        .values_list("from_state", "to_state")
    )


def test_it_goes_published_when_every_target_is_published(workspace, alice, network):
    first, second, post = two_accounts(workspace, alice)
    network.answers = [status(1)]
    drain(first.pk)
    post.refresh_from_db()
    assert post.state == P.PUBLISHING, "one account still to go"
    drain(second.pk)
    post.refresh_from_db()
    assert post.state == P.PUBLISHED
    assert history(post) == [(P.SCHEDULED, P.PUBLISHING), (P.PUBLISHING, P.PUBLISHED)]


def test_it_goes_partially_published_and_retries_only_what_did_not_succeed(
    workspace, alice, network
):
    first, second, post = two_accounts(workspace, alice)
    refused = httpx.Response(422, json={"error": "Too many hashtags"})
    answers = {"tok-first": [status(1)], "tok-second": [refused, status(2)]}
    network.answers = [answer_by_account(answers)]
    drain(first.pk)
    drain(second.pk)
    post.refresh_from_db()
    assert post.state == P.PARTIALLY_PUBLISHED
    published, failed = targets(post)
    assert (published.state, failed.state) == (T.PUBLISHED, T.FAILED)

    [retried] = do_retry_post(access_for(alice, workspace), post.pk)
    assert retried.pk == failed.pk
    post.refresh_from_db()
    assert post.state == P.PUBLISHING
    make_due(failed)
    drain(first.pk)
    drain(second.pk)
    post.refresh_from_db()
    assert post.state == P.PUBLISHED
    tokens = [r.headers["Authorization"] for r in network.sent("POST", "/statuses")]
    assert tokens.count("Bearer tok-first") == 1, "the published target is never sent again"
    assert tokens.count("Bearer tok-second") == 2
    assert answers == {"tok-first": [], "tok-second": []}
    assert history(post) == [
        (P.SCHEDULED, P.PUBLISHING),
        (P.PUBLISHING, P.PARTIALLY_PUBLISHED),
        (P.PARTIALLY_PUBLISHED, P.PUBLISHING),
        (P.PUBLISHING, P.PUBLISHED),
    ]


def test_it_goes_failed_when_every_target_failed(workspace, alice, network):
    first, second, post = two_accounts(workspace, alice)
    network.answers = [httpx.Response(422, json={"error": "No"})]
    drain(first.pk)
    drain(second.pk)
    post.refresh_from_db()
    assert post.state == P.FAILED


def test_it_goes_outcome_unknown_when_a_doubt_needs_a_person(
    workspace, alice, network, test_networks
):
    blind = make_account(workspace, "blind")
    post = scheduled_post(workspace, alice, [blind], networks=("blind",))
    network.answers = [httpx.ReadTimeout("no answer")]
    drain(blind.pk)
    post.refresh_from_db()
    assert post.state == P.OUTCOME_UNKNOWN
    [target] = targets(post)
    do_mark_published(access_for(alice, workspace), target.pk, "https://blind.example/p/1")
    post.refresh_from_db()
    assert post.state == P.PUBLISHED


def test_it_stays_publishing_while_a_person_posts_by_hand(workspace, alice, network):
    account = make_account(workspace, mode=AccountMode.REMINDER)
    post = scheduled_post(workspace, alice, [account])
    drain(account.pk)
    post.refresh_from_db()
    [target] = targets(post)
    assert target.state == T.AWAITING and post.state == P.PUBLISHING
    assert network.requests == []
    do_mark_published(access_for(alice, workspace), target.pk, "https://mastodon.example/@l/9")
    post.refresh_from_db()
    assert post.state == P.PUBLISHED


def test_it_leaves_a_post_outside_the_publishing_states_alone(workspace, alice):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    post.state = P.DRAFT
    post.save()
    Target.objects.filter(post=post).update(state=T.PUBLISHED)
    assert rollup(post.pk) == P.DRAFT
    post.refresh_from_db()
    assert post.state == P.DRAFT


def test_it_records_a_transition_only_when_the_state_changes(workspace, alice):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    before = Transition.objects.filter(post=post).count()
    assert rollup(post.pk) == P.SCHEDULED
    assert Transition.objects.filter(post=post).count() == before
    Target.objects.filter(post=post).update(state=T.PUBLISHED, attempt_count=1)
    assert rollup(post.pk, reason="checked by hand") == P.PUBLISHED
    last = Transition.objects.filter(post=post).latest("pk")
    assert (last.from_state, last.to_state, last.reason) == (
        P.SCHEDULED,
        P.PUBLISHED,
        "checked by hand",
    )


def test_it_names_the_tables_the_models_use():
    """rollup()'s statements are hand-written: they must name Post's and Target's tables."""
    from tribune.editorial.models import Post
    from tribune.publishing import rollup as module

    post_table, target_table = Post._meta.db_table, Target._meta.db_table
    assert f"FROM {post_table} p " in module.POST_AND_TARGETS_SQL
    assert f"UPDATE {post_table} " in module.SET_POST_STATE_SQL
    assert f"JOIN {target_table} t " in module.POST_AND_TARGETS_SQL


def test_it_stamps_the_post_with_a_time_the_database_reads_back(workspace, alice, network):
    """The hand-written UPDATE adapts the time as the ORM does (SQLite stores text)."""
    from tribune.editorial.models import Post

    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    before = Post.objects.get(pk=post.pk).updated_at
    network.answers = [status(1)]
    drain(account.pk)
    after = Post.objects.get(pk=post.pk)
    assert after.state == PostState.PUBLISHED
    assert after.updated_at > before
    assert Post.objects.filter(pk=post.pk, updated_at__gt=before).exists()


def test_it_brings_many_posts_in_line_at_once_as_one_by_one(workspace, alice, monkeypatch):
    """rollup_many() gives every post of the table the state rollup() gives it alone."""
    from tribune.editorial.models import Post
    from tribune.publishing.rollup import rollup_many

    monkeypatch.setattr("tribune.publishing.tasks.enqueue", lambda *args: None)
    accounts = [make_account(workspace, remote_id=f"m-{n}", name=f"A{n}") for n in range(3)]
    posts = []
    for target_states, _post_state in ROWS:
        post = scheduled_post(workspace, alice, accounts)
        rows = targets(post)
        for target, (state, attempts) in zip(rows, target_states, strict=False):
            Target.objects.filter(pk=target.pk).update(state=state, attempt_count=attempts)
        Target.objects.filter(pk__in=[t.pk for t in rows[len(target_states) :]]).delete()
        posts.append(post)
    draft = scheduled_post(workspace, alice, accounts)
    Post.objects.filter(pk=draft.pk).update(state=P.DRAFT)
    Target.objects.filter(post=draft).update(state=T.PUBLISHED, attempt_count=1)

    rollup_many([p.pk for p in [*posts, draft]])

    for post, (_targets, post_state) in zip(posts, ROWS, strict=True):
        post.refresh_from_db()
        assert post.state == (post_state or P.SCHEDULED), _targets
        moves = list(Transition.objects.filter(post=post, from_state=P.SCHEDULED)
                     .exclude(to_state=P.SCHEDULED).values_list("to_state", flat=True))  # fmt: skip
        assert moves == ([] if post_state in (None, P.SCHEDULED) else [post_state])
    draft.refresh_from_db()
    assert draft.state == P.DRAFT, "a post outside the publishing states is left alone"
