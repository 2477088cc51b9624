"""Data ownership: everything a user owns as one zip (JSON for machines, CSV for spreadsheets).

Layout of the archive (``FORMAT`` version 1; ``cadence-export.json`` is always the first member, so
the importer recognises an export from its first bytes):

- ``cadence-export.json``: format, version, export time, and the list of files
- ``profile.json``: email, display name, created, coaching profile, chat settings (never the key)
- ``workouts.json`` / ``workouts.csv`` (one CSV row per exercise row)
- ``daily_metrics.json`` / ``daily_metrics.csv`` (one row per day and source, as stored; the CSV
  leaves out the device's readiness contributors)
- ``activities.json`` / ``activities.csv`` (the CSV leaves out the heart-rate histogram and
  what the JSON carries per activity for its detail page: ``parent`` (the multisport session
  of a leg, by source and external id), ``stream`` and ``stream_resolution_s`` (the
  downsampled samples), ``laps`` and ``workout_external_id`` (the workout made from its sets))
- ``devices.json``: provider, status and sync times, never credentials or tokens
- ``conversations.json``: every conversation with its messages, tool calls and charts
- ``other/<table>.json``: rows of any other table keyed by ``user_id`` (secret-looking columns
  dropped), so a table added later is never silently left out

Tables deliberately left out are listed in ``NOT_EXPORTED`` with the reason.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, BinaryIO

from sqlalchemy import Table, select
from sqlmodel import Session, SQLModel, col

from cadence.models.activity import ActivityLap, ActivityStream, LapIn
from cadence.models.chat import ChatMessage, Conversation, UserLlmSetting
from cadence.models.common import as_utc, utcnow
from cadence.models.device import DeviceConnection
from cadence.models.health import STORED_FIELDS, Activity, DailyMetric
from cadence.models.user import User
from cadence.models.workout import Workout, WorkoutExercise

FORMAT = "cadence-export"
VERSION = 1
MANIFEST_NAME = "cadence-export.json"
EXPORTED_TABLES = frozenset(
    {
        "user",
        "workout",
        "workout_exercise",
        "daily_metric",
        "activity",
        "activity_stream",  # inline in activities.json
        "activity_lap",  # inline in activities.json
        "device_connection",
        "conversation",
        "chat_message",
        "user_llm_setting",
    }
)
NOT_EXPORTED = {
    "device_oauth_state": "a pending OAuth handshake (minutes-long, a secret, not user data)",
    "import_job": "upload bookkeeping; the imported rows themselves are exported",
    "idempotency_key": "retry bookkeeping for workout writes; the workouts are exported",
}
_SECRET_MARKERS = ("password", "secret", "credential", "encrypted", "token", "state")
EXERCISE_FIELDS = ("name", "sets", "reps", "weight_kg", "rpe", "warmup", "set_type", "superset")
ACTIVITY_FIELDS = (
    "source",
    "external_id",
    "sport",
    "start_time",
    "duration_s",
    "elapsed_s",
    "distance_m",
    "avg_hr",
    "max_hr",
    "calories",
    "elevation_gain_m",
    "load",
)
LAP_FIELDS = tuple(LapIn.model_fields)
MESSAGE_FIELDS = (
    "role",
    "content",
    "status",
    "model_id",
    "tool_calls",
    "charts",
    "prompt_tokens",
    "completion_tokens",
    "verify",
    "numbers_stated",
    "numbers_verified",
    "created_at",
)


def export_filename(*, user: User) -> str:
    return f"cadence-export-{utcnow():%Y%m%d-%H%M%S}-user{user.id}.zip"


def write_export(*, session: Session, user: User, out: BinaryIO) -> dict[str, int]:
    """Write the user's archive to ``out``; returns the number of records per file."""
    workouts = _workouts(session, user.id)
    metrics = [
        _row_dict(r, ("date", "source", *STORED_FIELDS))
        for r in _owned(session, DailyMetric, user.id, DailyMetric.date, DailyMetric.source)
    ]
    activities = _activities(session, user.id)
    files: dict[str, Any] = {
        "profile.json": _profile(session, user),
        "workouts.json": workouts,
        "daily_metrics.json": metrics,
        "activities.json": activities,
        "devices.json": _devices(session, user.id),
        "conversations.json": _conversations(session, user.id),
        **_other_tables(session, user.id),
    }
    counts = {name: (len(data) if isinstance(data, list) else 1) for name, data in files.items()}
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _jsonable(utcnow()),
        "user_email": user.email,
        "files": counts,
        "not_exported": NOT_EXPORTED,
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST_NAME, _dumps(manifest))
        for name, data in files.items():
            archive.writestr(name, _dumps(data))
        archive.writestr("workouts.csv", _csv(_workout_csv_rows(workouts)))
        archive.writestr(
            "daily_metrics.csv",
            _csv({k: v for k, v in m.items() if k != "recovery_contributors"} for m in metrics),
        )
        archive.writestr(
            "activities.csv",
            _csv({k: v for k, v in a.items() if k in ACTIVITY_FIELDS} for a in activities),
        )
    return counts


def _activities(session: Session, user_id: int) -> list[dict[str, Any]]:
    """Each activity with its histogram, parent, stream, laps and workout link."""
    rows = _owned(session, Activity, user_id, Activity.start_time, Activity.id)
    keys = {r.id: {"source": r.source, "external_id": r.external_id} for r in rows}
    streams = {s.activity_id: s for s in _owned(session, ActivityStream, user_id)}
    laps: dict[int, list[dict[str, Any]]] = {}
    for lap in _owned(session, ActivityLap, user_id, ActivityLap.activity_id, ActivityLap.position):
        laps.setdefault(lap.activity_id, []).append(_row_dict(lap, LAP_FIELDS))
    workouts = {w.id: w.external_id for w in _owned(session, Workout, user_id)}
    return [
        {
            **_row_dict(r, ACTIVITY_FIELDS),
            "hr_histogram": r.hr_histogram,
            "parent": keys.get(r.parent_id),
            "stream": streams[r.id].data if r.id in streams else None,
            "stream_resolution_s": streams[r.id].resolution_s if r.id in streams else None,
            "laps": laps.get(r.id, []),
            "workout_external_id": workouts.get(r.workout_id),
        }
        for r in rows
    ]


def _owned(session: Session, model: type[SQLModel], user_id: int, *order) -> list[Any]:
    return list(
        session.execute(select(model).where(model.user_id == user_id).order_by(*order)).scalars()
    )


def _profile(session: Session, user: User) -> dict[str, Any]:
    llm = session.get(UserLlmSetting, user.id)
    return {
        "email": user.email,
        "display_name": user.display_name,
        "is_admin": user.is_admin,
        "created_at": _jsonable(user.created_at),
        "last_active_at": _jsonable(user.last_active_at),
        "coaching_profile": user.coaching_profile,
        "llm": {
            "has_api_key": bool(llm and llm.api_key_encrypted),
            "default_model_id": llm.default_model_id if llm else None,
        },
    }


def _workouts(session: Session, user_id: int) -> list[dict[str, Any]]:
    workouts = _owned(session, Workout, user_id, Workout.date, Workout.created_at, Workout.id)
    rows: dict[int, list[dict[str, Any]]] = {w.id: [] for w in workouts}
    for row in _owned(
        session, WorkoutExercise, user_id, WorkoutExercise.workout_id, WorkoutExercise.position
    ):
        rows[row.workout_id].append(_row_dict(row, EXERCISE_FIELDS))
    return [
        {
            **_row_dict(
                w,
                (
                    "id",
                    "date",
                    "workout_name",
                    "notes",
                    "duration_minutes",
                    "source",
                    "external_id",
                ),
            ),
            "exercises": rows[w.id],
            "created_at": _jsonable(w.created_at),
            "updated_at": _jsonable(w.updated_at),
        }
        for w in workouts
    ]


def _workout_csv_rows(workouts: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for w in workouts:
        for exercise in w["exercises"]:
            yield {
                "workout_id": w["id"],
                "date": w["date"],
                "workout_name": w["workout_name"],
                "duration_minutes": w["duration_minutes"],
                **{f"exercise_{k}" if k == "name" else k: v for k, v in exercise.items()},
                "notes": w["notes"],
            }


def _devices(session: Session, user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "provider": d.provider,
            "connected": d.credentials is not None,
            "status": d.status,
            "last_sync_at": _jsonable(d.last_sync_at),
            "last_error": d.last_error,
            "created_at": _jsonable(d.created_at),
        }
        for d in _owned(session, DeviceConnection, user_id, DeviceConnection.provider)
    ]


def _conversations(session: Session, user_id: int) -> list[dict[str, Any]]:
    conversations = _owned(session, Conversation, user_id, Conversation.created_at, Conversation.id)
    messages: dict[int, list[dict[str, Any]]] = {c.id: [] for c in conversations}
    if conversations:
        for m in session.execute(
            select(ChatMessage)
            .where(col(ChatMessage.conversation_id).in_(list(messages)))
            .order_by(ChatMessage.created_at, ChatMessage.id)
        ).scalars():
            messages[m.conversation_id].append(_row_dict(m, MESSAGE_FIELDS))
    return [
        {
            "title": c.title,
            "created_at": _jsonable(c.created_at),
            "updated_at": _jsonable(c.updated_at),
            "messages": messages[c.id],
        }
        for c in conversations
    ]


def user_owned_tables() -> list[Table]:
    """Every table with a ``user_id`` column, in dependency order."""
    return [t for t in SQLModel.metadata.sorted_tables if "user_id" in t.columns]


def _other_tables(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    files = {}
    for table in user_owned_tables():
        if table.name in EXPORTED_TABLES or table.name in NOT_EXPORTED:
            continue
        columns = [c for c in table.columns if not any(m in c.name for m in _SECRET_MARKERS)]
        rows = session.execute(select(*columns).where(table.c.user_id == user_id)).mappings()
        files[f"other/{table.name}.json"] = [{k: _jsonable(v) for k, v in r.items()} for r in rows]
    return files


def _row_dict(row: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _jsonable(getattr(row, name)) for name in fields}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str)


def _csv(rows: Iterable[dict[str, Any]]) -> str:
    rows = list(rows)
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()
