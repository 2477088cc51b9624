"""The user's calendar: local days, nights, weeks and day bounds across time zones and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from cadence.services.userday import UTC_DAY, UserDay


def test_the_same_instant_is_a_different_day_in_different_zones() -> None:
    instant = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    assert UTC_DAY.day_of(instant) == date(2026, 6, 1)
    assert UserDay.of(timezone="Europe/Berlin").day_of(instant) == date(2026, 6, 2)
    assert UserDay.of(timezone="America/Los_Angeles").day_of(instant) == date(2026, 6, 1)
    assert UserDay.of(timezone="Pacific/Kiritimati").day_of(instant) == date(2026, 6, 2)


def test_naive_instants_are_utc() -> None:
    zone = UserDay.of(timezone="Asia/Tokyo")
    assert zone.day_of(datetime(2026, 6, 1, 16, 0)) == date(2026, 6, 2)


def test_a_night_belongs_to_the_morning_it_ends() -> None:
    berlin = UserDay.of(timezone="Europe/Berlin")
    woke = datetime(2026, 3, 10, 5, 45, tzinfo=UTC)  # 06:45 in Berlin
    assert berlin.night_of(woke) == date(2026, 3, 10)
    la = UserDay.of(timezone="America/Los_Angeles")
    woke_la = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # 07:00 in Los Angeles
    assert la.night_of(woke_la) == date(2026, 3, 10)


def test_the_segments_of_one_night_are_one_night() -> None:
    """Stage segments before and after midnight count for the morning the night ends on."""
    berlin = UserDay.of(timezone="Europe/Berlin")
    before_midnight = datetime(2026, 3, 9, 22, 50, tzinfo=UTC)  # 23:50 in Berlin, Mar 9
    assert berlin.night_of(before_midnight) == date(2026, 3, 10)
    nap = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # 15:00: a nap counts for its own day
    assert berlin.night_of(nap) == date(2026, 3, 10)


def test_daylight_saving_days_are_23_and_25_hours_long() -> None:
    berlin = UserDay.of(timezone="Europe/Berlin")
    spring_start, spring_end = berlin.bounds(date(2026, 3, 29))
    assert spring_end - spring_start == timedelta(hours=23)
    assert spring_start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    autumn_start, autumn_end = berlin.bounds(date(2026, 10, 25))
    assert autumn_end - autumn_start == timedelta(hours=25)
    first, last = berlin.span(date(2026, 3, 28), date(2026, 3, 29))
    assert last - first == timedelta(hours=47)


def test_weeks_start_on_monday_or_sunday() -> None:
    wednesday = date(2026, 12, 2)
    assert UTC_DAY.week_start_of(wednesday) == date(2026, 11, 30)
    assert UTC_DAY.week_start_of(date(2026, 11, 30)) == date(2026, 11, 30)
    sunday_weeks = UserDay.of(timezone="UTC", week_start="sunday")
    assert sunday_weeks.week_start_of(wednesday) == date(2026, 11, 29)
    assert sunday_weeks.week_start_of(date(2026, 11, 29)) == date(2026, 11, 29)
    assert sunday_weeks.week_start_of(date(2026, 11, 28)) == date(2026, 11, 22)


def test_today_follows_the_zone() -> None:
    now = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    assert UTC_DAY.today(now) == date(2026, 12, 1)
    assert UserDay.of(timezone="Australia/Sydney").today(now) == date(2026, 12, 2)
