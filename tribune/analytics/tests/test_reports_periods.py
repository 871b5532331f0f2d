"""Report periods and send times in the workspace's time zone (Europe/Paris), across
daylight-saving changes, month ends and year ends."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest

from tribune.analytics import report_data
from tribune.analytics.models import ReportFrequency, ReportSchedule
from tribune.analytics.reports import (
    last_full_month,
    last_full_week,
    next_run_at,
    schedule_period,
)
from tribune.publishing.models import TargetState

from .test_reports_support import local, make_account, make_template, publish

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def schedule(workspace, frequency: str, **fields) -> ReportSchedule:
    return ReportSchedule(
        workspace=workspace,
        template=make_template(workspace),
        name="Client report",
        frequency=frequency,
        **fields,
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 3, 31), (date(2025, 3, 24), date(2025, 3, 30))),  # a Monday
        (date(2025, 3, 30), (date(2025, 3, 17), date(2025, 3, 23))),  # a Sunday
        (date(2025, 1, 1), (date(2024, 12, 23), date(2024, 12, 29))),  # across the year
    ],
)
def test_it_takes_the_last_full_week_from_monday_to_sunday(today, expected):
    assert last_full_week(today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 3, 1), (date(2025, 2, 1), date(2025, 2, 28))),
        (date(2024, 3, 31), (date(2024, 2, 1), date(2024, 2, 29))),  # leap year
        (date(2025, 1, 15), (date(2024, 12, 1), date(2024, 12, 31))),
        (date(2025, 5, 1), (date(2025, 4, 1), date(2025, 4, 30))),
    ],
)
def test_it_takes_the_last_full_month(today, expected):
    assert last_full_month(today) == expected


def test_it_reads_the_day_in_the_workspace_time_zone_not_in_utc(workspace):
    # Monday 00:30 in Paris is still Sunday in UTC: the week just ended is reported.
    monday_night = utc(2025, 3, 30, 22, 30)
    assert schedule_period(schedule(workspace, ReportFrequency.WEEKLY), monday_night) == (
        date(2025, 3, 24),
        date(2025, 3, 30),
    )
    # 1 November 00:30 in Paris is 31 October in UTC: October is over.
    november = utc(2025, 10, 31, 23, 30)
    assert schedule_period(schedule(workspace, ReportFrequency.MONTHLY), november) == (
        date(2025, 10, 1),
        date(2025, 10, 31),
    )


def test_it_reports_a_campaign_on_its_own_dates(workspace):
    campaign = schedule(
        workspace,
        ReportFrequency.CAMPAIGN,
        period_start=date(2025, 4, 10),
        period_end=date(2025, 4, 30),
    )
    assert schedule_period(campaign, utc(2025, 6, 1)) == (date(2025, 4, 10), date(2025, 4, 30))


def test_it_counts_a_week_across_a_clock_change_by_its_local_midnights(workspace):
    spring = report_data.period_of(workspace, date(2025, 3, 24), date(2025, 3, 30))
    autumn = report_data.period_of(workspace, date(2025, 10, 20), date(2025, 10, 26))

    def hours(period) -> timedelta:
        # Subtracting in UTC: Python subtracts wall clocks within one zone.
        return period.end_at.astimezone(UTC) - period.start_at.astimezone(UTC)

    assert hours(spring) == timedelta(hours=167)
    assert hours(autumn) == timedelta(hours=169)
    assert spring.end_at.astimezone(UTC) == utc(2025, 3, 30, 22, 0)


def test_it_keeps_sunday_night_posts_in_their_week_across_the_clock_change(workspace):
    account = make_account(workspace, "mastodon")
    publish(account, "Sunday night", local(date(2025, 3, 30), 23), views=10)
    publish(account, "Monday early", local(date(2025, 3, 31), 0), views=10)
    publish(account, "Monday before", local(date(2025, 3, 24), 0), views=10)
    publish(account, "Not sent", local(date(2025, 3, 25), 9), state=TargetState.FAILED)
    week = report_data.period_of(workspace, date(2025, 3, 24), date(2025, 3, 30))
    ranked = report_data.ranked_posts(workspace, week)
    assert ranked.count == 2
    assert {p.title for p in ranked.top} == {"Sunday night", "Monday before"}


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Monday 07:00 CET exactly: the next Monday, on summer time (UTC+2), 167 h later.
        (utc(2025, 3, 24, 6, 0), utc(2025, 3, 31, 5, 0)),
        # Monday 06:59 in Paris: the same morning.
        (utc(2025, 3, 24, 5, 59), utc(2025, 3, 24, 6, 0)),
        # Wednesday before the autumn change: Monday on winter time (UTC+1).
        (utc(2025, 10, 22, 12, 0), utc(2025, 10, 27, 6, 0)),
        # Sunday 23:30 UTC is already Monday 00:30 in Paris: that Monday at 07:00.
        (utc(2025, 3, 30, 22, 30), utc(2025, 3, 31, 5, 0)),
    ],
)
def test_it_sends_weekly_reports_on_monday_at_seven_workspace_time(workspace, after, expected):
    assert next_run_at(schedule(workspace, ReportFrequency.WEEKLY), after) == expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (utc(2025, 1, 31, 22, 30), utc(2025, 2, 1, 6, 0)),  # the last evening of January
        (utc(2025, 3, 1, 6, 0), utc(2025, 4, 1, 5, 0)),  # just sent: April, on summer time
        (utc(2025, 10, 1, 5, 0), utc(2025, 11, 1, 6, 0)),  # back on winter time
        (utc(2025, 12, 15, 12, 0), utc(2026, 1, 1, 6, 0)),  # across the year
    ],
)
def test_it_sends_monthly_reports_on_the_first_at_seven_workspace_time(workspace, after, expected):
    assert next_run_at(schedule(workspace, ReportFrequency.MONTHLY), after) == expected


def test_it_sends_a_campaign_report_once_the_day_after_its_last_day(workspace):
    campaign = schedule(
        workspace,
        ReportFrequency.CAMPAIGN,
        period_start=date(2025, 4, 1),
        period_end=date(2025, 4, 30),
    )
    expected = datetime(2025, 5, 1, 7, 0, tzinfo=PARIS)
    assert next_run_at(campaign, utc(2025, 4, 2)) == expected
    # Already past (a campaign entered afterwards): still that moment, so it goes at once.
    assert next_run_at(campaign, utc(2025, 9, 1)) == expected
