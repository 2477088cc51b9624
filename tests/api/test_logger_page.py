"""``/workouts/log``: the live logger's page is served by the API app (it must load with no
Reflex websocket), holds no user data, carries a script-from-self-only CSP, the plate steps,
the e1RM rule and the workout limits."""

from __future__ import annotations

import dataclasses
import html
import json

from cadence.models.workout import MAX_EXERCISES, MAX_SETS, MAX_WEIGHT_KG
from cadence.services.strength import E1rmRule
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
    assert '<script src="/strength.js" defer></script>' in anonymous.text
    assert '<script src="/logger.js" defer></script>' in anonymous.text
    assert json.loads(html.unescape(_attribute(anonymous.text, "plate-steps"))) == PLATE_STEP
    rule = json.loads(html.unescape(_attribute(anonymous.text, "e1rm-rule")))
    assert rule == dataclasses.asdict(E1rmRule())
    limits = json.loads(html.unescape(_attribute(anonymous.text, "limits")))
    assert limits == {"rows": MAX_EXERCISES, "sets": MAX_SETS, "weight_kg": MAX_WEIGHT_KG}


def _attribute(page: str, name: str) -> str:
    return page.split(f'data-{name}="')[1].split('"')[0]
