"""Every server a reliability test starts is stopped when the test ends, passed or failed
(a module's shared server, started before the test, is its fixture's to stop)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.live import running, stop_all_but


@pytest.fixture(autouse=True)
def no_server_outlives_its_test() -> Iterator[None]:
    before = running()
    yield
    stop_all_but(before)
