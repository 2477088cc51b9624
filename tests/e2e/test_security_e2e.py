"""Against the real ``reflex run --env prod`` server: no CORS grant (let alone credentials) for
other origins or ``null``, Reflex's ``/_event`` refuses other origins and sends CORS headers at
most once, and the UI pages carry a Content-Security-Policy."""

from __future__ import annotations

import socket
import urllib.request
from base64 import b64encode
from urllib.error import HTTPError
from urllib.parse import urlsplit

import pytest

EVIL = "https://evil.example"


def _request(url: str, *, method: str = "GET", headers: dict[str, str]) -> tuple[int, list]:
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.items()
    except HTTPError as error:
        return error.code, error.headers.items()


def _cors(headers: list) -> list[tuple[str, str]]:
    return [(k.lower(), v) for k, v in headers if k.lower().startswith("access-control-")]


@pytest.mark.parametrize("origin", [EVIL, "null"])
@pytest.mark.parametrize(
    ("method", "path", "extra"),
    [
        ("GET", "/ping", {"Cookie": "a=b"}),
        ("GET", "/api/v1/chat/models", {"Authorization": "Bearer x"}),
        ("GET", "/login/", {"Cookie": "a=b"}),
        (
            "OPTIONS",
            "/api/v1/auth/login",
            {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x"},
        ),
    ],
)
def test_no_cors_grant_for_other_origins(live_server, origin, method, path, extra) -> None:
    _, headers = _request(
        f"{live_server.url}{path}", method=method, headers={"Origin": origin, **extra}
    )
    assert _cors(headers) == [], headers


def test_event_endpoint_refuses_other_origins_and_sends_cors_once(live_server) -> None:
    url = f"{live_server.url}/_event/?EIO=4&transport=polling"
    status, _ = _request(url, headers={"Origin": EVIL})
    assert status == 403
    status, headers = _request(url, headers={"Origin": live_server.url})
    names = [name for name, _ in _cors(headers)]
    assert len(names) == len(set(names))  # no header twice


def _handshake(base_url: str, origin: str) -> bytes:
    parts = urlsplit(base_url)
    key = b64encode(b"cadence-e2e-key!").decode()
    request = (
        f"GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request.encode())
        return sock.recv(200).split(b"\r\n", 1)[0]


def test_event_websocket_only_from_its_own_origin(live_server) -> None:
    assert b" 101 " in _handshake(live_server.url, live_server.url)
    assert b" 101 " not in _handshake(live_server.url, EVIL)
