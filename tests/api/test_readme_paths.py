"""Every ``/api/v1`` path the README names exists with the methods it names (the README once
listed ``GET /api/v1/conversations/{id}``, which answered 404), and every GET path it names
without a placeholder answers a signed-in client with something other than 404/405."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Route

from cadence.api.app import create_api

README = Path(__file__).resolve().parents[2] / "README.md"
METHODS = "GET|POST|PUT|PATCH|DELETE"
# `GET|PUT /api/v1/settings/llm`, `POST http://HOST:8000/api/v1/mcp`
NAMED = re.compile(
    rf"`((?:{METHODS})(?:\|(?:{METHODS}))*) (?:https?://[^/\s`]+)?(/api/v1/[^`\s]*)`"
)
CURL = re.compile(r"curl\b[^\n]*?(?:localhost|127\.0\.0\.1):\d+(/api/v1/[^\s\"'\\]*)")
BARE = re.compile(r"(/api/v1/[A-Za-z0-9_./{}%-]*(?:<[a-z_]+>[A-Za-z0-9_./{}%-]*)*)")


def _clean(path: str) -> str:
    return path.split("?")[0].rstrip(".,;:)").rstrip("/") or "/api/v1"


def readme_paths() -> dict[str, set[str]]:
    """path -> the methods the README uses it with (empty: named without a method)."""
    text = README.read_text()
    found: dict[str, set[str]] = {}
    for methods, path in NAMED.findall(text):
        found.setdefault(_clean(path), set()).update(methods.split("|"))
    for line in text.splitlines():
        for path in CURL.findall(line):
            method = re.search(rf"-X ({METHODS})\b", line)
            writes = re.search(r"\s-(d|F)\s", line)
            verb = method.group(1) if method else ("POST" if writes else "GET")
            found.setdefault(_clean(path), set()).add(verb)
    for path in BARE.findall(text):
        found.setdefault(_clean(path), set())
    return found


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^}]+\}", template)
    return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "$")


@cache
def app_routes() -> list[tuple[re.Pattern[str], set[str]]]:
    """The documented operations (OpenAPI) plus the plain routes (docs, MCP); the catch-all
    that answers unknown ``/api/v1/...`` paths with a JSON 404 is not a route a README means.
    Built once per run (the OpenAPI document takes ~1 s), not once per README path."""
    api = create_api()
    table = [
        (_pattern(path.rstrip("/")), {method.upper() for method in operations})
        for path, operations in api.openapi()["paths"].items()
    ]
    for route in api.routes:
        if isinstance(route, Route) and not isinstance(route, APIRoute):
            table.append((_pattern(route.path.rstrip("/")), set(route.methods or ())))
    return table


def _readme_to_template(path: str) -> str:
    """README placeholders (``{id}``, ``<provider>``) stand for one path segment."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "x1", path)


def test_the_readme_names_paths() -> None:
    paths = readme_paths()
    assert "/api/v1/conversations/{id}" in paths and "PATCH" in paths["/api/v1/conversations/{id}"]
    assert len(paths) > 25


@pytest.mark.parametrize("path", sorted(readme_paths()))
def test_every_readme_path_exists_with_its_methods(path: str) -> None:
    concrete = _readme_to_template(path)
    matching = [methods for pattern, methods in app_routes() if pattern.match(concrete)]
    assert matching, f"README names {path}, which no route serves"
    served = set().union(*matching)
    missing = readme_paths()[path] - served
    assert not missing, f"README says {sorted(missing)} {path}; the API serves {sorted(served)}"


def test_every_plain_get_path_answers(client, account) -> None:
    plain = [
        path
        for path, methods in readme_paths().items()
        if "GET" in methods and not re.search(r"[{<]", path)
    ]
    assert "/api/v1/conversations" in plain
    unknown = client.get("/api/v1/no-such-path", headers=account.headers)
    assert unknown.status_code == 404 and "No API endpoint" in unknown.text
    for path in plain:
        response = client.get(path, headers=account.headers)
        # a 404 in the API's own words ("Exercise not found.") is an answer; the catch-all's
        # 404 for unknown paths is not
        assert response.status_code != 405, path
        assert "No API endpoint" not in response.text, path
