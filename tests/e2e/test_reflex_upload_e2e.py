"""Reflex's own upload endpoint against the real prod server, over real sockets
(docs/security.md, "Uploads and imports"): without a valid login an upload is refused before
its body is read, a declared or streamed size over ``CADENCE_MAX_UPLOAD_BYTES`` is refused while
streaming and leaves no file behind, and nothing under ``/_upload`` is served. (The browser's
own upload through it is ``test_imports_e2e``.)"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = pytest.mark.e2e

MAX_UPLOAD_BYTES = 512 * 1_048_576  # the default cap: the e2e server does not change it
BOUNDARY = "cadence-boundary"


def signed_up_token(url: str, email: str) -> str:
    response = httpx.post(
        f"{url}/api/v1/auth/signup",
        json={"email": email, "password": "steady-pace-9", "display_name": "U"},
    )
    assert response.status_code == 201, response.text
    return response.json()["token"]


def request_head(url: str, *, token: str | None, length: int | None) -> bytes:
    host = urlsplit(url).netloc
    lines = [
        "POST /_upload HTTP/1.1",
        f"Host: {host}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        "Reflex-Client-Token: a-random-client-token",
        "Reflex-Event-Handler: reflex___state____state.cadence___states___auth____auth_state."
        "cadence___states___imports____imports_state.upload",
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked",
    ]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def part_head(name: str = "strong.csv") -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()


def answer_status(sock: socket.socket) -> int:
    sock.settimeout(30)
    first = sock.recv(4096).split(b"\r\n", 1)[0]
    return int(first.split()[1])


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=30)


def test_without_a_login_the_body_is_never_read(live_server) -> None:
    """2 000 MiB declared, 64 KiB sent: the 401 comes back at once, the rest never goes."""
    for token in (None, "not-a-login-token"):
        with connect(live_server.url) as sock:
            sock.sendall(request_head(live_server.url, token=token, length=2000 * 1_048_576))
            sock.sendall(part_head() + b"x" * 65536)
            assert answer_status(sock) == 401


def test_a_declared_size_over_the_cap_is_413_before_reading(live_server) -> None:
    token = signed_up_token(live_server.url, "declared@example.com")
    with connect(live_server.url) as sock:
        sock.sendall(request_head(live_server.url, token=token, length=MAX_UPLOAD_BYTES + 1))
        sock.sendall(part_head() + b"x" * 65536)
        assert answer_status(sock) == 413


def server_deleted_files(data_dir: Path) -> list[str]:
    """Files the server's processes still hold open although they were deleted (temp files)."""
    held = []
    marker = f"CADENCE_DATA_DIR={data_dir}".encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker not in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                continue
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.endswith("(deleted)") and "/dev/shm" not in target:
                    held.append(target)
        except OSError:
            continue
    return held


def test_a_streamed_body_over_the_cap_is_cut_off_and_leaves_nothing(live_server) -> None:
    """No length declared (chunked): the cap holds while streaming; no staged or temp file
    stays behind."""
    token = signed_up_token(live_server.url, "streamer@example.com")
    chunk = b"y" * (4 * 1_048_576)
    status = None
    with connect(live_server.url) as sock:
        sock.sendall(request_head(live_server.url, token=token, length=None))
        body = part_head()
        sock.sendall(f"{len(body):x}\r\n".encode() + body + b"\r\n")
        try:
            for _ in range(MAX_UPLOAD_BYTES // len(chunk) + 2):
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: the answer is waiting
        status = answer_status(sock)
    assert status == 413
    assert not any((live_server.data_dir / "uploads").glob("*/*"))
    assert server_deleted_files(live_server.data_dir) == []


def test_nothing_under_upload_is_served(live_server) -> None:
    for path in ("/_upload", "/_upload/anything.csv", "/_upload/../e2e.db"):
        assert httpx.get(live_server.url + path).status_code == 404
