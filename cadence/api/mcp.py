"""The coach's tools over the Model Context Protocol: one registry (``services/chat/tools.py``),
served to the chat agent and to MCP clients alike.

Two transports share ``build_server``:

- stdio for a local client (Claude Desktop): ``python -m cadence mcp --email EMAIL``;
- streamable HTTP at ``POST /api/v1/mcp`` with ``Authorization: Bearer <token>`` (stateless,
  JSON responses), mounted on the API by ``mount_http``.

Every tool call checks the account again (token or email), then runs the tool in a worker thread
in its own transaction, exactly as the chat does (``execute_tool``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import anyio
import mcp_types as types
from fastapi import FastAPI
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from cadence import __version__
from cadence.db import session_scope
from cadence.services import mcp_access
from cadence.services.chat.registry import ToolEffect
from cadence.services.chat.tools import TOOLS, execute_tool
from cadence.services.errors import DomainError, PermissionDenied

SERVER_NAME = "cadence"
INSTRUCTIONS = (
    "Cadence is the user's self-hosted fitness and health coach. These tools read the user's own "
    "sleep, HRV, readiness, training load, activities and strength workouts (and can log a "
    "workout or update the coaching profile). Each returns a short factual summary with numbers."
)
UserResolver = Callable[[ServerRequestContext], Awaitable[int]]


def annotations(effect: ToolEffect) -> types.ToolAnnotations:
    """MCP hints from what the tool does: reads say ``readOnlyHint``; writes say whether they
    may change what is stored (``destructiveHint``) and whether a repeat is harmless
    (``idempotentHint``). Every tool works on the user's own data only (a closed world)."""
    if not effect.writes:
        return types.ToolAnnotations(read_only_hint=True, open_world_hint=False)
    return types.ToolAnnotations(
        read_only_hint=False,
        destructive_hint=effect.destructive,
        idempotent_hint=effect.idempotent,
        open_world_hint=False,
    )


def tool_definitions() -> list[types.Tool]:
    """The registry's tools as MCP tool definitions (same names, descriptions and schemas)."""
    definitions = []
    for name in TOOLS.names:
        tool = TOOLS.get(name)
        definitions.append(
            types.Tool(
                name=tool.name,
                description=tool.description,
                input_schema=tool.parameters_schema,
                annotations=annotations(tool.effect),
            )
        )
    return definitions


def build_server(resolve_user: UserResolver) -> Server:
    """An MCP server over the tool registry; ``resolve_user`` names the user of each call."""

    async def list_tools(
        _ctx: ServerRequestContext, _params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tool_definitions())

    async def call_tool(
        ctx: ServerRequestContext, params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        try:
            user_id = await resolve_user(ctx)
        except DomainError as exc:
            return _error(exc.message)
        result = await anyio.to_thread.run_sync(
            partial(
                execute_tool,
                user_id=user_id,
                today=None,
                name=params.name,
                arguments=params.arguments or {},
            )
        )
        content: list[Any] = [types.TextContent(type="text", text=result.summary)]
        if result.chart is not None:
            content.append(types.TextContent(type="text", text=json.dumps(result.chart)))
        return types.CallToolResult(
            content=content, structured_content=result.data or None, is_error=not result.ok
        )

    return Server(
        SERVER_NAME,
        version=__version__,
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=f"Error: {message}")], is_error=True
    )


def _in_session(work: Callable[..., int], **kwargs: Any) -> Callable[[], int]:
    def run() -> int:
        with session_scope() as session:
            return work(session=session, **kwargs)

    return run


# --- stdio ----------------------------------------------------------------------------------------


def run_stdio(*, email: str) -> None:
    """Serve the tools over stdin/stdout for the account with ``email`` (checked at start and on
    every call)."""
    user_id = _in_session(mcp_access.user_id_for_email, email=email)()

    async def resolve(_ctx: ServerRequestContext) -> int:
        return await anyio.to_thread.run_sync(
            _in_session(mcp_access.require_active, user_id=user_id)
        )

    server = build_server(resolve)

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(main)


# --- streamable HTTP ------------------------------------------------------------------------------


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
