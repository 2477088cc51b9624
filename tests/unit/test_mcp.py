"""The coach's tools over MCP, driven by the ``mcp`` package's own client: stdio
(``python -m cadence mcp --email``, a real subprocess) and streamable HTTP (``/api/v1/mcp``)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

import cadence
from cadence import db
from cadence.api.app import create_api
from cadence.models.common import utcnow
from cadence.models.health import DailyMetricIn
from cadence.models.user import User
from cadence.services import metrics
from cadence.services.chat.tools import TOOLS, execute_tool

ROOT = Path(__file__).resolve().parents[2]
SLEEP_SECONDS = 27_000  # 7.5 h, every night


@pytest.fixture
def seeded(client, account):
    """An account with a week of sleep and one logged workout."""
    today = utcnow().date()
    with db.session_scope() as session:
        metrics.upsert_daily_metrics(
            session=session,
            user_id=account.user["id"],
            days=[
                DailyMetricIn(
                    date=today - dt.timedelta(days=n), source="garmin", sleep_seconds=SLEEP_SECONDS
                )
                for n in range(7)
            ],
        )
    workout = {
        "date": (today - dt.timedelta(days=1)).isoformat(),
        "workout_name": "Upper A",
        "exercises": [{"name": "Bench Press", "sets": 3, "reps": "5", "weight_kg": 82.5}],
    }
    assert client.post("/api/v1/workouts", json=workout, headers=account.headers).is_success
    return account


def run_with_timeout(main, seconds: float) -> None:
    async def bounded() -> None:
        with anyio.fail_after(seconds):
            await main()

    anyio.run(bounded)


def text_of(result) -> str:
    return "\n".join(block.text for block in result.content)


async def exercise_session(session: ClientSession, user_id: int) -> None:
    """List the tools and call three of them; check results against the data and the registry."""
    started = await session.initialize()
    assert started.server_info.name == "cadence"
    assert started.server_info.version == cadence.__version__ != ""
    listed = await session.list_tools()
    assert [tool.name for tool in listed.tools] == TOOLS.names
    writes = {t.name for t in listed.tools if not t.annotations.read_only_hint}
    assert writes == {"log_workout", "update_coaching_profile", "update_workout", "delete_workout"}
    hints = {
        t.name: (t.annotations.destructive_hint, t.annotations.idempotent_hint)
        for t in listed.tools
        if t.name in writes
    }
    assert hints == {
        "log_workout": (False, True),
        "update_coaching_profile": (True, False),
        "update_workout": (True, True),
        "delete_workout": (True, True),
    }
    undescribed = [
        f"{t.name}.{arg}"
        for t in listed.tools
        for arg, schema in t.input_schema.get("properties", {}).items()
        if not schema.get("description")
    ]
    assert not undescribed
    sleep_tool = next(t for t in listed.tools if t.name == "get_sleep_history")
    assert sleep_tool.input_schema == TOOLS.get("get_sleep_history").parameters_schema
    assert sleep_tool.description == TOOLS.get("get_sleep_history").description

    sleep = await session.call_tool("get_sleep_history", {"days": 7})
    assert not sleep.is_error, text_of(sleep)
    assert sleep.structured_content["nights"] == 7
    assert sleep.structured_content["avg_hours"] == 7.5
    assert "7.5 h" in text_of(sleep)
    direct = execute_tool(
        user_id=user_id, today=utcnow().date(), name="get_sleep_history", arguments={"days": 7}
    )
    assert text_of(sleep) == direct.summary  # one definition, two consumers

    workouts = await session.call_tool("list_workouts", {"limit": 5})
    assert not workouts.is_error
    assert workouts.structured_content["total"] == 1
    assert workouts.structured_content["latest"]["name"] == "Upper A"
    assert "Bench Press" in text_of(workouts)

    logged = await session.call_tool(
        "log_workout",
        {"exercises": [{"name": "Squat", "sets": 5, "reps": "5", "weight_kg": 100}]},
    )
    assert not logged.is_error, text_of(logged)
    assert (await session.call_tool("list_workouts", {})).structured_content["total"] == 2
    again = await session.call_tool(
        "log_workout",
        {"exercises": [{"name": "squat", "sets": 5, "reps": "5", "weight_kg": 100}]},
    )
    assert again.structured_content["repeated"] is True  # idempotentHint holds
    assert again.structured_content["workout_id"] == logged.structured_content["workout_id"]
    assert (await session.call_tool("list_workouts", {})).structured_content["total"] == 2

    bad = await session.call_tool("list_workouts", {"limit": 500})
    assert bad.is_error and "limit" in text_of(bad)
    unknown = await session.call_tool("no_such_tool", {})
    assert unknown.is_error


def server_environment() -> dict[str, str]:
    keep = ("CADENCE_DATABASE_URL", "CADENCE_SECRET_KEY", "CADENCE_DATA_DIR", "PATH", "HOME")
    return {name: os.environ[name] for name in keep if name in os.environ}


def test_stdio_session_lists_and_calls_tools(seeded, client):
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "cadence", "mcp", "--email", seeded.email],
        env=server_environment(),
        cwd=str(ROOT),
    )

    async def main() -> None:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await exercise_session(session, seeded.user["id"])
            with db.session_scope() as s:  # disabling the account stops the open session
                user = s.get(User, seeded.user["id"])
                user.is_active = False
                s.add(user)
            stopped = await session.call_tool("list_workouts", {})
            assert stopped.is_error and "disabled" in text_of(stopped)

    run_with_timeout(main, 120)


def test_stdio_refuses_an_unknown_email():
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "cadence", "mcp", "--email", "nobody@example.com"],
        env=server_environment(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1
    assert "No active account" in done.stderr


def test_http_session_with_bearer_token(seeded):
    app = create_api()

    async def main() -> None:
        transport = httpx2.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {seeded.token}"}
        async with (
            httpx2.AsyncClient(
                transport=transport, headers=headers, base_url="http://test"
            ) as http,
            streamable_http_client("http://test/api/v1/mcp", http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await exercise_session(session, seeded.user["id"])

    run_with_timeout(main, 60)


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-jwt", "Basic abc"])
def test_http_requires_a_valid_token(client, authorization):
    headers = {"Accept": "application/json, text/event-stream"}
    if authorization:
        headers["Authorization"] = authorization
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    response = client.post("/api/v1/mcp", json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "detail" in response.json()


def test_http_refuses_a_disabled_accounts_token(client, account):
    with db.session_scope() as session:
        user = session.get(User, account.user["id"])
        user.is_active = False
        user.token_version += 1  # what the admin's disable does
        session.add(user)
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {**account.headers, "Accept": "application/json, text/event-stream"}
    response = client.post("/api/v1/mcp", json=body, headers=headers)
    assert response.status_code == 401
