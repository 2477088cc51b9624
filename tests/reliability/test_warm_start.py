"""``make run``'s server (``python -m cadence.serve``): the first start compiles and builds the
frontend and says nothing worse than info; a second start with unchanged sources serves that
build without rebuilding it, faster (``tests/unit/test_house.py``: a changed input, a new key)."""

from __future__ import annotations

import re
import time

import pytest

from cadence.serve import KEY_FILE, build_key, reflex_settings
from tests.e2e.conftest import ROOT, app_port
from tests.live import app_lock, database_url, migrate, server_env, start_app, stop

pytestmark = pytest.mark.slow
CURRENT = "the frontend build is current"


def _timed_start(env, name):
    started = time.monotonic()
    server = start_app(env, name=name, port=int(env["CADENCE_PORT"]))
    elapsed = time.monotonic() - started
    stop(server)
    return elapsed, server.log()


def test_a_second_start_reuses_the_build_and_the_log_has_no_warnings(tmp_path) -> None:
    env = server_env(tmp_path, database_url(tmp_path, "warm"), CADENCE_PORT=str(app_port()))
    env.pop("REFLEX_REDIS_URL", None)
    migrate(env)
    with app_lock():  # the checkout's shared build, on the port the later prod servers reuse
        (ROOT / ".web" / KEY_FILE).unlink(missing_ok=True)  # as before a first start: unbuilt
        cold, cold_log = _timed_start(env, "cold")
        assert CURRENT not in cold_log
        key = (ROOT / ".web" / KEY_FILE).read_text()
        assert key == build_key(port=int(env["CADENCE_PORT"]), settings=reflex_settings(env))
        warm, warm_log = _timed_start(env, "warm")
    assert not re.search(r"warn|deprecat|error", cold_log, re.IGNORECASE), cold_log[-3000:]
    assert CURRENT in warm_log
    assert "Creating Production Build" not in warm_log
    assert not re.search(r"warn|deprecat|error", warm_log, re.IGNORECASE), warm_log[-3000:]
    assert warm < cold, f"warm start {warm:.1f} s, cold {cold:.1f} s"
