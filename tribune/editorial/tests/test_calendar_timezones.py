"""Wall-clock times and UTC around the 2025 daylight-saving changes in Europe/Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tribune.editorial import timezones

PARIS = timezones.zone("Europe/Paris")


def test_it_converts_an_ordinary_time_with_the_season_offset():
    assert timezones.to_utc(datetime(2025, 1, 15, 9, 30), PARIS) == datetime(
        2025, 1, 15, 8, 30, tzinfo=UTC
    )
    assert timezones.to_utc(datetime(2025, 7, 15, 9, 30), PARIS) == datetime(
        2025, 7, 15, 7, 30, tzinfo=UTC
    )


def test_it_refuses_a_time_the_clocks_skip_with_a_clear_message():
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        timezones.to_utc(datetime(2025, 3, 30, 2, 30), PARIS)
    assert caught.value.code == "nonexistent"
    message = caught.value.messages[0]
    assert "does not exist in Europe/Paris" in message
    assert "daylight saving" in message
    assert not timezones.exists(datetime(2025, 3, 30, 2, 30), PARIS)
    # The minutes either side of the gap are fine.
    assert timezones.to_utc(datetime(2025, 3, 30, 1, 59), PARIS) == datetime(
        2025, 3, 30, 0, 59, tzinfo=UTC
    )
    assert timezones.to_utc(datetime(2025, 3, 30, 3, 0), PARIS) == datetime(
        2025, 3, 30, 1, 0, tzinfo=UTC
    )


def test_it_asks_which_one_when_a_time_happens_twice():
    local = datetime(2025, 10, 26, 2, 30)
    assert timezones.is_ambiguous(local, PARIS)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        timezones.to_utc(local, PARIS)
    assert caught.value.code == "ambiguous"
    assert "UTC+02:00" in caught.value.messages[0]
    assert "UTC+01:00" in caught.value.messages[0]


def test_it_resolves_an_ambiguous_time_by_the_explicit_choice():
    local = datetime(2025, 10, 26, 2, 30)
    first = timezones.to_utc(local, PARIS, fold=0)
    second = timezones.to_utc(local, PARIS, fold=1)
    assert first == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert second == datetime(2025, 10, 26, 1, 30, tzinfo=UTC)
    assert timezones.offset_label(first.astimezone(PARIS)) == "UTC+02:00"
    assert timezones.offset_label(second.astimezone(PARIS)) == "UTC+01:00"


def test_it_shows_the_offset_so_the_two_half_past_twos_differ():
    with translation.override("en"):
        first = timezones.wall_clock_text(datetime(2025, 10, 26, 0, 30, tzinfo=UTC), PARIS)
        second = timezones.wall_clock_text(datetime(2025, 10, 26, 1, 30, tzinfo=UTC), PARIS)
    assert first != second
    assert first.endswith("(UTC+02:00)")
    assert second.endswith("(UTC+01:00)")


def test_it_combines_a_day_and_a_time():
    assert timezones.combine(date(2025, 12, 2), time(9, 30), PARIS) == datetime(
        2025, 12, 2, 8, 30, tzinfo=UTC
    )


def test_it_rejects_an_unknown_zone():
    with pytest.raises(ValidationError):
        timezones.zone("Mars/Olympus_Mons")


def test_it_ignores_the_fold_when_the_time_is_not_ambiguous():
    assert timezones.to_utc(datetime(2025, 6, 1, 12, 0), PARIS, fold=1) == datetime(
        2025, 6, 1, 10, 0, tzinfo=UTC
    )
