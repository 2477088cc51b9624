"""``/workouts/log``: the live logger's page is served by the API app (it must load with no
Reflex websocket), holds no user data, carries a script-from-self-only CSP and the plate steps."""

from __future__ import annotations

import html
import json

from cadence.services.strength import MAX_E1RM_REPS
from cadence.services.units import PLATE_STEP


def test_logger_page_is_static_strict_and_carries_the_plate_steps(client, account) -> None:
    anonymous = client.get("/workouts/log")
    signed_in = client.get("/workouts/log", headers=account.headers)
    assert anonymous.status_code == 200
    assert anonymous.text == signed_in.text  # the same shell for everyone: no user data in it
    assert account.email not in signed_in.text
    assert client.get("/workouts/log/").text == anonymous.text  # prod's trailing-slash form
    csp = anonymous.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert anonymous.headers["x-content-type-options"] == "nosniff"
    assert len(anonymous.headers.get_list("x-content-type-options")) == 1
    assert '<script src="/logger.js" defer></script>' in anonymous.text
    steps = anonymous.text.split('data-plate-steps="')[1].split('"')[0]
    assert json.loads(html.unescape(steps)) == PLATE_STEP
    assert f'data-e1rm-max-reps="{MAX_E1RM_REPS}"' in anonymous.text
