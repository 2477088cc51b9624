"""Cadence's own export zip (``GET /api/v1/export``), imported back into any account.

Restores workouts (with their exercise rows and timestamps), daily metrics (per source), activities
(with heart-rate histograms), conversations (every message, tool call and chart) and, when the
account has none yet, the coaching profile. Idempotent like every importer: workouts keep (or get)
an external id, metrics and activities are upserted on their natural keys, a conversation with the
same title and start time is not added twice. Device connections and secrets are never imported.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import datetime
from typing import Any, BinaryIO

from pydantic import ValidationError
from sqlmodel import Session, select

from cadence.models.activity import LapIn, StreamData
from cadence.models.chat import ChatMessage, Conversation
from cadence.models.common import as_utc
from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.models.user import User
from cadence.models.workout import Workout, WorkoutCreate
from cadence.services import activities as activities_service
from cadence.services import workouts as workouts_service
from cadence.services.export import FORMAT, MANIFEST_NAME, MESSAGE_FIELDS, VERSION
from cadence.services.importers.base import ImportResult
from cadence.services.importers.common import store_activities, store_daily_metrics

_ZIP_MAGIC = b"PK\x03\x04"
_NAME_OFFSET = 30  # a zip local file header's fixed part; the member's name follows it


class CadenceExportImporter:
    kind = "cadence_export"

    def matches(self, *, filename: str, head: bytes) -> bool:
        """A zip whose first member is ``cadence-export.json`` (the exporter writes it first)."""
        if not head.startswith(_ZIP_MAGIC) or len(head) < _NAME_OFFSET:
            return False
        name_length = int.from_bytes(head[26:28], "little")
        return head[_NAME_OFFSET : _NAME_OFFSET + name_length] == MANIFEST_NAME.encode()

    def run(
        self, *, session: Session, user_id: int, filename: str, stream: BinaryIO, dry_run: bool
    ) -> ImportResult:
        result = ImportResult()
        try:
            with zipfile.ZipFile(stream) as archive:
                manifest = json.loads(archive.read(MANIFEST_NAME))
                if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
                    result.errors.append(
                        f"{filename}: not a Cadence export of version {VERSION}; skipped."
                    )
                    return result
                files = {
                    name: json.loads(archive.read(name))
                    for name in manifest.get("files", {})
                    if name in archive.namelist() and "/" not in name
                }
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            result.errors.append(f"{filename}: unreadable Cadence export ({exc}).")
            return result
        context = _Restore(session, user_id, filename, result, dry_run)
        context.workouts(files.get("workouts.json", []))
        store_daily_metrics(
            session=session,
            user_id=user_id,
            days=context.parse(DailyMetricIn, files.get("daily_metrics.json", []), "metric"),
            result=result,
            dry_run=dry_run,
        )
        store_activities(
            session=session,
            user_id=user_id,
            items=context.parse(ActivityIn, files.get("activities.json", []), "activity"),
            result=result,
            dry_run=dry_run,
        )
        context.activity_extras(files.get("activities.json", []))
        context.conversations(files.get("conversations.json", []))
        context.coaching_profile(files.get("profile.json", {}))
        return result


class _Restore:
    def __init__(
        self, session: Session, user_id: int, filename: str, result: ImportResult, dry_run: bool
    ) -> None:
        self.session = session
        self.user_id = user_id
        self.filename = filename
        self.result = result
        self.dry_run = dry_run

    def error(self, what: str, index: int, exc: Exception) -> None:
        self.result.errors.append(f"{self.filename} {what} #{index + 1}: {exc}")

    def parse(self, model, records: list[dict[str, Any]], what: str) -> list:
        parsed = []
        for index, record in enumerate(records):
            try:
                parsed.append(model.model_validate(record))
            except ValidationError as exc:
                self.error(what, index, exc)
        return parsed

    def activity_extras(self, records: list[dict[str, Any]]) -> None:
        """Each restored activity's parent (multisport), stream, laps and workout link."""
        if self.dry_run:
            return
        extras = []
        for index, record in enumerate(records):
            try:
                extras.append(_extras(record, self.session, self.user_id))
            except (ValidationError, KeyError, TypeError) as exc:
                self.error("activity detail", index, exc)
        activities_service.attach_extras(session=self.session, user_id=self.user_id, extras=extras)

    def workouts(self, records: list[dict[str, Any]]) -> None:
        ids = [_workout_external_id(r) for r in records]
        existing = workouts_service.external_ids(
            session=self.session, user_id=self.user_id, candidates=ids
        )
        for index, (record, external_id) in enumerate(zip(records, ids, strict=True)):
            if external_id in existing:
                self.result.add("duplicates")
                continue
            try:
                data = WorkoutCreate.model_validate(
                    {k: record[k] for k in ("date", "workout_name", "notes", "exercises")}
                    | {"duration_minutes": record.get("duration_minutes")}
                )
            except (ValidationError, KeyError, TypeError) as exc:
                self.error("workout", index, exc)
                continue
            existing.add(external_id)
            self.result.add("workouts")
            if self.dry_run:
                self.result.preview.append({"kind": "workout", **data.model_dump(mode="json")})
                continue
            created = workouts_service.create_workout(
                session=self.session,
                user_id=self.user_id,
                data=data,
                source=record.get("source") or "manual",
                external_id=external_id,
            )
            row = self.session.get(Workout, created.id)
            row.created_at = _time(record.get("created_at")) or row.created_at
            row.updated_at = _time(record.get("updated_at")) or row.updated_at
            self.session.add(row)

    def conversations(self, records: list[dict[str, Any]]) -> None:
        seen = {
            (title, as_utc(created))
            for title, created in self.session.exec(
                select(Conversation.title, Conversation.created_at).where(
                    Conversation.user_id == self.user_id
                )
            ).all()
        }
        for index, record in enumerate(records):
            try:
                key = (str(record["title"]), _time(record["created_at"]))
                messages = [
                    {k: m.get(k) for k in MESSAGE_FIELDS} for m in record.get("messages", [])
                ]
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                self.error("conversation", index, exc)
                continue
            if key in seen:
                self.result.add("duplicates")
                continue
            seen.add(key)
            self.result.add("conversations")
            self.result.add("chat_messages", len(messages))
            if self.dry_run:
                continue
            conversation = Conversation(
                user_id=self.user_id,
                title=key[0],
                created_at=key[1],
                updated_at=_time(record.get("updated_at")) or key[1],
            )
            self.session.add(conversation)
            self.session.flush()
            for message in messages:
                message["created_at"] = _time(message["created_at"]) or key[1]
                self.session.add(ChatMessage(conversation_id=conversation.id, **message))
        self.session.flush()

    def coaching_profile(self, profile: dict[str, Any]) -> None:
        text = profile.get("coaching_profile") if isinstance(profile, dict) else None
        user = self.session.get(User, self.user_id)
        if not text or user is None or user.coaching_profile or self.dry_run:
            return
        user.coaching_profile = str(text)
        self.session.add(user)
        self.result.add("coaching_profile")


def _extras(
    record: dict[str, Any], session: Session, user_id: int
) -> activities_service.ActivityExtras:
    parent = record.get("parent")
    stream = record.get("stream")
    workout = record.get("workout_external_id")
    return activities_service.ActivityExtras(
        key=(str(record["source"]), str(record["external_id"])),
        stream=StreamData.model_validate(stream) if stream else None,
        stream_resolution_s=record.get("stream_resolution_s"),
        laps=[LapIn.model_validate(lap) for lap in record.get("laps") or []],
        parent_key=(str(parent["source"]), str(parent["external_id"])) if parent else None,
        workout_id=workouts_service.workout_id_for(
            session=session, user_id=user_id, external_id=str(workout)
        )
        if workout
        else None,
    )


def _workout_external_id(record: dict[str, Any]) -> str:
    """The workout's own external id, or a stable one derived from what identifies it."""
    if record.get("external_id"):
        return str(record["external_id"])
    key = f"{record.get('date')}|{record.get('workout_name')}|{record.get('created_at')}"
    return "cadence:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def _time(value: Any) -> datetime | None:
    return as_utc(datetime.fromisoformat(value)) if isinstance(value, str) and value else None
