"""Frequency per network: minimum and maximum posts per local week (Monday start)."""

from datetime import date

from tribune.editorial.checks import run_checks

from .checks_helpers import NOW, at, choose, only, post


def rules_of(findings, rule):
    return [f for f in findings if f.rule == rule]


def test_it_accepts_the_maximum_and_flags_one_more(workspace):
    only(workspace, "frequency_high")
    choose(workspace, "linkedin", high=3)
    for day in (3, 4, 5):
        post(workspace, at(day))
    assert run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW) == []
    post(workspace, at(9, 20))  # Sunday evening: still the same week
    [finding] = run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW)
    assert (finding.rule, finding.network, finding.day) == (
        "frequency_high",
        "linkedin",
        date(2025, 3, 3),
    )
    assert "4 posts are planned on LinkedIn" in finding.message and "at most 3" in finding.message
    assert "Move 1 of them" in finding.fix and "Week of" in finding.where


def test_it_cuts_weeks_at_local_midnight_on_monday(workspace):
    only(workspace, "frequency_high")
    choose(workspace, "linkedin", high=1)
    post(workspace, at(9, 23, 30))  # Sunday 23:30 in Paris
    post(workspace, at(10, 0, 30))  # Monday 00:30 in Paris, still Sunday in UTC
    assert run_checks(workspace, date(2025, 3, 3), date(2025, 3, 17), now=NOW) == []
    post(workspace, at(16, 23, 59))
    [finding] = run_checks(workspace, date(2025, 3, 3), date(2025, 3, 17), now=NOW)
    assert finding.day == date(2025, 3, 10)


def test_it_counts_whole_weeks_that_the_window_only_touches(workspace):
    only(workspace, "frequency_high")
    choose(workspace, "linkedin", high=1)
    post(workspace, at(3))  # Monday, before the window
    post(workspace, at(7))  # Friday, in the window
    [finding] = run_checks(workspace, date(2025, 3, 7), date(2025, 3, 8), now=NOW)
    assert finding.day == date(2025, 3, 3) and "2 posts" in finding.message


def test_it_counts_only_the_networks_a_post_goes_to(workspace):
    only(workspace, "frequency_high")
    choose(workspace, "linkedin", high=1)
    choose(workspace, "bluesky", high=1)
    post(workspace, at(3), ["linkedin", "bluesky"])
    post(workspace, at(4), ["bluesky"])
    findings = run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW)
    assert [f.network for f in findings] == ["bluesky"]


def test_it_flags_a_week_below_the_minimum_but_not_at_it(workspace):
    only(workspace, "frequency_low", "network_not_planned")
    choose(workspace, "linkedin", low=2)
    post(workspace, at(3))
    post(workspace, at(4))
    post(workspace, at(11))
    findings = run_checks(workspace, date(2025, 3, 3), date(2025, 3, 17), now=NOW)
    [finding] = rules_of(findings, "frequency_low")
    assert finding.day == date(2025, 3, 10)
    assert "1 post is planned" in finding.message and "at least 2" in finding.message
    assert "Plan 1 more post on LinkedIn" in finding.fix


def test_it_leaves_weeks_that_are_over_alone(workspace):
    only(workspace, "frequency_low")
    choose(workspace, "linkedin", low=2)
    post(workspace, at(10))
    # The week of 17 February is over at NOW; the week of 24 February is not yet.
    findings = run_checks(workspace, date(2025, 2, 17), date(2025, 2, 24), now=NOW)
    assert findings == []
    findings = run_checks(workspace, date(2025, 2, 17), date(2025, 3, 17), now=NOW)
    assert [f.day for f in findings] == [date(2025, 2, 24), date(2025, 3, 3), date(2025, 3, 10)]


def test_it_reports_an_empty_network_once_instead_of_every_week(workspace):
    only(workspace, "frequency_low", "network_not_planned")
    choose(workspace, "linkedin", low=2)
    findings = run_checks(workspace, date(2025, 3, 3), date(2025, 3, 31), now=NOW)
    assert [f.rule for f in findings] == ["network_not_planned"]
    only(workspace, "frequency_low")
    findings = run_checks(workspace, date(2025, 3, 3), date(2025, 3, 31), now=NOW)
    assert len(rules_of(findings, "frequency_low")) == 4


def test_it_ignores_networks_without_limits_and_a_zero_minimum(workspace):
    only(workspace, "frequency_low", "frequency_high")
    choose(workspace, "linkedin", low=0)
    post(workspace, at(3), ["linkedin", "bluesky"])
    assert run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW) == []


def test_it_treats_a_maximum_of_zero_as_no_post_allowed(workspace):
    only(workspace, "frequency_high")
    choose(workspace, "linkedin", high=0)
    post(workspace, at(3))
    [finding] = run_checks(workspace, date(2025, 3, 3), date(2025, 3, 10), now=NOW)
    assert "at most 0" in finding.message
