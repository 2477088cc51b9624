"""MCP's streamable HTTP transport at ``POST /api/v1/mcp`` (``Authorization: Bearer <token>``,
stateless, JSON responses): the route is mounted when the app is built, while the MCP server
(``cadence.api.mcp`` and the ``mcp`` package, ~13 % of the app's import time) is imported and
started on the first request that carries a valid token."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio
from fastapi import FastAPI
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from cadence.db import session_scope
from cadence.services import mcp_access
from cadence.services.errors import DomainError, PermissionDenied

if TYPE_CHECKING:
    from mcp.server import ServerRequestContext
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager


def _in_session(work: Callable[..., int], **kwargs: Any) -> Callable[[], int]:
    def run() -> int:
        with session_scope() as session:
            return work(session=session, **kwargs)

    return run


def _bearer_token(headers: Any) -> str | None:
    value = headers.get("authorization", "") if headers is not None else ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _user_from_request(ctx: ServerRequestContext) -> int:
    token = _bearer_token(ctx.request.headers if ctx.request is not None else None)
    if token is None:
        raise PermissionDenied("Not authenticated.")
    return await anyio.to_thread.run_sync(_in_session(mcp_access.user_id_for_token, token=token))


class AuthenticatedMcpApp:
    """ASGI endpoint: 401 without a valid bearer token, else the MCP session manager (started
    on first use inside the serving event loop and kept for the process)."""

    def __init__(self) -> None:
        self._manager: StreamableHTTPSessionManager | None = None
        self._ready: asyncio.Event | None = None
        self._runner: asyncio.Task | None = None

    async def _manager_running(self) -> StreamableHTTPSessionManager:
        if self._ready is None:
            from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

            from cadence.api.mcp import build_server

            self._ready = asyncio.Event()
            self._manager = StreamableHTTPSessionManager(
                app=build_server(_user_from_request), stateless=True, json_response=True
            )
            self._runner = asyncio.create_task(self._run(self._manager, self._ready))
        await self._ready.wait()
        return self._manager

    @staticmethod
    async def _run(manager: StreamableHTTPSessionManager, ready: asyncio.Event) -> None:
        async with manager.run():
            ready.set()
            await asyncio.Event().wait()  # until the loop shuts down and cancels this task

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        token = _bearer_token(headers)
        try:
            if token is None:
                raise PermissionDenied("Not authenticated: send 'Authorization: Bearer <token>'.")
            await anyio.to_thread.run_sync(_in_session(mcp_access.user_id_for_token, token=token))
        except DomainError as exc:
            await _json(send, 401, {"detail": exc.message}, [(b"www-authenticate", b"Bearer")])
            return
        manager = await self._manager_running()
        await manager.handle_request(scope, receive, send)


async def _json(send: Send, status: int, body: dict, headers: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def mount_http(api: FastAPI, path: str) -> None:
    """Serve MCP at exactly ``path`` (GET, POST, DELETE, as the transport needs)."""
    api.router.routes.append(
        Route(path, endpoint=AuthenticatedMcpApp(), methods=["GET", "POST", "DELETE"])
    )
