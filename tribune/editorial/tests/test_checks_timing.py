"""Quiet hours (possibly across midnight) and blackout dates, in local time."""

from datetime import UTC, date, datetime, time

import pytest

from tribune.editorial.checks import check_scheduling, run_checks
from tribune.editorial.checks_rules import in_quiet_hours

from .checks_helpers import NOW, at, only, post


@pytest.mark.parametrize(
    "clock, quiet",
    [
        (time(21, 59), False),
        (time(22, 0), True),
        (time(0, 0), True),
        (time(6, 59), True),
        (time(7, 0), False),
    ],
)
def test_it_handles_quiet_hours_across_midnight(clock, quiet):
    assert in_quiet_hours(clock, time(22, 0), time(7, 0)) is quiet


@pytest.mark.parametrize(
    "clock, quiet",
    [(time(11, 59), False), (time(12, 0), True), (time(13, 59), True), (time(14, 0), False)],
)
def test_it_handles_quiet_hours_within_a_day(clock, quiet):
    assert in_quiet_hours(clock, time(12, 0), time(14, 0)) is quiet
    assert not in_quiet_hours(clock, time(12, 0), time(12, 0))


def test_it_flags_posts_in_quiet_hours_by_local_time(workspace):
    only(workspace, "quiet_hours", quiet_start=time(22, 0), quiet_end=time(7, 0))
    late = post(workspace, at(3, 22, 30), title="Late")
    post(workspace, at(4, 7, 0))
    [finding] = run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW)
    assert finding.post_id == late.pk and "quiet hours" in finding.message
    assert "“Late”" in finding.where and "Move it outside" in finding.fix


def test_it_skips_quiet_hours_when_none_are_set(workspace):
    only(workspace, "quiet_hours")
    post(workspace, at(3, 3))
    assert run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW) == []


def test_it_flags_posts_on_blackout_dates_of_the_workspace_zone(workspace):
    only(workspace, "blackout_date", blackout_dates=["2025-03-10", "not a date"])
    # 00:30 on 10 March in Paris is still 9 March in UTC.
    early = post(workspace, at(10, 0, 30))
    post(workspace, at(9, 23, 59))
    [finding] = run_checks(workspace, date(2025, 3, 3), date(2025, 3, 17), now=NOW)
    assert finding.post_id == early.pk and finding.rule == "blackout_date"


def test_it_blocks_scheduling_in_quiet_hours_and_on_blackout_dates_by_default(workspace):
    settings = only(workspace, quiet_start=time(22, 0), quiet_end=time(7, 0))
    settings.blackout_dates = ["2025-03-10"]
    settings.severities = {}
    settings.save()
    mine = post(workspace, None)
    blocking, _warnings = check_scheduling(mine, at(10, 23), now=NOW)
    assert {f.rule for f in blocking} == {"quiet_hours", "blackout_date"}
    blocking, _warnings = check_scheduling(mine, at(11, 9), now=NOW)
    assert blocking == []


def test_it_reads_local_times_on_both_sides_of_a_daylight_saving_change(workspace):
    only(workspace, "quiet_hours", quiet_start=time(3, 0), quiet_end=time(4, 0))
    before = post(workspace, at(30, 1, 59))  # 00:59 UTC, winter time
    after = post(workspace, at(30, 3, 0))  # 01:00 UTC, summer time: one minute later
    autumn = post(workspace, datetime(2025, 10, 26, 1, 30, tzinfo=UTC))  # 02:30 local, winter
    findings = run_checks(workspace, date(2025, 3, 29), date(2025, 10, 28), now=NOW)
    assert [f.post_id for f in findings] == [after.pk]
    assert before.pk and autumn.pk


def test_it_finds_the_offset_inside_an_hour_that_changes_on_the_half_hour(workspace):
    # Lord Howe Island moves from +10:30 to +11 at 02:00 local on 5 October 2025,
    # that is at 15:30 UTC: the hour from 15:00 UTC holds the change.
    workspace.time_zone = "Australia/Lord_Howe"
    workspace.save()
    only(workspace, "quiet_hours", quiet_start=time(2, 30), quiet_end=time(3, 0))
    before = post(workspace, datetime(2025, 10, 4, 15, 20, tzinfo=UTC))  # 01:50 local
    after = post(workspace, datetime(2025, 10, 4, 15, 40, tzinfo=UTC))  # 02:40 local
    findings = run_checks(workspace, date(2025, 10, 4), date(2025, 10, 7), now=NOW)
    assert [f.post_id for f in findings] == [after.pk] and before.pk
