"""Collecting: plans after publication, the schedule, budgets, failures, short-link clicks,
account levels. Networks are imitations (collect_support.Network, httpx.MockTransport)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from tribune.analytics import collect
from tribune.analytics.collect import (
    DONE,
    EARLY,
    LEASE,
    SCHEDULE,
    allowance,
    collect_account,
    due_account_levels,
    due_accounts,
    plan_published,
    read_account_level,
    step_after,
)
from tribune.analytics.models import AccountLatest, CollectionPlan, Snapshot, TargetTotals
from tribune.analytics.rollups import ingest
from tribune.editorial.models import ShortLink, Variant
from tribune.editorial.rules_table import Pace, rules_for
from tribune.networks.base import MetricSnapshot
from tribune.networks.errors import NotSupported
from tribune.networks.mastodon.connector import MastodonConnector
from tribune.networks.models import AccountMode, AccountStatus
from tribune.publishing.models import Attempt, Outcome, TargetState

from .collect_support import Network, install
from .rollup_support import account_reading, day_totals, make_account, published_target, utc

pytestmark = pytest.mark.django_db

PUBLISHED = utc(2026, 1, 14, 9, 0)


@pytest.fixture
def account(workspace):
    return make_account(workspace)


@pytest.fixture
def network(monkeypatch) -> Network:
    return install(monkeypatch)


def run(network: Network, account, moment) -> int:
    """Collect the account's due plans at `moment`, the network reading at that time too."""
    network.now = moment
    return collect_account(account.pk, moment)


def planned(target, now=None):
    plan_published(now or PUBLISHED)
    return CollectionPlan.objects.get(target=target)


def at(moment):
    """Move every plan's due time to `moment` (time passes, no one sleeps)."""
    CollectionPlan.objects.update(next_at=moment)


class TestPlans:
    def test_it_plans_each_published_target_once_an_hour_after_publication(self, account):
        target = published_target(account, PUBLISHED)
        waiting = published_target(account, PUBLISHED)
        waiting.state = TargetState.SCHEDULED
        waiting.save()
        assert plan_published(PUBLISHED) == 1
        assert plan_published(PUBLISHED) == 0
        plan = CollectionPlan.objects.get()
        assert (plan.target_id, plan.step, plan.next_at) == (target.pk, 0, PUBLISHED + SCHEDULE[0])

    def test_it_tightens_after_publication_then_reads_weekly_for_twelve_weeks(self):
        hours = [offset.total_seconds() / 3600 for offset in SCHEDULE]
        assert hours[:5] == [1, 6, 24, 72, 168]
        assert hours[5:] == [24 * 7 * week for week in range(2, 13)]

    def test_it_finds_the_first_step_still_ahead(self):
        assert step_after(PUBLISHED, PUBLISHED) == 0
        assert step_after(PUBLISHED, PUBLISHED + timedelta(hours=1)) == 1
        assert step_after(PUBLISHED, PUBLISHED + timedelta(days=10)) == 5  # two weeks
        assert step_after(PUBLISHED, PUBLISHED + timedelta(weeks=13)) == DONE


class TestReading:
    def test_it_walks_the_whole_schedule_then_stops(self, account, network):
        target = published_target(account, PUBLISHED, remote_id="101")
        network.counts["101"] = {"likes": 0}
        plan = planned(target)
        seen = []
        while plan.step < DONE:
            network.counts["101"]["likes"] += 1
            assert run(network, account, plan.next_at) == 1
            seen.append(plan.next_at - PUBLISHED)
            plan.refresh_from_db()
        assert seen == list(SCHEDULE)
        assert due_accounts(PUBLISHED + timedelta(weeks=20)) == []
        assert TargetTotals.objects.get(target=target).likes == len(SCHEDULE)

    def test_it_skips_the_steps_a_late_worker_missed(self, account, network):
        target = published_target(account, PUBLISHED, remote_id="101")
        network.counts["101"] = {"likes": 3}
        plan = planned(target)
        run(network, account, PUBLISHED + timedelta(days=10))
        plan.refresh_from_db()
        assert (plan.step, plan.next_at) == (5, PUBLISHED + timedelta(weeks=2))

    def test_it_reads_every_due_target_of_an_account_in_one_call(self, workspace, network):
        bluesky = make_account(workspace, "bluesky", username="alice.test")
        uris = [f"at://did:plc:fod4jfftmcyj7xdz3cfi6rrb/app.bsky.feed.post/3lek{n}" for n in "abc"]
        targets = [published_target(bluesky, PUBLISHED, remote_id=uri) for uri in uris]
        for n, uri in enumerate(uris):
            network.counts[uri] = {"likes": n + 1, "shares": 1}
        plan_published(PUBLISHED)
        # The third is due a few minutes later: read with the others, not in a call of its own.
        CollectionPlan.objects.filter(target=targets[2]).update(
            next_at=PUBLISHED + SCHEDULE[0] + EARLY - timedelta(minutes=1)
        )
        assert run(network, bluesky, PUBLISHED + SCHEDULE[0]) == 3
        [asked] = network.sent("getPosts")
        assert asked.url.params.get_list("uris") == uris
        assert [t.totals.likes for t in targets] == [1, 2, 3]
        assert Snapshot.objects.get(target=targets[0]).raw["repostCount"] == 1

    def test_it_folds_readings_into_the_day_s_rollups(self, workspace, account, network):
        target = published_target(account, PUBLISHED, remote_id="101")
        network.counts["101"] = {"likes": 4, "shares": 1, "comments": 2}
        planned(target)
        run(network, account, PUBLISHED + SCHEDULE[0])
        network.counts["101"] = {"likes": 9, "shares": 1, "comments": 2}
        run(network, account, PUBLISHED + timedelta(days=1, hours=1))
        assert day_totals(workspace, "likes") == {"2026-01-14": 4, "2026-01-15": 5}
        assert day_totals(workspace, "posts") == {"2026-01-14": 1}

    def test_it_does_not_hand_a_claimed_plan_to_a_second_run(self, account, network):
        target = published_target(account, PUBLISHED, remote_id="101")
        planned(target)
        now = PUBLISHED + SCHEDULE[0]
        claimed = collect._claim(account, now, 10)
        assert [d.target.pk for d in claimed] == [target.pk]
        assert collect._claim(account, now, 10) == []
        assert CollectionPlan.objects.get().next_at == now + LEASE
        assert due_accounts(now) == []


class TestBudget:
    @pytest.fixture
    def small_budget(self, monkeypatch):
        """Six requests per five minutes for Mastodon: collection may use three."""
        rules = replace(rules_for("mastodon"), pace=Pace(requests=6, per_seconds=300))
        monkeypatch.setattr(collect, "rules_for", lambda network: rules)

    def test_it_uses_at_most_half_the_account_s_budget(self, account, network, small_budget):
        targets = [published_target(account, PUBLISHED, remote_id=f"10{n}") for n in range(5)]
        for target in targets:
            network.counts[target.remote_id] = {"likes": 1}
        plan_published(PUBLISHED)
        now = PUBLISHED + SCHEDULE[0]
        assert run(network, account, now) == 3
        assert len(network.sent("/statuses/")) == 3
        # The two left are still due, but the window's half is spent.
        assert allowance(account, now + timedelta(minutes=1)) == 0
        assert run(network, account, now + timedelta(minutes=1)) == 0
        assert run(network, account, now + timedelta(minutes=6)) == 2

    def test_it_leaves_publishing_what_it_has_not_used(self, account, network, small_budget):
        target = published_target(account, PUBLISHED, remote_id="101")
        now = PUBLISHED + SCHEDULE[0]
        for number in range(1, 5):
            Attempt.objects.create(target=target, account=account, number=number,
                                   started_at=now - timedelta(minutes=1))  # fmt: skip
        # Decisions and reminders send nothing: they do not count.
        Attempt.objects.create(target=target, account=account, number=5,
                               outcome=Outcome.DECIDED, started_at=now)  # fmt: skip
        assert allowance(account, now) == 6 - 4

    def test_it_counts_a_bluesky_request_as_twenty_five_posts(self, workspace):
        bluesky = make_account(workspace, "bluesky")
        assert allowance(bluesky, PUBLISHED) == (1666 // 2) * 25


class TestFailures:
    def test_it_closes_the_plan_of_a_network_that_gives_no_numbers(self, workspace, network):
        wordpress = make_account(workspace, "wordpress")
        target = published_target(wordpress, PUBLISHED, remote_id="55")
        planned(target)
        assert run(network, wordpress, PUBLISHED + SCHEDULE[0]) == 1
        plan = CollectionPlan.objects.get(target=target)
        assert plan.step == DONE
        assert "no numbers" in plan.last_problem
        assert network.requests == []
        # The publication still counts, with nothing read for it.
        totals = TargetTotals.objects.get(target=target)
        assert (totals.network, totals.likes, totals.clicks) == ("wordpress", None, None)
        assert day_totals(workspace, "posts") == {"2026-01-14": 1}

    def test_it_closes_the_plan_when_the_connector_says_not_supported(
        self, account, network, monkeypatch
    ):
        def refuse(self, refs):
            raise NotSupported()

        monkeypatch.setattr(MastodonConnector, "fetch_metrics", refuse)
        planned(published_target(account, PUBLISHED, remote_id="101"))
        run(network, account, PUBLISHED + SCHEDULE[0])
        assert CollectionPlan.objects.get().step == DONE

    def test_it_waits_after_a_refused_token_and_marks_nothing_else(self, account, network):
        planned(published_target(account, PUBLISHED, remote_id="101"))
        network.fail_with = httpx.Response(401, json={"error": "The access token was revoked"})
        now = PUBLISHED + SCHEDULE[0]
        assert run(network, account, now) == 0
        plan = CollectionPlan.objects.get()
        assert (plan.step, plan.failures, plan.next_at) == (0, 1, now + timedelta(minutes=15))
        assert "revoked" in plan.last_problem
        account.refresh_from_db()
        assert (account.status, account.status_message) == (AccountStatus.ACTIVE, "")
        at(plan.next_at)
        run(network, account, plan.next_at)
        plan.refresh_from_db()
        assert plan.failures == 2
        assert plan.next_at - plan.last_at == timedelta(minutes=30)  # doubled

    def test_it_waits_as_long_as_a_rate_limit_says(self, account, network):
        planned(published_target(account, PUBLISHED, remote_id="101"))
        network.fail_with = httpx.Response(429, headers={"Retry-After": "3600"})
        now = PUBLISHED + SCHEDULE[0]
        run(network, account, now)
        assert CollectionPlan.objects.get().next_at == now + timedelta(hours=1)

    def test_it_reads_the_others_when_a_post_is_gone_and_gives_up_on_it_in_the_end(
        self, account, network, monkeypatch
    ):
        kept = published_target(account, PUBLISHED, remote_id="101")
        gone = published_target(account, PUBLISHED, remote_id="102")
        network.counts["101"] = {"likes": 2}
        plan_published(PUBLISHED)
        run(network, account, PUBLISHED + SCHEDULE[0])
        assert CollectionPlan.objects.get(target=kept).step == 1
        plan = CollectionPlan.objects.get(target=gone)
        assert (plan.failures, plan.step) == (1, 0)
        assert "deleted" in plan.last_problem
        monkeypatch.setattr(collect, "MAX_FAILURES", 2)
        run(network, account, plan.next_at)
        assert CollectionPlan.objects.get(target=gone).step == DONE

    def test_it_leaves_a_disconnected_or_paused_account_alone(self, account, network):
        planned(published_target(account, PUBLISHED, remote_id="101"))
        now = PUBLISHED + SCHEDULE[0]
        account.paused_until = now + timedelta(minutes=5)
        account.save()
        assert due_accounts(now) == []
        assert run(network, account, now) == 0
        account.paused_until, account.status = None, AccountStatus.RECONNECT
        account.save()
        assert due_accounts(now) == []
        assert run(network, account, now) == 0
        assert network.requests == []
        assert CollectionPlan.objects.get().failures == 0


class TestShortLinkClicks:
    def test_it_adds_a_variant_s_short_link_clicks_to_its_first_target(
        self, workspace, account, network
    ):
        first = published_target(account, PUBLISHED, remote_id="101")
        second = published_target(make_account(workspace), PUBLISHED, remote_id="201",
                                   variant=first.variant)  # fmt: skip
        link = ShortLink.objects.create(workspace=workspace, code="abc", variant=first.variant,
                                        target_url="https://lumen.example/", clicks=7)  # fmt: skip
        network.counts.update({"101": {"likes": 1}, "201": {"likes": 1}})
        plan_published(PUBLISHED)
        for target in (first, second):
            run(network, target.account, PUBLISHED + SCHEDULE[0])
        snapshot = Snapshot.objects.get(target=first)
        assert (snapshot.clicks, snapshot.raw["tribune_short_link_clicks"]) == (7, 7)
        assert Snapshot.objects.get(target=second).clicks is None  # counted once, not twice
        ShortLink.objects.filter(pk=link.pk).update(clicks=10)
        run(network, account, PUBLISHED + timedelta(days=1, hours=1))
        assert day_totals(workspace, "clicks") == {"2026-01-14": 7, "2026-01-15": 3}

    def test_it_keeps_reading_clicks_where_the_network_gives_no_numbers(self, workspace, network):
        wordpress = make_account(workspace, "wordpress")
        target = published_target(wordpress, PUBLISHED, remote_id="55")
        ShortLink.objects.create(workspace=workspace, code="wp1", variant=target.variant,
                                 target_url="https://lumen.example/", clicks=4)  # fmt: skip
        planned(target)
        assert run(network, wordpress, PUBLISHED + SCHEDULE[0]) == 1
        plan = CollectionPlan.objects.get(target=target)
        assert plan.step == 1
        assert TargetTotals.objects.get(target=target).clicks == 4
        assert network.requests == []

    def test_it_counts_clicks_of_a_post_published_by_hand(self, workspace, network):
        by_hand = make_account(workspace, "instagram", mode=AccountMode.REMINDER)
        target = published_target(by_hand, PUBLISHED, remote_id="x")
        Variant.objects.filter(pk=target.variant_id).update(network="instagram")
        ShortLink.objects.create(workspace=workspace, code="ig1", variant=target.variant,
                                 target_url="https://lumen.example/", clicks=2)  # fmt: skip
        planned(target)
        run(network, by_hand, PUBLISHED + SCHEDULE[0])
        assert TargetTotals.objects.get(target=target).clicks == 2


class TestAccountLevels:
    def test_it_reads_followers_once_a_day_where_the_network_gives_them(
        self, workspace, account, network
    ):
        make_account(workspace, "wordpress")
        now = network.now = utc(2026, 1, 14, 12)
        assert due_account_levels(now) == [account.pk]
        assert read_account_level(account.pk, now) == 1
        latest = AccountLatest.objects.get(account=account)
        assert latest.followers == 412
        assert due_account_levels(now + timedelta(hours=12)) == []
        assert due_account_levels(now + timedelta(hours=24)) == [account.pk]

    def test_it_derives_new_followers_from_two_daily_readings(self, workspace, account, network):
        network.now = utc(2026, 1, 14, 12)
        read_account_level(account.pk, network.now)
        network.followers, network.now = 430, utc(2026, 1, 15, 12)
        read_account_level(account.pk, network.now)
        assert day_totals(workspace, "new_followers") == {"2026-01-15": 18}
        assert day_totals(workspace, "followers") == {"2026-01-14": 412, "2026-01-15": 430}
        assert AccountLatest.objects.get(account=account).followers == 430

    def test_it_tries_again_later_when_the_network_fails(self, account, network):
        network.fail_with = httpx.Response(503)
        assert read_account_level(account.pk, utc(2026, 1, 14, 12)) == 0
        assert due_account_levels(utc(2026, 1, 14, 13)) == [account.pk]

    def test_it_counts_a_level_reading_in_the_budget(self, account):
        now = utc(2026, 1, 14, 12)
        before = allowance(account, now)
        ingest([account_reading(account, now - timedelta(minutes=1), 10)])
        assert allowance(account, now) == before - 1


class TestTasks:
    def test_it_plans_and_collects_from_the_periodic_task(self, account, network, monkeypatch):
        from huey.contrib.djhuey import HUEY

        from tribune.analytics import tasks

        target = published_target(account, utc(2026, 1, 14, 9), remote_id="101")
        network.counts["101"] = {"likes": 5}
        network.now = PUBLISHED + timedelta(hours=2)
        monkeypatch.setattr(tasks.timezone, "now", lambda: network.now)
        monkeypatch.setattr(HUEY, "immediate", True)  # tasks run at once, in this process
        assert tasks.collect.call_local() == 1
        assert TargetTotals.objects.get(target=target).likes == 5
        assert tasks.read_levels.call_local() == 1
        assert AccountLatest.objects.get(account=account).followers == 412

    def test_it_ignores_an_account_left_without_due_plans(self, account, network):
        assert run(network, account, PUBLISHED) == 0
        assert collect_account(account.pk + 999, PUBLISHED) == 0


def test_it_keeps_the_snapshot_time_the_network_gave(account, network, monkeypatch):
    target = published_target(account, PUBLISHED, remote_id="101")
    planned(target)
    taken = PUBLISHED + timedelta(hours=1, seconds=3)

    def fixed(self, refs):
        return [MetricSnapshot(ref=refs[0], taken_at=taken, values={"likes": 1})]

    monkeypatch.setattr(MastodonConnector, "fetch_metrics", fixed)
    collect_account(account.pk, PUBLISHED + SCHEDULE[0])
    assert Snapshot.objects.get().taken_at == taken
