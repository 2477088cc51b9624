"""A local fake of the device providers' HTTP APIs (WHOOP, Strava, Garmin Connect, Oura) for tests.

Tests register replies per ``(method, path)``: a ``Reply`` (JSON body, raw bytes, status,
headers, delay), a list of them served in order (the last one repeats), or a function of the
recorded request. Every request is recorded (method, path, query, form body, headers), so tests
can check what the provider code sent. Runs on a free 127.0.0.1 port in a thread; nothing leaves
the machine. ``serve_oura`` makes it a whole Oura cloud serving the recorded v2 payloads.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    """``body`` is sent as JSON unless it is ``bytes``; ``delay`` seconds pass before answering."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


Handler = Callable[[Recorded], Reply]


class FakeProviderServer:
    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], list[Reply] | Handler] = {}
        self.requests: list[Recorded] = []
        self.default: Reply | None = None  # the answer to unregistered routes (else a 404)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, method: str, path: str, *replies: Reply | Handler) -> None:
        """Answer ``method path`` with ``replies`` in order (the last repeats) or a handler."""
        if len(replies) == 1 and callable(replies[0]):
            self._routes[(method, path)] = replies[0]
        else:
            self._routes[(method, path)] = list(replies)

    def json(self, method: str, path: str, body: Any, status: int = 200) -> None:
        self.route(method, path, Reply(body=body, status=status))

    def hits(self, path: str, method: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if r.path == path and method in (None, r.method)]

    def _reply_for(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            target = self._routes.get((recorded.method, recorded.path))
            if target is None:
                return self.default or Reply(
                    body={"error": f"no fake route for {recorded.path}"}, status=404
                )
            if callable(target):
                return target(recorded)
            return target.pop(0) if len(target) > 1 else target[0]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall on keep-alive connections

            def log_message(self, *_args: Any) -> None:
                return

            def _serve(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                recorded = Recorded(
                    method=self.command,
                    path=url.path,
                    query={k: v[-1] for k, v in parse_qs(url.query).items()},
                    form={k: v[-1] for k, v in parse_qs(raw).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                )
                reply = fake._reply_for(recorded)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status == 204:
                    payload = b""
                elif isinstance(reply.body, bytes):
                    payload = reply.body
                else:
                    payload = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    if not isinstance(reply.body, bytes):
                        self.send_header("Content-Type", "application/json")
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (a timeout test)

            do_GET = _serve
            do_POST = _serve
            do_DELETE = _serve

        return _Handler

    def __enter__(self) -> FakeProviderServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


OURA_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "json" / "oura_v2"
OURA_RECORDINGS = {
    "sleep": "sleep_collection_2024-10-09_2024-11-03.json",
    "daily_sleep": "daily_sleep_2024-11-11_2024-11-12.json",
    "daily_readiness": "daily_readiness_2024-11-11_2024-11-12.json",
    "daily_activity": "daily_activity_2024-11-11_2024-11-12.json",
    "daily_spo2": "daily_spo2_2024-11-11_2024-11-12.json",
    "daily_stress": "daily_stress_2024-11-11_2024-11-12.json",
    "workout": "workout_collection_2024-10-09_2024-11-03.json",
}
OURA_LAST_RECORDED_DAY = date(2024, 11, 12)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def shifted(value: Any, delta: timedelta) -> Any:
    """``value`` with every ISO date or datetime string in it moved by ``delta``."""
    if isinstance(value, dict):
        return {k: shifted(v, delta) for k, v in value.items()}
    if isinstance(value, list):
        return [shifted(v, delta) for v in value]
    if isinstance(value, str) and _ISO_DAY.match(value):
        if len(value) == 10:
            return (date.fromisoformat(value) + delta).isoformat()
        moved = datetime.fromisoformat(value) + delta
        return moved.isoformat(timespec="milliseconds" if "." in value else "seconds")
    return value


def oura_documents(*, last_day: date = OURA_LAST_RECORDED_DAY) -> dict[str, list[dict]]:
    """The recorded Oura v2 documents per collection, moved in time (whole days) so that the
    last recorded day (2024-11-12) falls on ``last_day``."""
    delta = last_day - OURA_LAST_RECORDED_DAY
    return {
        path: shifted(json.loads((OURA_FIXTURES / name).read_text())["data"], delta)
        for path, name in OURA_RECORDINGS.items()
    }


def serve_oura(
    fake: FakeProviderServer,
    *,
    documents: dict[str, list[dict]] | None = None,
    page_size: int = 10,
) -> dict[str, list[dict]]:
    """A fake Oura cloud: the token and revoke endpoints, and every v2 collection Cadence reads,
    answering as Oura does (documents whose ``day`` is in ``start_date``..``end_date``, pages of
    ``page_size`` chained by ``next_token``). Returns the documents served."""
    documents = documents if documents is not None else oura_documents()
    fake.json(
        "POST",
        "/oauth/token",
        {"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 86400},
    )
    fake.json("GET", "/oauth/revoke", {})

    def collection(path: str) -> Handler:
        def page(request: Recorded) -> Reply:
            first, last = request.query.get("start_date", ""), request.query.get("end_date", "9")
            matching = [d for d in documents[path] if first <= d["day"] <= last]
            index = int(request.query.get("next_token", "0"))
            rest = index + page_size < len(matching)
            return Reply(
                {
                    "data": matching[index : index + page_size],
                    "next_token": str(index + page_size) if rest else None,
                }
            )

        return page

    for path in OURA_RECORDINGS:
        fake.route("GET", f"/v2/usercollection/{path}", collection(path))
    return documents
