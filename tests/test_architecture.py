"""Keeps DESIGN §1's import directions: parse every module's imports with ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cadence import routes

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


UI_LAYERS = ("components", "pages", "states")
TOKEN_LITERALS = {
    '"44px"': "TAP",
    'rx.color("gray", 11)': "MUTED",
}
TOKENS_MODULE = PACKAGE / "components" / "ui.py"  # where they are written, once


def _repeated_rules(path: Path) -> list[str]:
    """The UI tokens and route paths that ``path`` writes out instead of naming them."""
    source = path.read_text()
    found = [
        f"{literal} (use {name})" for literal, name in TOKEN_LITERALS.items() if literal in source
    ]
    paths = {value for name, value in vars(routes).items() if name.isupper() and value != "/"}
    tree = ast.parse(source)
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    found += [
        f'"{node.value}" (use cadence.routes)'
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in paths and id(node) not in docstrings
    ]
    return found


def test_ui_tokens_and_route_paths_are_defined_once() -> None:
    repeated = [
        f"{path.relative_to(PACKAGE.parent)}: {rule}"
        for layer in UI_LAYERS
        for path in _modules(layer)
        if path != TOKENS_MODULE
        for rule in _repeated_rules(path)
    ]
    assert not repeated, "\n".join(repeated)


def test_repeated_rules_are_seen(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""/workouts/log"""\nimport reflex as rx\n'
        'rx.button(min_height="44px", href="/workouts/log")\n'
    )
    assert _repeated_rules(sample) == ['"44px" (use TAP)', '"/workouts/log" (use cadence.routes)']
