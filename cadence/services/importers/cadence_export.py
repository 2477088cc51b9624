"""Cadence's own export zip (``GET /api/v1/export``), imported back into any account.

Restores workouts (with their exercise rows and timestamps), daily metrics (per source), activities
(with heart-rate histograms), conversations (every message, tool call and chart) and, when the
account has none yet, the coaching profile. Idempotent like every importer: workouts keep (or get)
an external id, metrics and activities are upserted on their natural keys, a conversation with the
same title and start time is not added twice. Device connections and secrets are never imported.

The archive is opened through ``archive`` (sizes capped before and while reading) and each JSON
file is read record by record with ``ijson``, so memory holds one batch of records whatever the
export's size. Every record is validated with the models the API uses (``WorkoutCreate``,
``DailyMetricIn``, ``ActivityIn``, ``StreamData``, ``LapIn``, ``ConversationIn``,
``CoachingProfile``); a bad one is reported as ``"<file> <kind> #N: <field>: <reason>"`` and
skipped, the others are kept.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO

import ijson
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlmodel import Session, col, select

from cadence.models.activity import LapIn, StreamData
from cadence.models.chat import ChatMessage, Conversation, ConversationIn
from cadence.models.common import as_utc
from cadence.models.health import ActivityIn, DailyMetricIn
from cadence.models.user import CoachingProfile, User
from cadence.models.workout import MAX_SOURCE_LENGTH, Workout, WorkoutCreate
from cadence.services import activities as activities_service
from cadence.services import workouts as workouts_service
from cadence.services.export import FORMAT, MANIFEST_NAME, MESSAGE_FIELDS, VERSION
from cadence.services.importers.archive import (
    READ_CHUNK_BYTES,
    ArchiveRefused,
    open_archive,
    open_member,
)
from cadence.services.importers.base import ImportResult
from cadence.services.importers.common import store_activities, store_daily_metrics

_ZIP_MAGIC = b"PK\x03\x04"
_NAME_OFFSET = 30  # a zip local file header's fixed part; the member's name follows it
MAX_RECORD_BYTES = 16 * 1024**2
"""The largest single record (a workout, an activity with its stream, a conversation)."""
MAX_SMALL_FILE_BYTES = 1024**2
"""The manifest and profile.json."""
BATCH = 500


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
        """Read the export file by file, record by record (``ijson``), storing ``BATCH``
        records at a time: memory holds one batch, whatever the export's size."""
        result = ImportResult()
        try:
            with open_archive(stream, label=filename) as archive:
                manifest = _small_json(archive, MANIFEST_NAME, label=filename)
                if not isinstance(manifest, dict) or (
                    manifest.get("format"),
                    manifest.get("version"),
                ) != (FORMAT, VERSION):
                    result.errors.append(
                        f"{filename}: not a Cadence export of version {VERSION}; skipped."
                    )
                    return result
                listed = manifest.get("files")
                present = {
                    name
                    for name in archive.namelist()
                    if isinstance(listed, dict) and name in listed and "/" not in name
                }
                restore = _Restore(session, user_id, filename, result, dry_run, archive, present)
                restore.everything()
        except (ArchiveRefused, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            result.errors.append(f"{filename}: unreadable Cadence export ({exc}).")
        return result


class _Restore:
    def __init__(
        self,
        session: Session,
        user_id: int,
        filename: str,
        result: ImportResult,
        dry_run: bool,
        archive: zipfile.ZipFile,
        present: set[str],
    ) -> None:
        self.session = session
        self.user_id = user_id
        self.filename = filename
        self.result = result
        self.dry_run = dry_run
        self.archive = archive
        self.present = present

    def everything(self) -> None:
        for batch in self.batches("workouts.json"):
            self.workouts(batch)
        for batch in self.batches("daily_metrics.json"):
            store_daily_metrics(
                session=self.session,
                user_id=self.user_id,
                days=self.parse(DailyMetricIn, batch, "metric"),
                result=self.result,
                dry_run=self.dry_run,
            )
        for batch in self.batches("activities.json"):
            store_activities(
                session=self.session,
                user_id=self.user_id,
                items=self.parse(ActivityIn, batch, "activity"),
                result=self.result,
                dry_run=self.dry_run,
            )
        for batch in self.batches("activities.json"):  # again: a leg's parent is stored now
            self.activity_extras(batch)
        for batch in self.batches("conversations.json"):
            self.conversations(batch)
        if "profile.json" in self.present:
            self.coaching_profile(_small_json(self.archive, "profile.json", label=self.filename))

    def batches(self, name: str) -> Iterator[list[tuple[int, Any]]]:
        """The records of one JSON array member, ``BATCH`` at a time, with their index; a
        file that is not valid JSON is reported and its remaining records skipped."""
        if name not in self.present:
            return
        label = f"{self.filename}/{name}"
        with open_member(self.archive, self.archive.getinfo(name), label=label) as raw:
            reader = _RecordReader(raw, label=label)
            records = enumerate(ijson.items(reader, "item", use_float=True))
            try:
                while batch := list(itertools.islice(_marked(records, reader), BATCH)):
                    yield batch
            except ijson.JSONError as exc:
                self.result.errors.append(f"{label}: not valid JSON ({exc}); the rest skipped.")

    def error(self, what: str, index: int, exc: Exception) -> None:
        self.result.errors.append(f"{self.filename} {what} #{index + 1}: {_reason(exc)}")

    def parse(self, model, records: list[tuple[int, Any]], what: str) -> list:
        parsed = []
        for index, record in records:
            try:
                parsed.append(model.model_validate(record))
            except ValidationError as exc:
                self.error(what, index, exc)
        return parsed

    def activity_extras(self, records: list[tuple[int, Any]]) -> None:
        """Each restored activity's parent (multisport), stream, laps and workout link."""
        if self.dry_run:
            return
        extras = []
        for index, record in records:
            try:
                extras.append(_extras(record, self.session, self.user_id))
            except ValidationError as exc:
                self.error("activity detail", index, exc)
        activities_service.attach_extras(session=self.session, user_id=self.user_id, extras=extras)

    def workouts(self, records: list[tuple[int, Any]]) -> None:
        valid: list[tuple[str, WorkoutCreate, str, tuple[datetime | None, datetime | None]]] = []
        for index, record in records:
            try:
                if not isinstance(record, dict):
                    raise TypeError("a workout must be an object")
                data = WorkoutCreate.model_validate(
                    {k: record[k] for k in ("date", "workout_name", "notes", "exercises")}
                    | {"duration_minutes": record.get("duration_minutes")}
                )
                times = (_time(record.get("created_at")), _time(record.get("updated_at")))
                source = record.get("source") or "manual"
                if not isinstance(source, str) or len(source) > MAX_SOURCE_LENGTH:
                    raise TypeError(f"source: text of at most {MAX_SOURCE_LENGTH} characters")
            except (ValidationError, KeyError, TypeError, ValueError) as exc:
                self.error("workout", index, exc)
                continue
            valid.append((source, data, _workout_external_id(record), times))
        existing = workouts_service.external_ids(
            session=self.session, user_id=self.user_id, candidates=[v[2] for v in valid]
        )
        for source, data, external_id, (created_at, updated_at) in valid:
            if external_id in existing:
                self.result.add("duplicates")
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
                source=source,
                external_id=external_id,
            )
            row = self.session.get(Workout, created.id)
            row.created_at = created_at or row.created_at
            row.updated_at = updated_at or row.updated_at
            self.session.add(row)

    def conversations(self, records: list[tuple[int, Any]]) -> None:
        valid: list[ConversationIn] = self.parse(ConversationIn, records, "conversation")
        seen = {
            (title, as_utc(created))
            for title, created in self.session.exec(
                select(Conversation.title, Conversation.created_at).where(
                    Conversation.user_id == self.user_id,
                    col(Conversation.title).in_([c.title for c in valid]),
                )
            ).all()
        }
        for item in valid:
            key = (item.title, as_utc(item.created_at))
            if key in seen:
                self.result.add("duplicates")
                continue
            seen.add(key)
            self.result.add("conversations")
            self.result.add("chat_messages", len(item.messages))
            if self.dry_run:
                continue
            conversation = Conversation(
                user_id=self.user_id,
                title=item.title,
                created_at=key[1],
                updated_at=as_utc(item.updated_at) if item.updated_at else key[1],
            )
            self.session.add(conversation)
            self.session.flush()
            for message in item.messages:
                fields = message.model_dump(include=set(MESSAGE_FIELDS))
                fields["created_at"] = as_utc(message.created_at) if message.created_at else key[1]
                self.session.add(ChatMessage(conversation_id=conversation.id, **fields))
        self.session.flush()

    def coaching_profile(self, profile: Any) -> None:
        text = profile.get("coaching_profile") if isinstance(profile, dict) else None
        user = self.session.get(User, self.user_id)
        if not text or user is None or user.coaching_profile or self.dry_run:
            return
        try:
            user.coaching_profile = CoachingProfile(coaching_profile=str(text)).coaching_profile
        except ValidationError as exc:
            self.result.errors.append(f"{self.filename} profile: {_reason(exc)}")
            return
        self.session.add(user)
        self.result.add("coaching_profile")


class _RecordReader:
    """The bytes of a JSON member for ``ijson``, refusing a single record larger than
    ``MAX_RECORD_BYTES`` (``mark`` is called after each record)."""

    def __init__(self, raw: BinaryIO, *, label: str) -> None:
        self._raw = raw
        self._label = label
        self._read = 0
        self._mark = 0

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing to learn whether the stream gives bytes
            return b""
        data = self._raw.read(size if 0 < size <= READ_CHUNK_BYTES else READ_CHUNK_BYTES)
        self._read += len(data)
        if self._read - self._mark > MAX_RECORD_BYTES + READ_CHUNK_BYTES:
            raise ArchiveRefused(
                f"{self._label}: a record is larger than {MAX_RECORD_BYTES // 1024**2} MiB"
            )
        return data

    def mark(self) -> None:
        self._mark = self._read


def _marked(records: Iterator[tuple[int, Any]], reader: _RecordReader):
    for record in records:
        reader.mark()
        yield record


def _small_json(archive: zipfile.ZipFile, name: str, *, label: str) -> Any:
    """A small member (the manifest, the profile), read whole up to ``MAX_SMALL_FILE_BYTES``."""
    with open_member(archive, archive.getinfo(name), label=f"{label}/{name}") as raw:
        data = raw.read(MAX_SMALL_FILE_BYTES + 1)
    if len(data) > MAX_SMALL_FILE_BYTES:
        raise ArchiveRefused(f"{name} is larger than {MAX_SMALL_FILE_BYTES // 1024**2} MiB")
    return json.loads(data)


def _reason(exc: Exception) -> str:
    """A validation error in a few words: the first problem's field and message."""
    if isinstance(exc, ValidationError):
        problems = exc.errors(include_url=False, include_input=False)
        first = problems[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return f"{where}: {first['msg']}{more}"
    return str(exc)


class _KeyIn(BaseModel):
    source: str
    external_id: str


class _DetailIn(BaseModel):
    """What ``activities.json`` carries per activity beside its totals."""

    model_config = ConfigDict(extra="ignore")

    source: str
    external_id: str
    parent: _KeyIn | None = None
    stream: StreamData | None = None
    stream_resolution_s: float | None = None
    laps: list[LapIn] | None = None
    workout_external_id: str | None = None


def _extras(record: Any, session: Session, user_id: int) -> activities_service.ActivityExtras:
    detail = _DetailIn.model_validate(record)
    parent = detail.parent
    return activities_service.ActivityExtras(
        key=(detail.source, detail.external_id),
        stream=detail.stream or None,
        stream_resolution_s=detail.stream_resolution_s,
        laps=detail.laps or [],
        parent_key=(parent.source, parent.external_id) if parent else None,
        workout_id=workouts_service.workout_id_for(
            session=session, user_id=user_id, external_id=detail.workout_external_id
        )
        if detail.workout_external_id
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
