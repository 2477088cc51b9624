"""Strong and Hevy exports of several years, as people have them: US-locale dates, a timer left
running, a typo of 877 777 reps, an RPE of 12, and older Strong files that never say their
weight unit. Each file is the project's hand-written fixture (tests/fixtures/csv) rewritten the
way the real export differs (marked in each test)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from sqlmodel import Session

from cadence.models.preferences import PreferencesUpdate
from cadence.models.user import User
from cadence.services import preferences, workouts
from cadence.services.importers.strength_csv import HevyCsvImporter, StrongCsvImporter

CSV = Path(__file__).resolve().parent.parent / "fixtures" / "csv"


@pytest.fixture
def user_id(session: Session) -> int:
    user = User(email="lifts@example.com", display_name="L", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def run(importer, session, user_id, name: str, data: bytes, *, dry_run=False):
    result = importer.run(
        session=session, user_id=user_id, filename=name, stream=io.BytesIO(data), dry_run=dry_run
    )
    session.commit()
    return result


def stored(session, user_id):
    return workouts.list_workouts(session=session, user_id=user_id, per_page=100).workouts


def hevy_in_us_locale() -> bytes:
    """hevy_lbs.csv with the times a US phone writes (``Nov 21, 2026, 5:04 PM``)."""
    text = (CSV / "hevy_lbs.csv").read_text()
    text = text.replace("21 Nov 2026, 17:04", "Nov 21, 2026, 5:04 PM")
    return text.replace("21 Nov 2026, 18:10", "Nov 21, 2026, 6:10 PM").encode()


def test_hevy_us_locale_times_are_read(session, user_id) -> None:
    reference = run(
        HevyCsvImporter(),
        session,
        user_id,
        "dry.csv",
        (CSV / "hevy_lbs.csv").read_bytes(),
        dry_run=True,
    )
    result = run(HevyCsvImporter(), session, user_id, "hevy.csv", hevy_in_us_locale())
    assert [e for e in result.errors if "time" in e] == []
    assert result.counts["workouts"] == reference.counts["workouts"] >= 1
    [upper] = [w for w in stored(session, user_id) if w.workout_name == "Upper Body"]
    assert upper.date.isoformat() == "2026-11-21" and upper.duration_minutes == 66


def test_a_line_with_an_unreadable_time_names_its_layout(session, user_id) -> None:
    first = '"21 Nov 2026, 17:04","21 Nov 2026, 18:10","Felt strong"'
    broken = '"Nov 41, 2026, 5:04 PM","Nov 21, 2026, 6:10 PM","Felt strong"'
    text = (CSV / "hevy_lbs.csv").read_text().replace(first, broken, 1)
    result = run(HevyCsvImporter(), session, user_id, "hevy.csv", text.encode())
    assert result.errors[0] == (
        "hevy.csv line 2: start_time 'Nov 41, 2026, 5:04 PM' (layout 'Mon DD, YYYY, D:DD PM') "
        "is not a readable date"
    )


def strong_with(*, duration: str | None = None, reps: str | None = None, rpe=None) -> bytes:
    """strong_kg.csv with one bad value: the first workout's duration, or one set's reps or
    RPE (the second line)."""
    lines = (CSV / "strong_kg.csv").read_text().splitlines()
    if duration is not None:
        lines = [line.replace('"3900"', f'"{duration}"') for line in lines]
    if reps is not None:
        lines[2] = lines[2].replace('"80","5","8"', f'"80","{reps}","8"')
    if rpe is not None:
        lines[2] = lines[2].replace('"80","5","8"', f'"80","5","{rpe}"')
    return ("\n".join(lines) + "\n").encode()


def test_a_forgotten_timer_keeps_the_workout_without_a_duration(session, user_id) -> None:
    reference = run(StrongCsvImporter(), session, user_id, "s.csv", strong_with(), dry_run=True)
    result = run(
        StrongCsvImporter(), session, user_id, "strong.csv", strong_with(duration="127380")
    )
    # 127 380 s = 35 h 23 min: reported once, on the workout's first line
    assert result.errors[0] == (
        "strong.csv line 2: workout duration '127380 s' is more than 24 h (a timer left running?); "
        "the workout is kept without a duration"
    )
    assert sum("more than 24 h" in e for e in result.errors) == 1
    assert result.counts["workouts"] == reference.counts["workouts"]
    assert result.counts["sets"] == reference.counts["sets"]
    push = next(w for w in stored(session, user_id) if w.workout_name == "Push Day")
    assert push.duration_minutes is None


def test_a_reps_typo_drops_that_set_only_and_says_why(session, user_id) -> None:
    reference = run(StrongCsvImporter(), session, user_id, "s.csv", strong_with(), dry_run=True)
    result = run(StrongCsvImporter(), session, user_id, "strong.csv", strong_with(reps="877777"))
    assert result.errors[0] == (
        "strong.csv line 3: 877777 reps is more than 999 (a typo?); this set is left out, "
        "the rest of the workout is kept"
    )
    assert result.counts["workouts"] == reference.counts["workouts"]
    assert result.counts["sets"] == reference.counts["sets"] - 1


def test_an_impossible_rpe_is_dropped_and_the_set_kept(session, user_id) -> None:
    reference = run(StrongCsvImporter(), session, user_id, "s.csv", strong_with(), dry_run=True)
    result = run(StrongCsvImporter(), session, user_id, "strong.csv", strong_with(rpe="12"))
    assert result.errors[0] == (
        "strong.csv line 3: RPE '12' is not between 1 and 10; the set is kept without an RPE"
    )
    assert result.counts["sets"] == reference.counts["sets"]


def legacy_without_unit() -> bytes:
    """strong_lbs_legacy.csv as the oldest Strong exports write it: no Weight Unit column."""
    rows = [line.split(";") for line in (CSV / "strong_lbs_legacy.csv").read_text().splitlines()]
    unit = rows[0].index("Weight Unit")
    return "\n".join(";".join(r[:unit] + r[unit + 1 :]) for r in rows).encode() + b"\n"


def _deadlift_top(session, user_id) -> float:
    pull = next(w for w in stored(session, user_id) if w.workout_name == "Pull")
    return max(e.weight_kg for e in pull.exercises if e.name == "Deadlift (Barbell)")


def test_a_unitless_export_is_read_in_the_chosen_unit(session, user_id) -> None:
    dry = run(StrongCsvImporter(), session, user_id, "old.csv", legacy_without_unit(), dry_run=True)
    assert dry.preview[0]["weight_unit_assumed"] == "kg"  # the preview says what it assumed
    run(StrongCsvImporter(unitless_unit="lb"), session, user_id, "old.csv", legacy_without_unit())
    assert _deadlift_top(session, user_id) == 142.88  # 315 lb, not "315 kg"


def test_a_unitless_export_follows_the_users_weight_unit(session, user_id) -> None:
    preferences.update_preferences(
        session=session, user_id=user_id, changes=PreferencesUpdate(weight_unit="lb")
    )
    session.commit()
    result = run(StrongCsvImporter(), session, user_id, "old.csv", legacy_without_unit())
    assert result.preview == [] and _deadlift_top(session, user_id) == 142.88


def test_the_unit_is_chosen_through_the_api(client, account) -> None:
    files = [("file", ("strong.csv", legacy_without_unit()))]
    dry = client.post(
        "/api/v1/imports?dry_run=true&weight_unit=lb", files=files, headers=account.headers
    ).json()
    assert dry["preview"][0]["weight_unit_assumed"] == "lb"
    job = client.post("/api/v1/imports?weight_unit=lb", files=files, headers=account.headers)
    job_id = job.json()["import_id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/imports/{job_id}", headers=account.headers).json()
        if body["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    assert body["status"] == "done"
    listed = client.get("/api/v1/workouts", headers=account.headers).json()["workouts"]
    pull = next(w for w in listed if w["workout_name"] == "Pull")
    assert max(e["weight_kg"] for e in pull["exercises"]) == 142.88
    bad = client.post("/api/v1/imports?weight_unit=stone", files=files, headers=account.headers)
    assert bad.status_code == 422
