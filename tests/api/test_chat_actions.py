"""The coach's writes are confirmed by the user: the LLM agent (against the fake provider) and
the offline coach propose them in ``tool_end``'s ``pending``; nothing is written until
``POST /conversations/{id}/actions/{action_id}/confirm``, which runs it once; cancel discards
it; another user's action is 404, a used or expired one 409. Proposals are made through one
API app (``live_api``) and confirmed through another (``client``): they live in the database."""
# ruff: noqa: F811  (pytest fixtures imported from tests.fakes.chat_fixtures)

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta

import httpx
from sqlalchemy import update

from cadence.db import session_scope
from cadence.models.chat import ChatAction
from cadence.models.common import utcnow
from cadence.services import preferences
from tests.api.test_chat_api import PAYLOAD_KEYS, _stream
from tests.fakes.chat_fixtures import fake_llm, live_api  # noqa: F401
from tests.fakes.openai_server import Text, ToolCalls

BENCH = {"exercises": [{"name": "Bench Press", "sets": 3, "reps": "8", "weight_kg": 80}]}
PENDING_KEYS = {
    "add_to",
    "id",
    "tool",
    "summary",
    "status",
    "result",
    "href",
    "expires_at",
    "confirm_url",
    "cancel_url",
}


def _tool_end(events: list[tuple[str, dict]]) -> dict:
    (end,) = [payload for name, payload in events if name == "tool_end"]
    return end


def _proposed(events: list[tuple[str, dict]]) -> dict:
    """The one proposal of a turn, checked against the documented ``tool_end`` shape."""
    end = _tool_end(events)
    assert set(end) == PAYLOAD_KEYS["tool_end"] | {"pending"}
    assert set(end["pending"]) == PENDING_KEYS
    assert end["pending"]["status"] == "pending"
    return end["pending"]


def _workouts(client, account) -> list[dict]:
    return client.get("/api/v1/workouts", headers=account.headers).json()["workouts"]


def _messages(client, account, conversation_id: int) -> list[dict]:
    response = client.get(
        f"/api/v1/conversations/{conversation_id}/messages", headers=account.headers
    )
    return response.json()["messages"]


def _ask_model(live_api, account, fake_llm, conversation_id: int | None = None):
    fake_llm.queue(ToolCalls([("log_workout", json.dumps(BENCH))]), Text("Confirm to save it."))
    return _stream(
        live_api,
        account.token,
        {
            "message": "Log bench press 3x8 at 80 kg",
            "conversation_id": conversation_id,
            "model_id": "fake/model",
        },
    )


def test_the_model_proposes_and_the_user_confirms_once(
    live_api, fake_llm, client, account, make_account
) -> None:
    response, events = _ask_model(live_api, account, fake_llm)
    conversation_id = int(response.headers["x-conversation-id"])
    proposal = _proposed(events)
    assert proposal["tool"] == "log_workout"
    assert (
        proposal["summary"].startswith("Log ") and "Bench Press 3x8 @ 80 kg" in proposal["summary"]
    )
    assert proposal["confirm_url"] == (
        f"/api/v1/conversations/{conversation_id}/actions/{proposal['id']}/confirm"
    )
    expires = datetime.fromisoformat(proposal["expires_at"])
    assert abs(expires - (utcnow() + timedelta(hours=1))) < timedelta(minutes=1)  # for an hour
    tool_reply = fake_llm.requests[-1]["messages"][-1]
    assert tool_reply["role"] == "tool" and tool_reply["content"].startswith("Not done yet")
    assert _workouts(client, account) == []  # nothing is written before the user's yes

    answer = _messages(client, account, conversation_id)[-1]
    assert answer["actions"] == [proposal]  # the card is found again after a reload

    other = make_account()
    for verb in ("confirm", "cancel"):
        theirs = client.post(proposal[f"{verb}_url"], headers=other.headers)
        assert theirs.status_code == 404, theirs.text

    done = client.post(proposal["confirm_url"], headers=account.headers)
    assert done.status_code == 200, done.text
    (saved,) = _workouts(client, account)
    assert done.json()["status"] == "confirmed"
    assert done.json()["href"] == f"/workouts/view?id={saved['id']}"
    assert [(e["name"], e["sets"], e["reps"], e["weight_kg"]) for e in saved["exercises"]] == [
        ("Bench Press", 3, "8", 80.0)
    ]
    told = _messages(client, account, conversation_id)[-1]
    assert told["role"] == "assistant"
    assert told["content"] == (
        f"Done: {proposal['summary']}. [Open the workout](/workouts/view?id={saved['id']})"
    )
    assert _messages(client, account, conversation_id)[-2]["actions"][0]["status"] == "confirmed"

    for verb in ("confirm", "cancel"):
        used = client.post(proposal[f"{verb}_url"], headers=account.headers)
        assert used.status_code == 409 and "already confirmed" in used.json()["detail"]

    _, again = _ask_model(live_api, account, fake_llm, conversation_id)  # the same message again
    repeat = _tool_end(again)
    assert "pending" not in repeat
    assert repeat["summary"].startswith(
        f"Already saved (not saved twice) as workout #{saved['id']}"
    )
    assert len(_workouts(client, account)) == 1


def _offline_proposal(client, account) -> tuple[int, dict]:
    """Ask the offline coach to log the bench press in a new conversation: its id and proposal."""
    conversation_id, end = _offline_proposal_or_answer(client, account)
    assert set(end) == PAYLOAD_KEYS["tool_end"] | {"pending"}
    assert set(end["pending"]) == PENDING_KEYS and end["pending"]["status"] == "pending"
    return conversation_id, end["pending"]


def _offline_proposal_or_answer(client, account) -> tuple[int, dict]:
    """The same, with the ``tool_end`` as it came (no ``pending`` when nothing is proposed)."""
    with client.stream(
        "POST",
        "/api/v1/chat",
        json={"message": "Log bench press 3x8 at 80 kg", "model_id": "cadence/offline"},
        headers=account.headers,
    ) as response:
        conversation_id = int(response.headers["x-conversation-id"])
        body = "".join(response.iter_text())
    frames = [frame.split("\n", 1) for frame in body.strip().split("\n\n")]
    events = [(head.removeprefix("event: "), json.loads(data[6:])) for head, data in frames]
    return conversation_id, _tool_end(events)


def test_the_offline_coach_proposes_the_same_card_and_cancel_writes_nothing(
    client, account
) -> None:
    conversation_id, proposal = _offline_proposal(client, account)
    assert proposal["tool"] == "log_workout" and "Bench Press 3x8 @ 80 kg" in proposal["summary"]

    twins = [_offline_proposal(client, account) for _ in range(2)]  # two other conversations
    assert twins[0][1]["id"] != twins[1][1]["id"]
    hrefs = []
    for _, twin in twins:
        confirmed = client.post(twin["confirm_url"], headers=account.headers)
        assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
        hrefs.append(confirmed.json()["href"])
    (saved,) = _workouts(client, account)  # the same workout, saved once
    assert hrefs == [f"/workouts/view?id={saved['id']}"] * 2
    client.delete(f"/api/v1/workouts/{saved['id']}", headers=account.headers)

    cancelled = client.post(proposal["cancel_url"], headers=account.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert _workouts(client, account) == []
    messages = _messages(client, account, conversation_id)
    assert messages[-1]["content"] == f"Cancelled: {proposal['summary']}. Nothing changed."
    assert messages[-2]["actions"][0]["status"] == "cancelled"
    late = client.post(proposal["confirm_url"], headers=account.headers)
    assert late.status_code == 409 and "already cancelled" in late.json()["detail"]
    assert _workouts(client, account) == []


def test_an_expired_proposal_is_409_and_shown_expired(live_api, fake_llm, client, account) -> None:
    response, events = _ask_model(live_api, account, fake_llm)
    conversation_id = int(response.headers["x-conversation-id"])
    proposal = _proposed(events)
    with session_scope() as session:
        session.exec(
            update(ChatAction)
            .where(ChatAction.id == proposal["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    late = client.post(proposal["confirm_url"], headers=account.headers)
    assert late.status_code == 409 and "expired" in late.json()["detail"]
    assert _messages(client, account, conversation_id)[-1]["actions"][0]["status"] == "expired"
    assert _workouts(client, account) == []


def test_two_confirms_at_once_run_it_once(live_api, fake_llm, client, account) -> None:
    _, events = _ask_model(live_api, account, fake_llm)
    url = live_api + _proposed(events)["confirm_url"]
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def confirm() -> None:
        barrier.wait()
        statuses.append(httpx.post(url, headers=account.headers, timeout=20).status_code)

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409, 409, 409]
    assert len(_workouts(client, account)) == 1


def test_update_and_delete_wait_for_the_user_even_when_the_model_says_confirmed(
    live_api, fake_llm, client, account, make_account
) -> None:
    made = client.post(
        "/api/v1/workouts",
        json={"date": "2026-11-20", "workout_name": "Push", **BENCH},
        headers=account.headers,
    ).json()
    fake_llm.queue(
        ToolCalls([("delete_workout", json.dumps({"workout_id": made["id"], "confirmed": True}))]),
        Text("Confirm to delete it."),
    )
    response, events = _stream(
        live_api,
        account.token,
        {"message": "delete my push workout", "model_id": "fake/model"},
    )
    proposal = _proposed(events)
    assert proposal["summary"] == "Delete '2026-11-20 Push: Bench Press 3x8 @ 80 kg'"
    assert [w["id"] for w in _workouts(client, account)] == [made["id"]]  # still there

    other = make_account()
    fake_llm.queue(
        ToolCalls([("update_workout", json.dumps({"workout_id": made["id"], **BENCH}))]),
        Text("Hm."),
    )
    _, theirs = _stream(
        live_api, other.token, {"message": "change workout", "model_id": "fake/model"}
    )
    refused = _tool_end(theirs)
    assert refused["ok"] is False and "pending" not in refused  # not theirs: nothing to propose

    done = client.post(proposal["confirm_url"], headers=account.headers)
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    assert done.json()["href"] is None  # nothing left to link to
    assert _workouts(client, account) == []
    conversation_id = int(response.headers["x-conversation-id"])
    assert _messages(client, account, conversation_id)[-1]["content"] == (
        f"Done: {proposal['summary']}."
    )


def test_bad_action_ids(client, account) -> None:
    conversation = client.post(
        "/api/v1/chat", json={"message": "hello"}, headers=account.headers
    ).headers["x-conversation-id"]
    base = f"/api/v1/conversations/{conversation}/actions"
    assert client.post(f"{base}/not-hex/confirm", headers=account.headers).status_code == 422
    missing = client.post(f"{base}/{'0' * 32}/confirm", headers=account.headers)
    assert missing.status_code == 404 and missing.json()["detail"] == "Action not found."
    assert client.post(f"{base}/{'0' * 32}/cancel").status_code == 401


def test_a_workout_can_go_into_todays_workout_once(client, account) -> None:
    with session_scope() as session:
        today = preferences.user_day(session=session, user_id=account.user["id"]).today()
    squat = {"name": "Squat", "sets": 5, "reps": "5", "weight_kg": 100.0}
    made = client.post(
        "/api/v1/workouts",
        json={"date": today.isoformat(), "workout_name": "Legs", "exercises": [squat]},
        headers=account.headers,
    ).json()
    conversation_id, proposal = _offline_proposal(client, account)
    assert proposal["add_to"] == f"Add them to '{today.isoformat()} Legs: Squat 5x5 @ 100 kg'"

    done = client.post(
        proposal["confirm_url"], json={"add_to_workout": True}, headers=account.headers
    )
    assert done.status_code == 200, done.text
    assert done.json()["href"] == f"/workouts/view?id={made['id']}"
    (legs,) = _workouts(client, account)
    assert [(e["name"], e["sets"], e["weight_kg"]) for e in legs["exercises"]] == [
        ("Squat", 5, 100.0),
        ("Bench Press", 3, 80.0),
    ]
    told = _messages(client, account, conversation_id)[-1]["content"]
    assert told.startswith(f"Done: Updated workout #{made['id']}: ")

    _, again = _offline_proposal_or_answer(client, account)  # the same message again
    assert "pending" not in again
    assert again["summary"].startswith(f"Already added to workout #{made['id']}")
    assert len(_workouts(client, account)[0]["exercises"]) == 2  # not added twice


def test_adding_needs_a_workout_to_add_to(client, account) -> None:
    _, proposal = _offline_proposal(client, account)
    assert proposal["add_to"] is None
    refused = client.post(
        proposal["confirm_url"], json={"add_to_workout": True}, headers=account.headers
    )
    assert refused.status_code == 422 and "no workout of that day" in refused.text
    assert client.post(proposal["confirm_url"], headers=account.headers).status_code == 200
    assert len(_workouts(client, account)) == 1
