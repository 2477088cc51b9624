"""The REST API in worker processes of its own, behind the UI's port (one process, no Redis).

Reflex keeps each browser's UI state in the memory of the process that serves its websocket, so
without Redis the web server has exactly one worker, and one Python process is one core. The API
has no such state (tokens, the database and the task queue are shared), so ``make run`` serves it
from ``CADENCE_API_WORKERS`` more processes (0 by default, see docs/benchmarks.md): a
granian server on a private Unix socket (``socket_path``), started and stopped by the web
worker's lifespan (``run_pool``), whose workers are forked from a parent that imported the app
first, so they share its memory pages. The web worker forwards every ``/api/v1`` request to it
(``PoolProxyMiddleware``, streaming both ways, so chat's SSE and large uploads pass unbuffered)
and serves the UI itself. Until the pool answers, or if it stops, the web worker serves the API
in-process, as before; a stopped pool is started again.

With Redis, Reflex runs several web workers of its own and no pool is started.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import logging
import multiprocessing
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cadence.api.middleware import API_PREFIX, send_json
from cadence.config import Settings, get_settings

logger = logging.getLogger(__name__)

CLIENT_HEADER = b"x-cadence-client"
"""The browser's address, set by the proxy; the pool's app reads it as the request's client."""
SERVED_BY = (b"x-cadence-served-by", b"api-pool")
HOP_BY_HOP = {
    b"connection",
    b"keep-alive",
    b"transfer-encoding",
    b"te",
    b"upgrade",
    b"proxy-connection",
    b"content-length",
    CLIENT_HEADER,
}
START_TIMEOUT_S = 120.0
WATCH_INTERVAL_S = 2.0
PROBE_PATH = f"{API_PREFIX}/openapi.json"
RESTARTED = (
    "The server restarted part of itself while handling this request, so it may or may not have "
    "been saved: check, then try again."
)


def socket_path(settings: Settings) -> Path:
    """A short path (Unix sockets allow ~100 bytes), one per data directory and port; the socket
    itself is 0600."""
    key = hashlib.sha256(f"{settings.data_dir.resolve()}:{settings.port}".encode()).hexdigest()
    return Path(tempfile.gettempdir()) / f"cadence-api-{key[:16]}.sock"


@dataclass
class _Target:
    client: httpx.AsyncClient | None = None


_target = _Target()


class PoolProxyMiddleware:
    """Forward ``/api/v1`` HTTP requests to the pool while it answers; serve the rest here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = _target.client
        if client is None or scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        peer = scope.get("client")
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in HOP_BY_HOP]
        headers.append((CLIENT_HEADER, (peer[0] if peer else "unknown").encode()))
        target = scope["raw_path"] or scope["path"].encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        body = _Body(receive)
        request = client.build_request(
            scope["method"], target.decode("latin-1"), headers=headers, content=body.chunks()
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.TransportError:
            if body.started:  # the pool may have acted on it: say so rather than run it twice
                await send_json(send, 503, {"detail": RESTARTED}, headers=[(b"retry-after", b"1")])
                return
            await self.app(scope, receive, send)  # the pool is restarting: serve it here
            return
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": [
                        (k, v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP
                    ],
                }
            )
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()


class _Body:
    """The request body as it arrives, and whether any of it was read."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.started = False

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            message: Message = await self.receive()
            self.started = True
            if message["type"] != "http.request":
                return
            if body := message.get("body", b""):
                yield body
            if not message.get("more_body", False):
                return


class ForwardedClientMiddleware:
    """In the pool: the request's client is the browser the proxy names, not the socket; every
    answer says it came from the pool (``SERVED_BY``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        named = next((v for k, v in scope["headers"] if k == CLIENT_HEADER), None)
        scope = dict(scope, client=(named.decode("latin-1"), 0) if named else None)

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), SERVED_BY]
            await send(message)

        await self.app(scope, receive, marked)


def create_pool_app() -> ASGIApp:
    """The pool's ASGI app: the whole API, clients as the proxy names them."""
    from cadence.api.app import create_api

    return ForwardedClientMiddleware(create_api())


def serve(*, path: Path, workers: int) -> None:
    """Run the pool (``python -m cadence.api.pool``): import the app once, fork the workers."""
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    create_pool_app()  # imported here so that the forked workers share these pages
    multiprocessing.set_start_method("fork", force=True)
    gc.collect()
    gc.freeze()
    path.unlink(missing_ok=True)
    Server(
        target="cadence.api.pool:create_pool_app",
        factory=True,
        uds=path,
        uds_permissions=0o600,
        interface=Interfaces.ASGI,
        workers=workers,
        log_level=LogLevels.warning,
        respawn_failed_workers=True,
        workers_kill_timeout=5,
    ).serve()


@contextlib.asynccontextmanager
async def run_pool(*, enabled: bool) -> AsyncIterator[None]:
    """Lifespan of the web worker: keep the pool running while it serves (when ``enabled``)."""
    settings = get_settings()
    workers = settings.resolved_api_workers
    if not enabled or workers < 1:
        yield
        return
    path = socket_path(settings)
    watcher = asyncio.create_task(_keep_running(path, workers))
    try:
        yield
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _keep_running(path: Path, workers: int) -> None:
    env = {**os.environ, "CADENCE_WORKER": "false"}  # the web worker runs the queue's worker
    while True:
        process = subprocess.Popen(
            [sys.executable, "-m", "cadence.api.pool", str(path), str(workers)], env=env
        )
        client = httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(uds=str(path)),
            base_url="http://cadence-api",
            timeout=httpx.Timeout(None, connect=5.0),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
        )
        try:
            if await _answers(client, process):
                _target.client = client
                logger.info("API pool of %d workers serving on %s", workers, path)
            while process.poll() is None:
                await asyncio.sleep(WATCH_INTERVAL_S)
            logger.warning("the API pool exited (%s); starting it again", process.returncode)
        finally:
            _target.client = None
            await asyncio.shield(client.aclose())
            _stop(process)


async def _answers(client: httpx.AsyncClient, process: subprocess.Popen) -> bool:
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT_S
    while process.poll() is None and asyncio.get_running_loop().time() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get(PROBE_PATH)).status_code == 200:
                return True
        await asyncio.sleep(0.25)
    return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


if __name__ == "__main__":
    serve(path=Path(sys.argv[1]), workers=int(sys.argv[2]))
