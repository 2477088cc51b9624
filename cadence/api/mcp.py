"""The coach's tools over the Model Context Protocol: one registry (``services/chat/tools.py``),
served to the chat agent and to MCP clients alike.

Two transports share ``build_server``:

- stdio for a local client (Claude Desktop): ``python -m cadence mcp --email EMAIL``;
- streamable HTTP at ``POST /api/v1/mcp`` with ``Authorization: Bearer <token>`` (stateless,
  JSON responses), mounted on the API by ``cadence.api.mcp_http.mount_http``, which imports
  this module (and the ``mcp`` package, ~13 % of the app's import time) on the first request.

Every tool call checks the account again (token or email), then runs the tool in a worker thread
in its own transaction, exactly as the chat does (``execute_tool``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import anyio
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server

from cadence import __version__
from cadence.api.mcp_http import _in_session
from cadence.services import mcp_access
from cadence.services.chat.registry import ToolEffect
from cadence.services.chat.tools import TOOLS, execute_tool
from cadence.services.errors import DomainError

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
        if (chart := result.chart_payload()) is not None:
            content.append(types.TextContent(type="text", text=json.dumps(chart)))
        return types.CallToolResult(
            content=content, structured_content=result.payload() or None, is_error=not result.ok
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
