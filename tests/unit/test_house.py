"""House rules: no file written by importing the app, and warnings from Cadence's code fail."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings

import pytest

from cadence.serve import build_key
from tests.e2e.conftest import ROOT


def _env(data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CADENCE_SECRET_KEY"}
    return env | {"CADENCE_DATA_DIR": str(data_dir)}


def test_importing_the_app_writes_no_secret_key_and_preflight_makes_it(tmp_path) -> None:
    data_dir = tmp_path / "fresh"
    env = _env(data_dir)
    imported = subprocess.run(
        [sys.executable, "-c", "import rxconfig, cadence.cadence"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert imported.returncode == 0, imported.stderr[-2000:]
    assert not (data_dir / "secret_key").exists()
    preflight = subprocess.run(
        [sys.executable, "-m", "cadence", "preflight", "--wait", "5"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert preflight.returncode == 0, preflight.stderr
    key_file = data_dir / "secret_key"
    assert len(key_file.read_text()) > 40
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_a_warning_from_cadence_code_fails_and_a_librarys_own_does_not() -> None:
    with pytest.raises(DeprecationWarning):
        warnings.warn_explicit("old", DeprecationWarning, "x.py", 1, module="cadence.services.x")
    with pytest.warns(DeprecationWarning):
        warnings.warn_explicit("old", DeprecationWarning, "x.py", 1, module="reflex.state")


def test_the_build_key_moves_with_every_input_and_only_with_them(tmp_path) -> None:
    for name in (
        "cadence/pages/a.py",
        "assets/logo.svg",
        "reflex.lock/package.json",
        "rxconfig.py",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("one")
    first = build_key(port=8000, settings={}, root=tmp_path)
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "cadence.db").write_text("rows")  # not an input
    (tmp_path / "cadence" / "__pycache__").mkdir()
    (tmp_path / "cadence" / "__pycache__" / "a.pyc").write_text("bytecode")
    assert build_key(port=8000, settings={}, root=tmp_path) == first
    for name in (
        "cadence/pages/a.py",
        "assets/logo.svg",
        "reflex.lock/package.json",
        "rxconfig.py",
    ):
        (tmp_path / name).write_text("two")
        assert build_key(port=8000, settings={}, root=tmp_path) != first, name
        (tmp_path / name).write_text("one")
    assert build_key(port=8000, settings={}, root=tmp_path) == first
    assert build_key(port=8001, settings={}, root=tmp_path) != first  # the build embeds the port
    assert build_key(port=8000, settings={"REFLEX_API_URL": "x"}, root=tmp_path) != first


def test_no_page_uses_an_api_reflex_deprecates(caplog) -> None:
    """`make run`'s start-up log stays free of Reflex's deprecation warnings (e.g. a form
    control submitted by its `id` instead of a `name`, removed in Reflex 0.11)."""
    import cadence.cadence as composition

    caplog.set_level(logging.DEBUG)
    for module in composition.PAGES:
        module.page().render()
    deprecations = [r.getMessage() for r in caplog.records if "deprecat" in r.getMessage()]
    assert deprecations == []
