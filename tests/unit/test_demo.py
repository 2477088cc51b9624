"""Demo data: reproducible per user, idempotent, and realistic enough for the analytics flags."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

from sqlmodel import Session

from cadence.models.user import User
from cadence.services import activities, analytics, demo, metrics, workouts

END = date(2026, 11, 28)
START = END - timedelta(days=89)


def _user(session: Session, email: str) -> int:
    user = User(email=email, display_name="Demo", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def _days(session: Session, user_id: int):
    return metrics.get_daily_metrics(session=session, user_id=user_id, start=START, end=END)


def _loads(session: Session, user_id: int) -> dict[date, float]:
    rows = activities.activities_between(session=session, user_id=user_id, start=START, end=END)
    sessions = [
        (
            a.start_time.date(),
            analytics.activity_trimp(
                duration_s=a.duration_s,
                avg_hr=a.avg_hr,
                hr_histogram=a.hr_histogram,
                resting_hr=demo.RESTING_BASE,
                max_hr=demo.MAX_HR,
            )
            or 0.0,
        )
        for a in rows
    ]
    summaries = workouts.workout_summaries(session=session, user_id=user_id, start=START, end=END)
    sessions += [(s.date, s.minutes * s.session_rpe) for s in summaries]
    return analytics.daily_loads(sessions, start=START, end=END)


def test_ninety_days_with_a_few_gaps(session: Session) -> None:
    user_id = _user(session, "demo@example.com")
    counts = demo.generate_demo_data(session=session, user_id=user_id, end=END)
    session.commit()
    days = _days(session, user_id)
    assert 80 <= len(days) < 90  # a few days without the watch
    assert counts["daily_metrics"] == len(days)
    assert counts["activities"] > 50 and counts["workouts"] >= 20
    assert all(d.source == "demo" and d.hrv_sdnn_ms is None for d in days)
    hrv = [d.hrv_rmssd_ms for d in days]
    rhr = [d.resting_hr for d in days]
    sleep_h = [d.sleep_seconds / 3600 for d in days]
    assert min(hrv) > 35 and max(hrv) < 110 and statistics.stdev(hrv) > 3
    assert min(rhr) > 44 and max(rhr) < 65
    assert min(sleep_h) > 5 and max(sleep_h) < 10
    page, total = activities.list_activities(session=session, user_id=user_id, per_page=5)
    assert total == counts["activities"] and page[0].start_time >= page[-1].start_time
    assert all(a.hr_histogram and a.avg_hr for a in page)


def test_weekly_rhythm_weeknights_are_shorter(session: Session) -> None:
    user_id = _user(session, "rhythm@example.com")
    demo.generate_demo_data(session=session, user_id=user_id, end=END)
    days = _days(session, user_id)
    weekend = [d.sleep_seconds for d in days if d.date.weekday() == 5]
    weeknight = [d.sleep_seconds for d in days if d.date.weekday() in (1, 2, 3)]
    assert statistics.mean(weekend) > statistics.mean(weeknight) + 1800


def test_reproducible_per_user_and_idempotent(session: Session) -> None:
    first, second = _user(session, "a@example.com"), _user(session, "b@example.com")
    demo.generate_demo_data(session=session, user_id=first, end=END)
    demo.generate_demo_data(session=session, user_id=second, end=END)
    session.commit()
    snapshot = [(d.date, d.hrv_rmssd_ms, d.sleep_seconds, d.steps) for d in _days(session, first)]
    # a rerun regenerates the same numbers (upserts would overwrite any change) and adds nothing
    again = demo.generate_demo_data(session=session, user_id=first, end=END)
    session.commit()
    assert again == {"daily_metrics": 0, "activities": 0, "workouts": 0}
    after = [(d.date, d.hrv_rmssd_ms, d.sleep_seconds, d.steps) for d in _days(session, first)]
    assert after == snapshot
    other = [(d.date, d.hrv_rmssd_ms) for d in _days(session, second)]
    assert other != [(d[0], d[1]) for d in snapshot]  # seeded per user


def test_hard_blocks_make_the_flags_fire(session: Session) -> None:
    user_id = _user(session, "flags@example.com")
    demo.generate_demo_data(session=session, user_id=user_id, end=END)
    session.commit()
    points = analytics.load_model(_loads(session, user_id))
    assert max(p.acwr for p in points if p.acwr_status == "ok") > analytics.ACWR_FLAG
    days = _days(session, user_id)
    rmssd = {d.date: d.hrv_rmssd_ms for d in days}
    verdicts = [analytics.hrv_verdict(rmssd, on=d) for d in rmssd]
    assert any(v is not None and v.flagged for v in verdicts)
    sleep = {d.date: d.sleep_seconds for d in days}
    debt = analytics.sleep_debt(sleep, on=END, need_hours=8.0)
    assert debt is not None and debt.hours > analytics.SLEEP_DEBT_FLAG_HOURS
    block = [d.hrv_rmssd_ms for d in days if d.date > END - timedelta(days=7)]
    base = [
        d.hrv_rmssd_ms
        for d in days
        if START + timedelta(days=20) <= d.date < START + timedelta(days=40)
    ]
    assert statistics.mean(block) < statistics.mean(base)


def test_cli_demo_data_fills_an_account(session: Session, capsys) -> None:
    from cadence import cli

    user_id = _user(session, "cli@example.com")
    assert cli.main(["demo-data", "CLI@example.com"]) == 0
    assert "daily metrics" in capsys.readouterr().out
    _, total = activities.list_activities(session=session, user_id=user_id)
    assert total > 50
    assert cli.main(["demo-data", "nobody@example.com"]) == 1
    assert "No account" in capsys.readouterr().err
