"""Ingestion: snapshots, latest totals and daily rollups (run on SQLite and on PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tribune.analytics import rollups as rollups_module
from tribune.analytics.models import (
    AccountLatest,
    AnalyticsSettings,
    BestTimeCell,
    NetworkDay,
    Snapshot,
    TargetTotals,
)
from tribune.analytics.rollups import ingest, prune, rebuild_best_time, rebuild_network_days
from tribune.analytics.vocabulary import FIELDS, engagements
from tribune.editorial.models import ContentPillar
from tribune.strategy.models import Persona
from tribune.workspaces.models import Workspace

from .rollup_support import (
    account_reading,
    best_time_cells,
    day_totals,
    make_account,
    network_days,
    published_target,
    reading,
    rollups,
    utc,
)

pytestmark = pytest.mark.django_db

# Winter: Paris is UTC+1. 22:30 UTC is 23:30 in Paris, 23:30 UTC is 00:30 the next day.
PUBLISHED = utc(2026, 1, 14, 9, 0)


@pytest.fixture
def account(workspace):
    return make_account(workspace)


@pytest.fixture
def target(account):
    return published_target(account, PUBLISHED)


class TestTargets:
    def test_it_adds_each_reading_s_increase_to_its_day(self, workspace, target):
        ingest([reading(target, utc(2026, 1, 14, 10), likes=3, comments=1)])
        ingest([reading(target, utc(2026, 1, 14, 16), likes=5, comments=1)])
        ingest([reading(target, utc(2026, 1, 15, 9), likes=9, comments=2)])
        assert day_totals(workspace, "likes") == {"2026-01-14": 5, "2026-01-15": 4}
        assert day_totals(workspace, "comments") == {"2026-01-14": 1, "2026-01-15": 1}
        totals = TargetTotals.objects.get(target=target)
        assert (totals.likes, totals.comments, totals.taken_at) == (9, 2, utc(2026, 1, 15, 9))
        assert Snapshot.objects.filter(target=target).count() == 3

    def test_it_files_a_reading_under_the_workspace_s_day_not_utc_s(self, workspace, target):
        ingest([reading(target, utc(2026, 1, 15, 22, 30), likes=2)])  # 23:30 in Paris
        ingest([reading(target, utc(2026, 1, 15, 23, 30), likes=7)])  # 00:30 in Paris
        assert day_totals(workspace, "likes") == {"2026-01-15": 2, "2026-01-16": 5}

    def test_it_follows_another_workspace_time_zone(self, db):
        tokyo = Workspace.objects.create(name="Tokyo", slug="tokyo", time_zone="Asia/Tokyo")
        target = published_target(make_account(tokyo), PUBLISHED)
        ingest([reading(target, utc(2026, 1, 15, 15, 30), likes=2)])  # 00:30 on the 16th
        assert day_totals(tokyo, "likes") == {"2026-01-16": 2}

    def test_it_counts_a_post_once_on_its_publication_day(self, workspace, account):
        # Published at 00:30 in Paris on Friday 16 January (23:30 UTC the day before).
        target = published_target(account, utc(2026, 1, 15, 23, 30))
        ingest([reading(target, utc(2026, 1, 17, 10), likes=1)])
        ingest([reading(target, utc(2026, 1, 18, 10), likes=2)])
        assert day_totals(workspace, "posts") == {"2026-01-16": 1}
        totals = TargetTotals.objects.get(target=target)
        assert (totals.weekday, totals.hour) == (4, 0)

    def test_it_keeps_the_persona_pillar_and_format_of_the_post(self, workspace, account):
        persona = Persona.objects.create(workspace=workspace, name="Makers")
        pillar = ContentPillar.objects.create(workspace=workspace, name="Craft", target_share=40)
        mixed = published_target(account, PUBLISHED, persona=persona, pillar=pillar,
                                 format="sponsored")  # fmt: skip
        plain = published_target(account, PUBLISHED)
        ingest([reading(mixed, utc(2026, 1, 14, 12), likes=4),
                reading(plain, utc(2026, 1, 14, 12), likes=1)])  # fmt: skip
        rows = {(r.persona_id, r.pillar_id, r.format): r.likes for r in _rows(workspace)}
        assert rows == {(persona.pk, pillar.pk, "sponsored"): 4, (0, 0, "organic"): 1}
        totals = TargetTotals.objects.get(target=mixed)
        assert (totals.persona_id, totals.pillar_id, totals.network) == (
            persona.pk, pillar.pk, "mastodon",
        )  # fmt: skip

    def test_it_lets_a_counter_go_down_so_days_add_up_to_the_total(self, workspace, target):
        ingest([reading(target, utc(2026, 1, 14, 12), likes=5)])
        ingest([reading(target, utc(2026, 1, 15, 12), likes=4)])  # someone took a like back
        assert day_totals(workspace, "likes") == {"2026-01-14": 5, "2026-01-15": -1}
        assert sum(day_totals(workspace, "likes").values()) == target.totals.likes == 4

    def test_it_leaves_a_metric_the_reading_does_not_give_as_it_was(self, workspace, target):
        ingest([reading(target, utc(2026, 1, 14, 12), views=10, likes=1)])
        ingest([reading(target, utc(2026, 1, 15, 12), views=None, likes=2)])
        ingest([reading(target, utc(2026, 1, 16, 12), views=15, likes=2)])
        assert day_totals(workspace, "views") == {"2026-01-14": 10, "2026-01-16": 5}
        assert TargetTotals.objects.get(target=target).views == 15

    def test_it_totals_engagements_from_the_parts_when_the_network_gives_none(
        self, workspace, target
    ):
        ingest([reading(target, utc(2026, 1, 14, 12), likes=3, comments=1, shares=1)])
        ingest([reading(target, utc(2026, 1, 15, 12), likes=4, comments=1, shares=1)])
        assert day_totals(workspace, "engagements") == {"2026-01-14": 5, "2026-01-15": 1}
        assert Snapshot.objects.order_by("taken_at").first().engagements == 5

    def test_it_totals_engagements_as_the_vocabulary_defines_them(self):
        parts = set()
        for name in set(FIELDS) - {"engagements"}:
            folded = rollups_module._normalised({name: 2})["engagements"]
            if engagements({name: 2}):  # one of the parts
                parts.add(name)
                assert folded == 2, name
            else:
                assert folded is None, name
        assert parts == {"likes", "comments", "shares", "saves", "clicks"}

    def test_it_keeps_the_network_s_own_engagement_total(self, workspace, target):
        ingest([reading(target, utc(2026, 1, 14, 12), likes=3, engagements=40)])
        assert day_totals(workspace, "engagements") == {"2026-01-14": 40}

    def test_it_keeps_the_network_s_names_beside_tribune_s(self, target):
        raw = {"favourites_count": 3, "reblogs_count": 1}
        ingest([reading(target, utc(2026, 1, 14, 12), raw=raw, likes=3, shares=1)])
        snapshot = Snapshot.objects.get(target=target)
        assert (snapshot.likes, snapshot.shares, snapshot.views) == (3, 1, None)
        assert snapshot.raw == raw


class TestAccounts:
    def test_it_keeps_the_day_s_last_level_and_the_rise_as_new_followers(self, workspace, account):
        ingest([account_reading(account, utc(2026, 1, 14, 8), 100)])
        ingest([account_reading(account, utc(2026, 1, 14, 20), 104)])
        ingest([account_reading(account, utc(2026, 1, 15, 20), 101)])
        assert day_totals(workspace, "followers") == {"2026-01-14": 104, "2026-01-15": 101}
        # The first reading has nothing to compare with: no new followers from it.
        assert day_totals(workspace, "new_followers") == {"2026-01-14": 4, "2026-01-15": -3}
        latest = AccountLatest.objects.get(account=account)
        assert (latest.followers, latest.taken_at) == (101, utc(2026, 1, 15, 20))

    def test_it_takes_several_readings_of_a_day_in_one_call_in_time_order(self, workspace, account):
        ingest([account_reading(account, utc(2026, 1, 14, 20), 110),
                account_reading(account, utc(2026, 1, 14, 8), 100),
                account_reading(account, utc(2026, 1, 14, 12), 103)])  # fmt: skip
        [row] = rollups(workspace)
        assert (row["followers"], row["new_followers"]) == (110, 10)

    def test_it_keeps_followers_apart_from_the_posts_rows(self, workspace, account, target):
        ingest([account_reading(account, utc(2026, 1, 14, 8), 100),
                reading(target, utc(2026, 1, 14, 9), likes=2)])  # fmt: skip
        ingest([account_reading(account, utc(2026, 1, 14, 20), 120),
                reading(target, utc(2026, 1, 14, 21), likes=3)])  # fmt: skip
        rows = {r["format"]: r for r in rollups(workspace)}
        assert (rows[""]["followers"], rows[""]["new_followers"], rows[""]["likes"]) == (
            120, 20, 0,
        )  # fmt: skip
        assert (rows["organic"]["followers"], rows["organic"]["likes"]) == (0, 3)


class TestNetworkDays:
    def test_it_adds_up_the_accounts_of_a_network_per_day_and_persona(self, workspace, account):
        persona = Persona.objects.create(workspace=workspace, name="Makers")
        second = make_account(workspace, name="Lumen staff")
        mixed = published_target(account, PUBLISHED, persona=persona)
        plain = published_target(second, PUBLISHED)
        ingest([reading(mixed, utc(2026, 1, 14, 12), likes=4, views=40),
                reading(plain, utc(2026, 1, 14, 12), likes=1),
                account_reading(account, utc(2026, 1, 14, 8), 100),
                account_reading(second, utc(2026, 1, 14, 9), 50)])  # fmt: skip
        ingest([account_reading(account, utc(2026, 1, 14, 20), 104),
                account_reading(second, utc(2026, 1, 15, 9), 48)])  # fmt: skip
        rows = {(r["day"], r["persona_id"]): r for r in network_days(workspace)}
        assert set(rows) == {("2026-01-14", 0), ("2026-01-14", persona.pk), ("2026-01-15", 0)}
        mine = rows[("2026-01-14", persona.pk)]
        assert (mine["posts"], mine["likes"], mine["views"], mine["accounts_read"]) == (1, 4, 40, 0)
        own = rows[("2026-01-14", 0)]
        # Both accounts read for the first time: their day-end levels start the network's sum.
        assert (own["posts"], own["likes"], own["accounts_read"]) == (1, 1, 2)
        assert (own["followers_change"], own["first_levels"], own["new_followers"]) == (154, 154, 4)
        next_day = rows[("2026-01-15", 0)]
        assert (next_day["followers_change"], next_day["first_levels"]) == (-2, 0)
        assert (next_day["accounts_read"], next_day["new_followers"]) == (1, -2)

    def test_it_gives_the_same_network_days_as_a_rebuild_from_the_rollups(self, workspace, account):
        persona = Persona.objects.create(workspace=workspace, name="Makers")
        other = make_account(workspace, network="bluesky")
        targets = [published_target(account, PUBLISHED, persona=persona),
                   published_target(other, PUBLISHED)]  # fmt: skip
        readings = [reading(t, utc(2026, 1, 14 + day, 12), likes=(n + 2) * (day + 1),
                            views=10 * (day + 1))
                    for day in range(4) for n, t in enumerate(targets)]  # fmt: skip
        readings += [account_reading(a, utc(2026, 1, 14 + day, hour), 100 + 3 * day + hour)
                     for a in (account, other)
                     for day in (0, 2, 3)
                     for hour in (8, 20)]  # fmt: skip
        for start in range(0, len(readings), 5):
            ingest(readings[start : start + 5])
        incremental = network_days(workspace)
        assert sum(r["followers_change"] for r in incremental) == (100 + 9 + 20) * 2
        rebuild_network_days(workspace.pk)
        assert network_days(workspace) == incremental


class TestBestTimeCells:
    def test_it_counts_each_post_once_at_its_hour_with_its_latest_engagements(
        self, workspace, account
    ):
        # 09:00 UTC on Wednesday 14 January is 10:00 in Paris.
        first, second = (published_target(account, PUBLISHED) for _ in range(2))
        other = published_target(make_account(workspace, network="bluesky"), PUBLISHED)
        ingest([reading(first, utc(2026, 1, 14, 12), likes=3, comments=1),
                reading(second, utc(2026, 1, 14, 12), engagements=10),
                reading(other, utc(2026, 1, 14, 12), views=5)])  # fmt: skip
        ingest([reading(first, utc(2026, 1, 15, 12), likes=2, comments=1),  # a like taken back
                reading(second, utc(2026, 1, 15, 12), views=50)])  # fmt: skip
        assert best_time_cells(workspace) == [("bluesky", 2, 10, 1, 0), ("mastodon", 2, 10, 2, 13)]

    def test_it_gives_the_same_cells_as_a_rebuild_from_the_totals(self, workspace, account):
        targets = [published_target(account, PUBLISHED + timedelta(hours=h)) for h in range(3)]
        readings = [reading(t, utc(2026, 1, 15 + day, 12), likes=n + day, shares=day)
                    for day in range(3) for n, t in enumerate(targets)]  # fmt: skip
        for start in range(0, len(readings), 4):
            ingest(readings[start : start + 4])
        incremental = best_time_cells(workspace)
        assert sum(cell[4] for cell in incremental) == 3 * (2 + 2) + 3
        rebuild_best_time(workspace.pk)
        assert best_time_cells(workspace) == incremental


class TestOlderAndRepeatedReadings:
    def test_it_stores_an_older_reading_without_moving_totals_back(self, workspace, target):
        ingest([reading(target, utc(2026, 1, 15, 12), likes=10)])
        before = rollups(workspace)
        assert ingest([reading(target, utc(2026, 1, 14, 12), likes=4)]) == 1
        assert rollups(workspace) == before
        assert TargetTotals.objects.get(target=target).likes == 10
        assert Snapshot.objects.filter(target=target).count() == 2

    def test_it_skips_a_reading_of_the_same_target_at_the_same_instant(self, workspace, target):
        first = reading(target, utc(2026, 1, 14, 12), likes=3)
        assert ingest([first, first]) == 1
        assert ingest([first]) == 0
        ingest([reading(target, utc(2026, 1, 15, 12), likes=5)])
        before = rollups(workspace)
        assert ingest([first]) == 0  # an older duplicate: still skipped
        assert rollups(workspace) == before
        assert day_totals(workspace, "likes") == {"2026-01-14": 3, "2026-01-15": 2}
        assert Snapshot.objects.count() == 2

    def test_it_skips_a_repeated_account_reading(self, workspace, account):
        again = account_reading(account, utc(2026, 1, 14, 8), 100)
        ingest([again])
        ingest([account_reading(account, utc(2026, 1, 14, 9), 101)])
        assert ingest([again]) == 0
        assert day_totals(workspace, "new_followers") == {"2026-01-14": 1}

    def test_it_drops_a_reading_of_a_target_or_account_that_is_gone(self, workspace, target):
        gone = reading(target, utc(2026, 1, 14, 12), likes=3)
        target.delete()
        left = make_account(workspace)
        level = account_reading(left, utc(2026, 1, 14, 12), 10)
        left.delete()
        assert ingest([gone, level]) == 0

    def test_it_refuses_a_metric_outside_the_vocabulary_before_writing(self, target):
        good = reading(target, utc(2026, 1, 14, 12), likes=3)
        bad = reading(target, utc(2026, 1, 14, 13), hearts=3)
        with pytest.raises(ValueError, match="hearts"):
            ingest([good, bad])
        assert not Snapshot.objects.exists()


class TestBatches:
    def test_it_gives_the_same_rollups_whatever_the_batch_size(
        self, workspace, account, monkeypatch
    ):
        targets = [published_target(account, PUBLISHED) for _ in range(3)]
        readings = [
            reading(t, utc(2026, 1, 14 + day, 12), likes=(n + 1) * (day + 1))
            for day in range(3)
            for n, t in enumerate(targets)
        ]
        readings += [account_reading(account, utc(2026, 1, 14 + day, 9), 50 + day)
                     for day in range(3)]  # fmt: skip
        ingest(readings)
        whole, networks = rollups(workspace), network_days(workspace)
        Snapshot.objects.all().delete()
        TargetTotals.objects.all().delete()
        AccountLatest.objects.all().delete()
        _rows(workspace).delete()
        NetworkDay.objects.all().delete()
        monkeypatch.setattr(rollups_module, "BATCH", 2)
        ingest(list(reversed(readings)))
        assert rollups(workspace) == whole
        assert network_days(workspace) == networks
        assert day_totals(workspace, "likes") == {"2026-01-14": 6, "2026-01-15": 6,
                                                   "2026-01-16": 6}  # fmt: skip

    def test_it_writes_the_same_rows_whether_bound_or_copied(self, workspace, account, monkeypatch):
        # PostgreSQL writes a few rows in one bound statement, more through a staging COPY.
        targets = [published_target(account, PUBLISHED) for _ in range(2)]
        readings = [reading(t, utc(2026, 1, 14 + d, 12), likes=3 * (d + 1), views=d)
                    for d in range(2) for t in targets]  # fmt: skip
        readings += [account_reading(account, utc(2026, 1, 14 + d, 9), 40 + d) for d in range(2)]
        ingest(readings[:3])
        ingest(readings[3:])
        bound = (rollups(workspace), network_days(workspace), best_time_cells(workspace))
        Snapshot.objects.all().delete()
        TargetTotals.objects.all().delete()
        AccountLatest.objects.all().delete()
        _rows(workspace).delete()
        NetworkDay.objects.all().delete()
        BestTimeCell.objects.all().delete()
        monkeypatch.setattr(rollups_module, "COPIED_FROM", 0)
        ingest(readings[:3])
        ingest(readings[3:])
        assert (rollups(workspace), network_days(workspace), best_time_cells(workspace)) == bound
        assert day_totals(workspace, "likes") == {"2026-01-14": 6, "2026-01-15": 6}

    def test_it_runs_the_same_number_of_queries_for_ten_times_the_readings(self, account):
        def queries(count: int) -> int:
            targets = [published_target(account, PUBLISHED) for _ in range(count)]
            batch = [reading(t, utc(2026, 1, 14, 12), likes=1) for t in targets]
            batch += [account_reading(account, utc(2026, 1, 14, 12, count), 10 + count)]
            with CaptureQueriesContext(connection) as captured:
                ingest(batch)
            return len(captured)

        assert queries(3) == queries(30)


class TestPruning:
    def test_it_prunes_raw_readings_past_each_workspace_s_retention_only(
        self, workspace, account, target
    ):
        other = Workspace.objects.create(name="Other", slug="other-ws")
        AnalyticsSettings.objects.create(workspace=other, raw_retention_days=10)
        other_target = published_target(make_account(other), PUBLISHED)
        now = utc(2026, 3, 1, 12)
        for days_ago in (100, 60, 20, 5):
            when = now - timedelta(days=days_ago)
            ingest([reading(target, when, likes=100 - days_ago),
                    reading(other_target, when, likes=100 - days_ago),
                    account_reading(account, when, 1000 - days_ago)])  # fmt: skip
        before = (rollups(workspace), rollups(other), _totals())
        assert prune(now) == 1 + 1 + 3  # 100 days: target and account; other: all but 5
        assert (rollups(workspace), rollups(other), _totals()) == before
        kept = Snapshot.objects.filter(workspace=workspace).order_by("taken_at")
        assert {s.taken_at for s in kept} == {now - timedelta(days=d) for d in (60, 20, 5)}
        assert Snapshot.objects.filter(workspace=other).count() == 1

    def test_it_goes_on_from_the_totals_after_pruning(self, workspace, target):
        ingest([reading(target, utc(2025, 1, 1, 12), likes=4)])
        prune(utc(2026, 1, 1))
        assert not Snapshot.objects.exists()
        ingest([reading(target, utc(2026, 1, 2, 12), likes=6)])
        assert day_totals(workspace, "likes") == {"2025-01-01": 4, "2026-01-02": 2}


def _rows(workspace):
    from tribune.analytics.models import DailyRollup

    return DailyRollup.objects.filter(workspace=workspace)


def _totals() -> list[tuple]:
    return list(TargetTotals.objects.order_by("pk").values_list("target_id", "likes", "taken_at"))
