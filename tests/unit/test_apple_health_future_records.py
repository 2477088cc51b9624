"""An Apple Health record dated years ahead (a device clock set in the future) was stored as a
future day; records past tomorrow in the user's zone are now refused and reported. The export
is generated here in Apple's format, with today's dates, since the check is relative to today."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from cadence.models.preferences import PreferencesUpdate
from cadence.models.user import User
from cadence.services import activities, metrics, preferences
from cadence.services.importers.apple_health import AppleHealthImporter
from cadence.services.userday import UserDay

Q = "HKQuantityTypeIdentifier"
ZONE = "Pacific/Kiritimati"  # UTC+14: "tomorrow" there is often the day after tomorrow in UTC


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="apple-future@example.com", display_name="A", password_hash="x")
    session.add(user)
    session.commit()
    preferences.update_preferences(
        session=session, user_id=user.id, changes=PreferencesUpdate(timezone=ZONE)
    )
    session.commit()
    return user.id


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S +0000")


def _steps(moment: datetime, value: int) -> str:
    s = _stamp(moment)
    return (
        f'<Record type="{Q}StepCount" sourceName="Watch" unit="count" startDate="{s}" '
        f'endDate="{s}" value="{value}"/>'
    )


def test_records_past_tomorrow_are_refused_and_reported(session, user_id) -> None:
    calendar = UserDay.of(timezone=ZONE)
    today = calendar.today()
    tomorrow_noon = datetime.combine(today + timedelta(days=1), datetime.min.time(), calendar.zone)
    tomorrow_noon += timedelta(hours=12)
    yesterday = tomorrow_noon - timedelta(days=2)
    future = datetime(2031, 5, 1, 9, 0, tzinfo=UTC)
    workout_start = _stamp(future)
    workout_end = _stamp(future + timedelta(minutes=30))
    export = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<HealthData locale="en_US">',
            _steps(yesterday, 5000),
            _steps(tomorrow_noon, 700),  # tomorrow in the user's zone: still accepted
            _steps(future, 9999),
            _steps(future + timedelta(days=400), 1234),
            f'<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30" '
            f'durationUnit="min" sourceName="Watch" startDate="{workout_start}" '
            f'endDate="{workout_end}"/>',
            "</HealthData>",
        ]
    )
    result = AppleHealthImporter().run(
        session=session,
        user_id=user_id,
        filename="export.xml",
        stream=io.BytesIO(export.encode()),
        dry_run=False,
    )
    session.commit()
    latest = today + timedelta(days=1)
    assert result.errors == [
        f"export.xml: 3 record(s) dated after {latest.isoformat()} (tomorrow in {ZONE}) were "
        "refused, e.g. StepCount dated 2031-05-01: a device clock set in the future."
    ]
    days = metrics.get_daily_metrics(
        session=session, user_id=user_id, start=today - timedelta(days=5), end=datetime.max.date()
    )
    assert sorted(d.steps for d in days) == [700, 5000]
    assert max(d.date for d in days) <= latest
    assert activities.list_activities(session=session, user_id=user_id)[1] == 0
