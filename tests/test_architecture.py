"""Keeps DESIGN §1's import directions: parse every module's imports with ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cadence"

# layer -> top-level modules (or cadence sub-packages) it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "services": (
        "reflex",
        "fastapi",
        "starlette",
        "cadence.api",
        "cadence.states",
        "cadence.components",
        "cadence.pages",
    ),
    "models": (
        "reflex",
        "fastapi",
        "starlette",
        "cadence.services",
        "cadence.api",
        "cadence.states",
        "cadence.components",
        "cadence.pages",
    ),
    "api": ("reflex", "cadence.states", "cadence.components", "cadence.pages"),
    "states": (
        "fastapi",
        "cadence.api",
        "cadence.components",
        "cadence.pages",
        "sqlmodel",
        "sqlalchemy",
    ),
    "components": (
        "cadence.states",
        "cadence.services",
        "cadence.api",
        "cadence.models",
        "cadence.db",
        "sqlmodel",
        "sqlalchemy",
        "fastapi",
    ),
    "pages": ("cadence.services", "cadence.api", "cadence.db", "sqlmodel", "sqlalchemy", "fastapi"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_respect_design(layer: str) -> None:
    modules = _modules(layer)
    assert modules, f"layer {layer!r} has no modules"
    violations = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in modules
        for name in sorted(_imports(path))
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[layer])
    ]
    assert not violations, "\n".join(violations)


def test_checker_detects_a_violation(tmp_path: Path) -> None:
    """The parser itself must see a forbidden import (guards against a check that cannot fail)."""
    sample = tmp_path / "sample.py"
    sample.write_text("import reflex as rx\nfrom fastapi import APIRouter\n")
    assert {"reflex", "fastapi"} <= _imports(sample)
