"""The demo's two months of history: made through ingestion, consistent, dated from today,
never touched by the worker, with an objective at risk and last month's report."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from django.db.models import Sum
from django.utils import timezone

from tribune.analytics import collect, kpis
from tribune.analytics.demo import HISTORY_DAYS
from tribune.analytics.models import (
    AccountLatest,
    BestTimeCell,
    DailyRollup,
    IndicatorValue,
    NetworkDay,
    ReportRun,
    ReportSchedule,
    Snapshot,
    TargetTotals,
)
from tribune.analytics.rollups import rebuild_best_time, rebuild_network_days
from tribune.networks.models import Account, AccountMode
from tribune.publishing.models import Target, TargetState
from tribune.strategy.actions_objectives import workspace_today
from tribune.workspaces.demo import SLUG, create_demo
from tribune.workspaces.models import Workspace

from .test_reports_content import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path) -> Workspace:
    settings.MEDIA_ROOT = tmp_path
    create_demo()
    return Workspace.objects.get(slug=SLUG)


def test_it_puts_the_instagram_objective_at_risk_and_the_business_ones_on_track(demo):
    status = {m.kpi: m.status for m in kpis.measure_all(demo, workspace_today(demo))}
    assert status == {
        "new_followers": kpis.Status.AT_RISK,
        "site_traffic": kpis.Status.ON_TRACK,
        "contacts": kpis.Status.ON_TRACK,
        "response_time": kpis.Status.UNKNOWN,  # the inbox will measure it
    }


def test_it_covers_the_last_nine_weeks_up_to_today(demo):
    today = workspace_today(demo)
    days = NetworkDay.objects.filter(workspace=demo).values_list("day", flat=True)
    assert min(days) == today - timedelta(days=HISTORY_DAYS)
    assert today - timedelta(days=1) <= max(days) <= today
    assert set(NetworkDay.objects.values_list("network", flat=True)) == {
        "instagram",
        "linkedin",
        "facebook",
    }
    figures = IndicatorValue.objects.filter(workspace=demo)
    assert {"site_traffic", "contacts"} == set(figures.values_list("kpi", flat=True))
    assert figures.order_by("-day").first().day < today  # entered up to yesterday
    zone = zoneinfo.ZoneInfo(demo.time_zone)
    objective_days = {kpis.objective_start(o, zone) for o in demo.objectives.all()}
    assert objective_days == {today - timedelta(days=HISTORY_DAYS)}


def test_it_went_through_ingestion_so_every_summary_agrees(demo):
    published = Target.objects.filter(workspace=demo, state=TargetState.PUBLISHED)
    assert published.count() >= 40
    # A post published within the hour has no reading yet (the first comes after an hour
    # and a few minutes); every older one has been read.
    first_read = timezone.now() - collect.SCHEDULE[0] - timedelta(minutes=10)
    read = TargetTotals.objects.filter(workspace=demo)
    read_ids = set(read.values_list("target_id", flat=True))
    older = set(published.filter(published_at__lte=first_read).values_list("pk", flat=True))
    assert older <= read_ids <= set(published.values_list("pk", flat=True))
    # Each post's days add up to its latest totals.
    rolled = DailyRollup.objects.filter(workspace=demo).aggregate(Sum("likes"), Sum("posts"))
    totals = read.aggregate(Sum("likes"))
    assert rolled["likes__sum"] == totals["likes__sum"] > 0
    assert rolled["posts__sum"] == read.count()
    # The summaries kept incrementally are those computed again from scratch.
    columns = ("day", "network", "persona_id", "posts", "likes", "views", "followers_change")
    kept = list(NetworkDay.objects.filter(workspace=demo).order_by(*columns[:3]).values(*columns))
    cells = list(BestTimeCell.objects.filter(workspace=demo).order_by("network", "weekday", "hour")
                 .values("network", "weekday", "hour", "posts", "engagements"))  # fmt: skip
    rebuild_network_days(demo.pk)
    rebuild_best_time(demo.pk)
    assert list(NetworkDay.objects.order_by(*columns[:3]).values(*columns)) == kept
    assert list(BestTimeCell.objects.order_by("network", "weekday", "hour")
                .values("network", "weekday", "hour", "posts", "engagements")) == cells  # fmt: skip
    # Followers: each account's latest reading, rising slowly over the period.
    for latest in AccountLatest.objects.filter(workspace=demo).select_related("account"):
        first = Snapshot.objects.filter(account=latest.account, target=None).order_by("taken_at")
        assert 0 < latest.followers - first.first().followers < 700, latest.account.network


def test_it_dates_every_publication_in_the_past_on_example_addresses(demo):
    now = timezone.now()
    for target in Target.objects.filter(workspace=demo).select_related("post"):
        assert target.state == TargetState.PUBLISHED and target.post.state == "published"
        assert now - timedelta(days=HISTORY_DAYS + 1) < target.published_at < now
        assert urlsplit(target.url).hostname.endswith(".example")


def test_it_leaves_nothing_for_the_worker_to_send_or_read(demo):
    now = timezone.now()
    for account in Account.objects.filter(workspace=demo):
        assert account.mode == AccountMode.REMINDER
        assert not (account.token or account.refresh_token or account.secrets)
    assert collect.plan_published(now) == 0  # every plan exists, and is closed
    assert collect.due_accounts(now + timedelta(weeks=20)) == []
    assert collect.due_account_levels(now) == []
    assert not Target.objects.filter(workspace=demo).exclude(state=TargetState.PUBLISHED).exists()


def test_it_stores_last_months_report(demo):
    run = ReportRun.objects.get(workspace=demo)
    today = workspace_today(demo)
    assert run.status == ReportRun.Status.DONE
    assert run.period_end == today.replace(day=1) - timedelta(days=1)
    with default_storage.open(run.pdf.name, "rb") as handle:
        text = pdf_text(handle.read())
    assert "Rapport mensuel" in text and "Avancement des objectifs" in text
    assert "Gagner 1 500 abonnés sur Instagram" in text


def test_it_draws_the_same_history_every_time(demo):
    def history() -> list[tuple]:
        return list(
            TargetTotals.objects.order_by("published_at").values_list("network", "views", "likes")
        )

    first = history()
    ReportSchedule.objects.filter(workspace=demo).delete()  # it protects its template
    demo.delete()
    create_demo()
    assert history() == first
