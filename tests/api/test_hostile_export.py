"""A hostile Cadence export (docs/security.md, "Uploads and imports"): every bad record is
refused and reported by number with its reason, the good ones are kept, and afterwards every
read endpoint still answers 200, as it does for a value stored by other means."""

from __future__ import annotations

import io
import json
import zipfile

from cadence import db
from cadence.models.chat import ChatMessage, Conversation
from tests.api.test_export_api import export, load, populate, upload

HOSTILE_CONVERSATIONS = [
    {  # the finding: tool_calls not a list
        "title": "Bad tools",
        "created_at": "2026-11-20T08:00:00Z",
        "messages": [{"role": "assistant", "content": "hi", "tool_calls": {"not": "a list"}}],
    },
    {
        "title": "Bad charts",
        "created_at": "2026-11-20T08:00:00Z",
        "messages": [{"role": "user", "charts": "x"}],
    },
    {"title": "Bad role", "created_at": "2026-11-20T08:00:00Z", "messages": [{"role": "system"}]},
    {"title": "NUL\x00", "created_at": "2026-11-20T08:00:00Z"},
    {"title": "t" * 500, "created_at": "2026-11-20T08:00:00Z"},
    {"title": "No time"},
    "not an object",
]


def hostile_zip(files: dict) -> bytes:
    workouts = files["workouts.json"]
    workouts += [
        {**workouts[0], "external_id": "w-bad-1", "exercises": "not a list"},
        {**workouts[0], "external_id": "w-bad-2", "created_at": "not a time"},
        {**workouts[0], "external_id": "w-bad-3", "source": ["x"]},
        42,
    ]
    files["daily_metrics.json"] += [{"date": "2026-01-01", "source": "garmin", "steps": "many"}]
    activity = files["activities.json"][0]
    files["activities.json"] += [
        {**activity, "external_id": "bad-stream", "stream": {"t": "nope"}},
        {**activity, "external_id": "bad-laps", "laps": "nope"},
        {**activity, "external_id": "bad-hist", "hr_histogram": "nope"},
        [],
    ]
    files["conversations.json"] += HOSTILE_CONVERSATIONS
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cadence-export.json", json.dumps(files.pop("cadence-export.json")))
        for name, data in files.items():
            archive.writestr(name, json.dumps(data))
    return buffer.getvalue()


def read_everything(client, account, *, import_id: int) -> dict[str, int]:
    """GET every read endpoint of the API (each id taken from its listing); path -> status.
    Fails when a GET route is added that this walk does not know how to reach."""
    headers = account.headers
    workout_id = client.get("/api/v1/workouts", headers=headers).json()["workouts"][0]["id"]
    routine = client.post(
        "/api/v1/routines/from-workout", json={"workout_id": workout_id}, headers=headers
    )
    assert routine.status_code == 201, routine.text
    first = {
        "workout_id": workout_id,
        "routine_id": routine.json()["id"],
        "activity_id": client.get("/api/v1/activities", headers=headers).json()["activities"][0][
            "id"
        ],
        "import_id": import_id,
        "provider": "whoop",
        "name": "Bench Press",
    }
    conversations = client.get("/api/v1/conversations", headers=headers).json()["conversations"]
    statuses: dict[str, int] = {}
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (path for path, operations in paths.items() if "get" in operations):
        if path.startswith("/api/v1/admin") or path.endswith(("/callback", "{path:path}")):
            continue  # admin-only / the OAuth redirect / the JSON 404 for unknown paths
        ids = [conversation["id"] for conversation in conversations]
        for value in ids if "{conversation_id}" in path else [None]:
            url = path.replace("{conversation_id}", str(value))
            for name, given in first.items():
                url = url.replace("{" + name + "}", str(given))
            assert "{" not in url, f"read_everything does not know how to fill {path}"
            statuses[url] = client.get(url, headers=headers).status_code
    return statuses


def test_a_hostile_export_is_refused_record_by_record_and_every_read_answers(
    client, make_account
) -> None:
    owner = make_account()
    populate(client, owner)
    source = export(client, owner)
    files = {name: load(source, name) for name in source.namelist() if name.endswith(".json")}
    fresh = make_account(email="restored@example.com")
    bad_metric = len(files["daily_metrics.json"]) + 1  # the hostile record's number (1-based)
    job = upload(client, fresh, "hostile.zip", hostile_zip(files))
    assert job["status"] == "partial", job
    errors = "\n".join(job["errors"])
    for where in (
        "workout #3: exercises",
        "workout #4:",
        "workout #5: source",
        "workout #6:",
        f"metric #{bad_metric}: steps",
        "activity #4: hr_histogram",
        "activity #5: record: Input should be a valid dictionary",
        "activity detail #2: stream.t: Input should be a valid list",
        "activity detail #3: laps: Input should be a valid list",
        "activity detail #5: record: Input should be a valid dictionary",
        "conversation #3: messages.0.tool_calls: Input should be a valid list",
        "conversation #4: messages.0.charts",
        "conversation #5: messages.0.role",
        "conversation #6: title",
        "conversation #7: title: String should have at most 120 characters",
        "conversation #8: created_at",
        "conversation #9:",
    ):
        assert where in errors, (where, errors)
    assert job["counts"]["workouts"] == 2 and job["counts"]["conversations"] == 2, job["counts"]
    statuses = read_everything(client, fresh, import_id=job["import_id"])
    assert {url: code for url, code in statuses.items() if code != 200} == {}
    assert len(statuses) >= 15


def test_a_stored_tool_calls_that_is_not_a_list_still_reads(client, account) -> None:
    with db.session_scope() as session:
        conversation = Conversation(user_id=account.user["id"], title="Written by hand")
        session.add(conversation)
        session.flush()
        for tool_calls, charts in (({"not": "a list"}, "text"), ([1, {"id": "a"}], [None])):
            session.add(
                ChatMessage(
                    conversation_id=conversation.id,
                    role="assistant",
                    content="x",
                    tool_calls=tool_calls,
                    charts=charts,
                )
            )
        conversation_id = conversation.id
    response = client.get(
        f"/api/v1/conversations/{conversation_id}/messages", headers=account.headers
    )
    assert response.status_code == 200, response.text
    first, second = response.json()["messages"]
    assert (first["tool_calls"], first["charts"]) == (None, None)
    assert (second["tool_calls"], second["charts"]) == ([{"id": "a"}], [])
