"""``/workouts/log``: the live workout logger, a static page (``assets/logger.html``) whose own
script (``assets/logger.js``) talks to the REST API, so it works with no signal (see
docs/architecture.md). The page holds no user data; the plate steps (``units``), the e1RM
rule's parameters (``strength.E1rmRule``, read by ``assets/strength.js``) and the workout limits
are filled in here, so the script keeps the server's rules."""

from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from cadence.models.gym import LOGGER_ROUTE
from cadence.models.workout import MAX_EXERCISES, MAX_SETS, MAX_WEIGHT_KG
from cadence.services.strength import E1rmRule
from cadence.services.units import PLATE_STEP

PAGE_FILE = Path(__file__).resolve().parents[2] / "assets" / "logger.html"
LIMITS = {"rows": MAX_EXERCISES, "sets": MAX_SETS, "weight_kg": MAX_WEIGHT_KG}
"""What a workout or routine may hold, for the script to say in words before the server does."""
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@lru_cache(maxsize=1)
def _page() -> str:
    return (
        PAGE_FILE.read_text(encoding="utf-8")
        .replace("__PLATE_STEPS__", _attribute(PLATE_STEP))
        .replace("__E1RM_RULE__", _attribute(dataclasses.asdict(E1rmRule())))
        .replace("__LIMITS__", _attribute(LIMITS))
    )


def _attribute(value: object) -> str:
    """``value`` as JSON inside a double-quoted HTML attribute."""
    return json.dumps(value).replace('"', "&quot;")


async def logger_page() -> HTMLResponse:
    return HTMLResponse(
        _page(),
        # nosniff, frame and referrer headers come from the security middleware, as everywhere
        headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"},
    )


def install(api: FastAPI) -> None:
    """Serve the logger page ahead of the web UI's own routes."""
    for path in (LOGGER_ROUTE, f"{LOGGER_ROUTE}/"):
        api.add_api_route(path, logger_page, methods=["GET"], include_in_schema=False)
