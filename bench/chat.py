"""Benchmark: what the chat server adds on top of the model provider's own stream.

Against the fake OpenAI-compatible provider (tests/fakes/openai_server.py) with zero delay:

- baseline: the provider's stream consumed directly (httpx, SSE lines) — time to the first
  content chunk and time per content chunk;
- Cadence: ``POST /api/v1/chat`` through the real API (auth, user message stored first, agent,
  openai client, SSE framing, answer stored) — time to the first ``token`` event and per token.

Both are measured in the same run, interleaved, and printed with their ratio. The fake provider
and the API (uvicorn, ``create_api``) run as separate processes, as in production, so the client
does not share a GIL with them. Then memory: the API process's RSS after 10 chat turns and after
1 000.

    .venv/bin/python bench/chat.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKENS = 200
REPEATS = 30
MEMORY_TURNS = (10, 1_000)
API_KEY = "sk-test-fake-1234"  # the key the fake provider accepts


def _environment(tmp: Path, base_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "CADENCE_DATA_DIR": str(tmp / "data"),
        "CADENCE_SECRET_KEY": "bench-secret-" + "x" * 40,
        "CADENCE_BCRYPT_ROUNDS": "4",
        "CADENCE_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "CADENCE_LLM_BASE_URL": base_url,
        "CADENCE_LLM_API_KEY": API_KEY,
        "CADENCE_LLM_MAX_RETRIES": "0",
        "CADENCE_LLM_MODELS": "fake/model",
    }


def _seed(env: dict[str, str]) -> str:
    """Create the schema and a user in the API's database; return the user's token."""
    os.environ.update(env)
    from sqlmodel import SQLModel

    import cadence.models  # noqa: F401
    from cadence.db import get_engine, session_scope
    from cadence.services import auth

    SQLModel.metadata.create_all(get_engine())
    with session_scope() as session:
        user = auth.signup(
            session=session, email="bench@example.com", password="bench-pass-1", display_name="B"
        )
        token = auth.issue_token(user=user)
    get_engine().dispose()
    return token


def _spawn(args: list[str], env: dict[str, str], url: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{args} did not start")


def _direct(http, base_url: str, message: str) -> tuple[float, float, int]:
    """The provider's own stream: (seconds to first content, total seconds, content chunks)."""
    body = {
        "model": "fake/model",
        "messages": [{"role": "user", "content": message}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    started = time.perf_counter()
    first, chunks = 0.0, 0
    with http.stream(
        "POST",
        f"{base_url}/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {API_KEY}"},
    ) as response:
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            choices = json.loads(line[6:])["choices"]
            if choices and choices[0]["delta"].get("content"):
                chunks += 1
                first = first or time.perf_counter() - started
    return first, time.perf_counter() - started, chunks


def _through_cadence(http, api_url: str, token: str, message: str) -> tuple[float, float, int]:
    """``POST /api/v1/chat``: (seconds to first token event, total seconds, token events)."""
    from httpx_sse import connect_sse

    started = time.perf_counter()
    first, tokens = 0.0, 0
    with connect_sse(
        http,
        "POST",
        f"{api_url}/api/v1/chat",
        json={"message": message, "model_id": "fake/model"},
        headers={"Authorization": f"Bearer {token}"},
    ) as source:
        for sse in source.iter_sse():
            if sse.event == "token":
                tokens += 1
                first = first or time.perf_counter() - started
            elif sse.event in {"done", "error"}:
                assert sse.event == "done", sse.data
    return first, time.perf_counter() - started, tokens


def _openai_client(base_url: str, message: str) -> tuple[float, float, int]:
    """The provider's stream through the openai client alone (as the agent reads it)."""
    import asyncio

    from cadence.services.chat import llm

    config = llm.LlmConfig(API_KEY, base_url, "fake/model", timeout_seconds=30, max_retries=0)

    async def consume() -> tuple[float, float, int]:
        client = llm.make_client(config)
        started = time.perf_counter()
        first, chunks = 0.0, 0
        messages = [{"role": "user", "content": message}]
        async for item in llm.stream_round(
            client, model_id="fake/model", messages=messages, tools=None
        ):
            if isinstance(item, str):
                chunks += 1
                first = first or time.perf_counter() - started
        total = time.perf_counter() - started
        await client.close()
        return first, total, chunks

    return asyncio.run(consume())


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    from tests.fakes.openai_server import FakeProvider, free_port

    # the fake echoes "Echo: <message>" in 4-character chunks: TOKENS chunks in all
    message = "w" * (TOKENS * 4 - len("Echo: "))
    with tempfile.TemporaryDirectory() as tmp:
        fake_port, api_port = free_port(), free_port()
        fake_url, api_url = f"http://127.0.0.1:{fake_port}", f"http://127.0.0.1:{api_port}"
        env = _environment(Path(tmp), f"{fake_url}/v1")
        assert FakeProvider().api_key == API_KEY
        token = _seed(env)
        fake = _spawn(["-m", "tests.fakes.openai_server", "--port", str(fake_port)], env, fake_url)
        api = _spawn(
            [
                "-m",
                "uvicorn",
                "cadence.api.app:create_api",
                "--factory",
                "--port",
                str(api_port),
                "--log-level",
                "warning",
            ],
            env,
            api_url,
        )
        try:
            _run(api, fake_url, api_url, token, message)
        finally:
            for process in (api, fake):
                process.terminate()
                process.wait(timeout=10)


def _run(api: subprocess.Popen, fake_url: str, api_url: str, token: str, message: str) -> None:
    direct, client, cadence = [], [], []
    with httpx.Client(timeout=60) as http:
        for _ in range(3):  # warm up every path
            _direct(http, f"{fake_url}/v1", message)
            _openai_client(f"{fake_url}/v1", message)
            _through_cadence(http, api_url, token, message)
        for _ in range(REPEATS):
            direct.append(_direct(http, f"{fake_url}/v1", message))
            client.append(_openai_client(f"{fake_url}/v1", message))
            cadence.append(_through_cadence(http, api_url, token, message))
        assert all(d[2] == TOKENS for d in direct), direct[0]
        assert all(c[2] == TOKENS for c in cadence), cadence[0]

        def med(rows, index):
            return statistics.median(r[index] for r in rows)

        d_first, c_first = med(direct, 0), med(cadence, 0)
        d_per, c_per = med(direct, 1) / TOKENS, med(cadence, 1) / TOKENS
        o_first, o_per = med(client, 0), med(client, 1) / TOKENS
        print(f"{REPEATS} runs of {TOKENS} tokens each (median), fake provider, zero delay")
        print(
            f"first token   provider {d_first * 1000:7.2f} ms   cadence {c_first * 1000:7.2f} ms"
            f"   ratio {c_first / d_first:5.2f}x   added {(c_first - d_first) * 1000:6.2f} ms"
        )
        print(
            f"per token     provider {d_per * 1e6:7.1f} us   cadence {c_per * 1e6:7.1f} us"
            f"   ratio {c_per / d_per:5.2f}x   added {(c_per - d_per) * 1e6:6.1f} us"
        )
        print(
            f"openai client alone (the agent's reader): first token {o_first * 1000:.2f} ms "
            f"({o_first / d_first:.2f}x), per token {o_per * 1e6:.1f} us ({o_per / d_per:.2f}x); "
            f"cadence over the client: first token {(c_first - o_first) * 1000:+.2f} ms, "
            f"per token {(c_per - o_per) * 1e6:+.1f} us"
        )
        rss, done = {}, 0
        for target in MEMORY_TURNS:
            while done < target:
                _through_cadence(http, api_url, token, "A short question for the memory run.")
                done += 1
            rss[target] = _rss_mb(api.pid)
        low, high = MEMORY_TURNS
        print(
            f"API process RSS after {low} turns {rss[low]:.1f} MB, after {high} turns "
            f"{rss[high]:.1f} MB   ratio {rss[high] / rss[low]:.3f}   "
            f"growth {rss[high] - rss[low]:+.1f} MB"
        )


if __name__ == "__main__":
    main()
