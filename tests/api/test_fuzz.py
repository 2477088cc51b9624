"""A bounded schemathesis run inside ``make test``: every operation of a real uvicorn server
(migrated database, authenticated user) gets generated requests; no 5xx, and every status,
header and body must match the OpenAPI document. ``make fuzz`` runs the long version against
``reflex run --env prod``."""

from __future__ import annotations

import pytest

from tests.fuzz.run import fuzz

pytestmark = pytest.mark.slow


def test_fuzz_every_operation_bounded() -> None:
    code, cases = fuzz(server_kind="api", examples=8, max_time=75)
    assert cases >= 300, f"only {cases} cases were generated"
    assert code == 0, "schemathesis found failures: see the output above"
