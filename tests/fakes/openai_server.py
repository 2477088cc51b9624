"""A local fake OpenAI-compatible server that streams real ``chat.completion.chunk`` shapes.

Tests queue scripted replies (``server.queue(...)``); each ``POST /v1/chat/completions`` takes the
next one (or echoes the last user message when the queue is empty) and records the request body.
Replies: streamed text, tool calls whose arguments arrive split across chunks, HTTP errors (401,
429, 500), a hang (before headers or mid-stream), a malformed chunk.

Run it in-process with ``FakeOpenAIServer()`` (uvicorn in a thread on a free 127.0.0.1 port) or as
a program: ``python -m tests.fakes.openai_server --port 8999``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Text:
    """Stream ``text`` in pieces of ``chunk_chars`` characters, ``delay`` seconds apart."""

    text: str
    chunk_chars: int = 4
    delay: float = 0.0


@dataclass
class ToolCalls:
    """Stream tool calls ``[(name, arguments_json), ...]``, arguments split into small fragments.

    ``text`` is streamed first (models sometimes say something before calling a tool).
    """

    calls: list[tuple[str, str]]
    text: str = ""
    fragment_chars: int = 5


@dataclass
class Status:
    """Answer with an HTTP error status and an OpenAI-style error body."""

    status: int
    message: str = "error"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Hang:
    """Stream ``text_before`` (when given) and then stop sending anything for ``seconds``."""

    seconds: float = 30.0
    text_before: str = ""


@dataclass
class Malformed:
    """Stream ``text_before`` and then a chunk that is not JSON."""

    text_before: str = ""


@dataclass
class Repeat:
    """Serve ``reply`` forever (e.g. a model that never stops calling tools)."""

    reply: Any


Reply = Text | ToolCalls | Status | Hang | Malformed | Repeat


class FakeProvider:
    """The scripted behaviour and the recorded requests; shared with the server's handlers."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.api_key = "sk-test-fake-1234"

    def queue(self, *replies: Reply) -> None:
        with self.lock:
            self.replies.extend(replies)

    def next_reply(self, body: dict[str, Any]) -> Reply:
        with self.lock:
            self.requests.append(body)
            if not self.replies:
                return Text(f"Echo: {_last_user_text(body)}")
            head = self.replies[0]
            if isinstance(head, Repeat):
                return head.reply
            return self.replies.popleft()

    async def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", "invalid_api_key")
        body = await request.json()
        reply = self.next_reply(body)
        if isinstance(reply, Status):
            return _error(reply.status, reply.message, "fake_error", reply.headers)
        if isinstance(reply, Hang) and not reply.text_before:
            await self._sleep(reply.seconds)
            return _error(504, "hung", "timeout")
        model = body.get("model", "fake")
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return StreamingResponse(
            self._stream(reply, model, include_usage), media_type="text/event-stream"
        )

    async def _stream(self, reply: Reply, model: str, include_usage: bool) -> AsyncIterator[str]:
        chunk = _ChunkMaker(model)
        yield chunk.delta({"role": "assistant", "content": ""})
        completion_tokens = 0
        if isinstance(reply, Text):
            for piece in _pieces(reply.text, reply.chunk_chars):
                if reply.delay:
                    await asyncio.sleep(reply.delay)
                completion_tokens += 1
                yield chunk.delta({"content": piece})
            yield chunk.finish("stop")
        elif isinstance(reply, ToolCalls):
            for piece in _pieces(reply.text, 4):
                completion_tokens += 1
                yield chunk.delta({"content": piece})
            for index, (name, arguments) in enumerate(reply.calls):
                call_id = f"call_{index}_{int(time.time() * 1000) % 100000}"
                yield chunk.delta(
                    {
                        "tool_calls": [
                            {
                                "index": index,
                                "id": call_id,
                                "type": "function",
                                "function": {"name": name, "arguments": ""},
                            }
                        ]
                    }
                )
                for fragment in _pieces(arguments, reply.fragment_chars):
                    completion_tokens += 1
                    yield chunk.delta(
                        {"tool_calls": [{"index": index, "function": {"arguments": fragment}}]}
                    )
            yield chunk.finish("tool_calls")
        elif isinstance(reply, Hang):
            yield chunk.delta({"content": reply.text_before})
            await self._sleep(reply.seconds)
            return
        elif isinstance(reply, Malformed):
            yield chunk.delta({"content": reply.text_before})
            yield 'data: {"id": "chatcmpl-broken", "choices": [{"delta": {"content": "x"\n\n'
            return
        if include_usage:
            yield chunk.usage(prompt_tokens=42, completion_tokens=completion_tokens)
        yield "data: [DONE]\n\n"

    async def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.stop.is_set():
            await asyncio.sleep(0.05)


class _ChunkMaker:
    def __init__(self, model: str) -> None:
        self.model = model
        self.id = f"chatcmpl-fake{int(time.time() * 1000)}"
        self.created = int(time.time())

    def _frame(self, choices: list[dict[str, Any]], **extra: Any) -> str:
        body = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fp_fake",
            "choices": choices,
            **extra,
        }
        return f"data: {json.dumps(body)}\n\n"

    def delta(self, delta: dict[str, Any]) -> str:
        return self._frame([{"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}])

    def finish(self, reason: str) -> str:
        return self._frame([{"index": 0, "delta": {}, "logprobs": None, "finish_reason": reason}])

    def usage(self, *, prompt_tokens: int, completion_tokens: int) -> str:
        return self._frame(
            [],
            usage={
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        )


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


def _error(
    status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"message": message, "type": "fake_error", "param": None, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


def create_app(provider: FakeProvider) -> Starlette:
    async def models(_request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "fake/model", "object": "model"}]})

    return Starlette(
        routes=[
            Route("/v1/chat/completions", provider.handle, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
        ]
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThreadedServer:
    """Serve an ASGI app with uvicorn in a background thread on a free 127.0.0.1 port."""

    def __init__(self, app: Any, *, on_stop: threading.Event | None = None) -> None:
        self.port = free_port()
        self._on_stop = on_stop
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._on_stop is not None:
            self._on_stop.set()
        self._server.should_exit = True
        self._thread.join(timeout=5)


class FakeOpenAIServer:
    """The fake provider served in a thread: ``with FakeOpenAIServer() as fake:``."""

    def __init__(self) -> None:
        self.provider = FakeProvider()
        self._server = ThreadedServer(create_app(self.provider), on_stop=self.provider.stop)

    @property
    def base_url(self) -> str:
        return f"{self._server.url}/v1"

    def queue(self, *replies: Reply) -> None:
        self.provider.queue(*replies)

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.provider.requests

    def __enter__(self) -> FakeOpenAIServer:
        self._server.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake OpenAI-compatible server (echo replies).")
    parser.add_argument("--port", type=int, default=8999)
    args = parser.parse_args()
    uvicorn.run(create_app(FakeProvider()), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
