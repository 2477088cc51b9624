"""The MCP endpoint on the real prod server (granian, one port): an ``mcp`` client session over
streamable HTTP with a Bearer token lists the tools and calls one; without a token: 401."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import anyio
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from cadence.services.chat.tools import TOOLS

pytestmark = pytest.mark.e2e
PROFILE = "Marathon in May; no running on Mondays."


def _request(url: str, method: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method=method
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def _in_thread(main) -> None:
    """Run an async client in its own thread (Playwright's loop may own this one)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            anyio.run(main)
        except BaseException as exc:  # re-raised in the test thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=90)
    assert not thread.is_alive(), "MCP session hung"
    if errors:
        raise errors[0]


def test_mcp_over_http_on_the_prod_server(live_server) -> None:
    api = f"{live_server.url}/api/v1"
    signup = {"email": "mcp-e2e@example.com", "password": "mcp-client-4", "display_name": "Mo"}
    token = _request(f"{api}/auth/signup", "POST", signup)["token"]
    _request(f"{api}/settings/coaching-profile", "PUT", {"coaching_profile": PROFILE}, token)
    seen: dict = {}

    async def main() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            streamable_http_client(f"{api}/mcp", http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            seen["tools"] = [t.name for t in (await session.list_tools()).tools]
            result = await session.call_tool("get_coaching_profile", {})
            seen["profile"] = "\n".join(block.text for block in result.content)

    _in_thread(main)
    assert seen["tools"] == TOOLS.names
    assert PROFILE in seen["profile"]

    with pytest.raises(urllib.error.HTTPError) as refused:
        _request(f"{api}/mcp", "POST", {"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert refused.value.code == 401
