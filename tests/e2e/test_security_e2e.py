"""Against the real ``reflex run --env prod`` server: no CORS grant (let alone credentials) for
other origins or ``null``, Reflex's ``/_event`` refuses other origins and sends CORS headers at
most once, and the UI pages carry a Content-Security-Policy.

A grant is ``Access-Control-Allow-Origin``: without it a browser lets no other page read the
response. (Reflex's CORS middleware still adds a lone ``Access-Control-Allow-Credentials`` and,
on a refused preflight, the allowed methods; neither grants anything without the origin.)"""

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
    status, headers = _request(
        f"{live_server.url}{path}", method=method, headers={"Origin": origin, **extra}
    )
    granted = [value for name, value in _cors(headers) if name == "access-control-allow-origin"]
    assert granted == [], headers
    if method == "OPTIONS":
        assert status == 400  # the preflight is refused


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


def test_ui_pages_have_a_csp_the_app_runs_under(new_page, live_server) -> None:
    """Every UI page is served with the CSP, and signing up, the dashboard, the coach (a chat
    turn over the websocket) and settings work with no CSP violation in the console."""
    from playwright.sync_api import expect

    from tests.e2e.conftest import PHONE, screenshot, signup_through_ui, wait_for_path

    _, headers = _request(f"{live_server.url}/login/", headers={})
    csp = dict((k.lower(), v) for k, v in headers)["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    page = new_page(PHONE)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    signup_through_ui(page, email="csp-e2e@example.com", password="csp-check-42", name="Csp")
    for path in ("/", "/chat", "/settings", "/workouts", "/workouts/log"):
        page.goto(path)
        wait_for_path(page, path)
        page.wait_for_load_state("networkidle")
    page.goto("/chat")
    page.get_by_role("textbox").first.fill("How did I sleep?")
    page.keyboard.press("Enter")
    expect(page.get_by_text("How did I sleep?").first).to_be_visible()
    screenshot(page, "csp-chat-375")
    assert violations == []
