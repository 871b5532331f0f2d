"""An objective's indicator day by day, from hand-made rollups and business figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tribune.analytics.kpis import series
from tribune.analytics.models import DailyRollup, IndicatorSource, IndicatorValue
from tribune.analytics.rollups import rebuild_network_days
from tribune.networks.models import Account
from tribune.strategy.choices import Kpi, Lever
from tribune.strategy.models import Objective, Persona
from tribune.workspaces.models import Workspace

pytestmark = pytest.mark.django_db

# The objectives below start on DAY0 (created at 10:00 UTC, still March 1st in Paris).
DAY0 = date(2025, 3, 1)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def make_objective(workspace: Workspace, kpi: str, **fields) -> Objective:
    personas = fields.pop("personas", [])
    values = {
        "title": f"Grow {kpi}",
        "lever": Lever.VISIBILITY,
        "kpi": kpi,
        "kpi_label": "Newsletter sign-ups" if kpi == Kpi.CUSTOM else "",
        "baseline": Decimal(0),
        "target": Decimal(1000),
        "deadline": day(60),
        "created_at": datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
        **fields,
    }
    objective = Objective.objects.create(workspace=workspace, **values)
    objective.personas.set(personas)
    return objective


def make_account(workspace: Workspace, network: str, name: str = "") -> Account:
    return Account.objects.create(workspace=workspace, network=network, name=name or network)


def rollup(account: Account, on: date, persona: int = 0, **totals) -> DailyRollup:
    """A hand-made rollup row, with the workspace's network days computed again from them."""
    row = DailyRollup.objects.create(
        workspace=account.workspace,
        account=account,
        network=account.network,
        day=on,
        persona_id=persona,
        pillar_id=totals.pop("pillar", 0),
        format=totals.pop("format", ""),
        **totals,
    )
    rebuild_network_days(account.workspace_id)
    return row


def figure(workspace: Workspace, kpi: str, on: date, value: str, objective=None) -> None:
    IndicatorValue.objects.create(
        workspace=workspace,
        kpi=kpi,
        objective=objective,
        day=on,
        value=Decimal(value),
        source=IndicatorSource.MANUAL,
    )


def values(points) -> list[float]:
    return [v for _d, v in points]


class TestAudience:
    def test_it_adds_up_the_accounts_and_carries_the_last_level_forward(self, workspace):
        mastodon, bluesky = make_account(workspace, "mastodon"), make_account(workspace, "bluesky")
        rollup(mastodon, day(0), followers=100)
        # A row of post activity that day holds no reading (followers 0): not a drop to 0.
        rollup(mastodon, day(1), persona=7, likes=3)
        rollup(bluesky, day(1), followers=50)
        rollup(mastodon, day(3), followers=110)
        objective = make_objective(workspace, Kpi.AUDIENCE)
        points = series(objective, day(0), day(5))
        assert values(points) == [100, 150, 150, 160, 160, 160]  # carried on to the end
        assert [d for d, _v in points] == [day(n) for n in range(6)]

    def test_it_counts_only_the_objectives_networks(self, workspace):
        mastodon, bluesky = make_account(workspace, "mastodon"), make_account(workspace, "bluesky")
        rollup(mastodon, day(0), followers=100)
        rollup(bluesky, day(1), followers=50)
        rollup(mastodon, day(2), followers=120)
        objective = make_objective(workspace, Kpi.AUDIENCE, networks=["mastodon"])
        assert values(series(objective, day(0), day(2))) == [100, 100, 120]

    def test_it_starts_from_the_level_read_before_the_period(self, workspace):
        mastodon = make_account(workspace, "mastodon")
        rollup(mastodon, day(-5), followers=90)
        rollup(mastodon, day(2), followers=95)
        objective = make_objective(workspace, Kpi.AUDIENCE)
        assert series(objective, day(0), day(2)) == [(day(0), 90), (day(1), 90), (day(2), 95)]
        # And the end is the end: a later reading is not seen.
        assert values(series(objective, day(0), day(1))) == [90, 90]

    def test_it_never_counts_another_workspaces_accounts(self, workspace, charlie):
        other = Workspace.objects.get(slug="other")
        rollup(make_account(other, "mastodon"), day(0), followers=5000)
        objective = make_objective(workspace, Kpi.AUDIENCE)
        assert series(objective, day(0), day(10)) == []


class TestTotals:
    def test_it_adds_new_followers_from_the_objectives_start_to_the_baseline(self, workspace):
        mastodon = make_account(workspace, "mastodon")
        rollup(mastodon, day(-1), new_followers=40)  # before the start: not counted
        rollup(mastodon, day(0), new_followers=5)
        rollup(mastodon, day(2), new_followers=7)
        objective = make_objective(workspace, Kpi.NEW_FOLLOWERS, baseline=Decimal(10))
        assert series(objective, day(0), day(3)) == [
            (day(0), 15),
            (day(1), 15),
            (day(2), 22),
            (day(3), 22),
        ]
        assert series(objective, day(1), day(1)) == [(day(1), 15)]

    def test_it_does_not_split_new_followers_by_persona(self, workspace):
        persona = Persona.objects.create(workspace=workspace, name="Buyers")
        mastodon = make_account(workspace, "mastodon")
        rollup(mastodon, day(0), new_followers=5)  # an account's reading has no persona
        objective = make_objective(workspace, Kpi.NEW_FOLLOWERS, personas=[persona])
        assert values(series(objective, day(0), day(0))) == [5]

    def test_it_filters_likes_by_network_and_persona(self, workspace):
        buyers = Persona.objects.create(workspace=workspace, name="Buyers")
        makers = Persona.objects.create(workspace=workspace, name="Makers")
        mastodon, bluesky = make_account(workspace, "mastodon"), make_account(workspace, "bluesky")
        rollup(mastodon, day(0), persona=buyers.pk, likes=3, format="image")
        rollup(mastodon, day(0), persona=buyers.pk, likes=4, format="text")
        rollup(mastodon, day(1), persona=makers.pk, likes=100)
        rollup(bluesky, day(1), persona=buyers.pk, likes=20)
        rollup(mastodon, day(2), likes=1000)  # posts for no persona
        everything = make_objective(workspace, Kpi.LIKES)
        assert values(series(everything, day(0), day(2))) == [7, 127, 1127]
        on_mastodon = make_objective(workspace, Kpi.LIKES, networks=["mastodon"])
        assert values(series(on_mastodon, day(0), day(2))) == [7, 107, 1107]
        for_buyers = make_objective(workspace, Kpi.LIKES, personas=[buyers])
        assert values(series(for_buyers, day(0), day(2))) == [7, 27, 27]
        both = make_objective(workspace, Kpi.LIKES, personas=[buyers], networks=["bluesky"])
        assert series(both, day(0), day(2)) == [(day(0), 0), (day(1), 20), (day(2), 20)]

    @pytest.mark.parametrize("kpi", [Kpi.COMMENTS, Kpi.SHARES])
    def test_it_counts_comments_and_shares_from_their_own_column(self, workspace, kpi):
        mastodon = make_account(workspace, "mastodon")
        rollup(mastodon, day(0), likes=50, comments=2, shares=3)
        rollup(mastodon, day(1), likes=50, comments=4, shares=1)
        expected = {Kpi.COMMENTS: [2, 6], Kpi.SHARES: [3, 4]}[kpi]
        assert values(series(make_objective(workspace, kpi), day(0), day(1))) == expected

    def test_it_is_empty_without_any_figure(self, workspace):
        assert series(make_objective(workspace, Kpi.LIKES), day(0), day(10)) == []


class TestEngagementRate:
    def test_it_divides_engagements_by_views_so_far(self, workspace):
        mastodon = make_account(workspace, "mastodon")
        rollup(mastodon, day(0), views=200, engagements=10)
        rollup(mastodon, day(2), views=300, engagements=40)
        objective = make_objective(workspace, Kpi.ENGAGEMENT_RATE, target=Decimal(12))
        # 10/200 = 5 %, day 1 carries it, then 50/500 = 10 %.
        assert series(objective, day(0), day(2)) == [(day(0), 5.0), (day(1), 5.0), (day(2), 10.0)]

    def test_it_leaves_out_a_network_that_gives_no_views(self, workspace):
        mastodon, wiki = make_account(workspace, "mastodon"), make_account(workspace, "mediawiki")
        rollup(mastodon, day(0), views=400, engagements=30)
        rollup(wiki, day(0), views=0, engagements=500)
        objective = make_objective(workspace, Kpi.ENGAGEMENT_RATE, target=Decimal(12))
        assert values(series(objective, day(0), day(0))) == [7.5]

    def test_it_has_no_value_before_any_view(self, workspace):
        mastodon = make_account(workspace, "mastodon")
        rollup(mastodon, day(0), engagements=3)
        rollup(mastodon, day(1), views=100, engagements=3)
        objective = make_objective(workspace, Kpi.ENGAGEMENT_RATE, target=Decimal(12))
        assert series(objective, day(0), day(1)) == [(day(1), 6.0)]

    def test_it_filters_by_persona(self, workspace):
        buyers = Persona.objects.create(workspace=workspace, name="Buyers")
        mastodon = make_account(workspace, "mastodon")
        rollup(mastodon, day(0), persona=buyers.pk, views=100, engagements=20)
        rollup(mastodon, day(0), views=100, engagements=0)
        objective = make_objective(
            workspace, Kpi.ENGAGEMENT_RATE, target=Decimal(12), personas=[buyers]
        )
        assert values(series(objective, day(0), day(0))) == [20.0]


class TestBusinessFigures:
    def test_it_adds_up_the_figures_of_the_kpi_from_the_start(self, workspace, charlie):
        figure(workspace, Kpi.SITE_TRAFFIC, day(-3), "999")  # before the start
        figure(workspace, Kpi.SITE_TRAFFIC, day(0), "120")
        figure(workspace, Kpi.SITE_TRAFFIC, day(0), "30.5")  # two sources the same day
        figure(workspace, Kpi.SITE_TRAFFIC, day(2), "100")
        figure(workspace, Kpi.DOWNLOADS, day(1), "7")  # another indicator
        figure(Workspace.objects.get(slug="other"), Kpi.SITE_TRAFFIC, day(1), "5000")
        objective = make_objective(workspace, Kpi.SITE_TRAFFIC, baseline=Decimal(1000))
        assert series(objective, day(0), day(2)) == [
            (day(0), 1150.5),
            (day(1), 1150.5),
            (day(2), 1250.5),
        ]

    @pytest.mark.parametrize("kpi", [Kpi.DOWNLOADS, Kpi.PRESS_COVERAGE, Kpi.SALES, Kpi.CONTACTS])
    def test_it_reads_each_business_indicator(self, workspace, kpi):
        figure(workspace, kpi, day(1), "4")
        figure(workspace, kpi, day(3), "6")
        assert values(series(make_objective(workspace, kpi), day(0), day(3))) == [0, 4, 4, 10]

    def test_it_reads_a_custom_indicator_of_that_objective_only(self, workspace):
        mine = make_objective(workspace, Kpi.CUSTOM)
        theirs = make_objective(workspace, Kpi.CUSTOM)
        figure(workspace, Kpi.CUSTOM, day(0), "3", objective=mine)
        figure(workspace, Kpi.CUSTOM, day(0), "50", objective=theirs)
        assert values(series(mine, day(0), day(1))) == [3, 3]
        assert values(series(theirs, day(0), day(1))) == [50, 50]


def test_it_has_no_response_time_series_yet(workspace):
    objective = make_objective(
        workspace, Kpi.RESPONSE_TIME, baseline=Decimal(120), target=Decimal(30)
    )
    assert series(objective, day(0), day(10)) == []
