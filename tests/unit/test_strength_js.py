"""The live logger's PR rule (``assets/strength.js``, run here in node, as the browser runs it)
agrees with the server's (``services/strength.py``) on the same sets: the same e1RM to the
hundredth, and a session is an e1RM or weight PR in the logger exactly when ``detect_prs``
says so. The script gets the rule's parameters from ``E1rmRule``, as the logger page gives them."""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from cadence.services.strength import E1rmRule, SessionBest, detect_prs, epley

SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "strength.js"
NODE = shutil.which("node")
# node runs the browser script in a context whose `self` is the context, as in a page
DRIVER = """
const vm = require("vm");
const fs = require("fs");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const scope = {};
scope.self = scope;
vm.runInNewContext(fs.readFileSync(input.script, "utf8"), scope);
const S = scope.CadenceStrength;
const e1rms = input.sets.map(([kg, reps]) => S.e1rm(input.rule, kg, reps));
const sessions = input.sessions.map(({ history, sets }) => {
  const flags = { e1rm: false, weight: false };
  const earlier = [];
  for (const set of sets) {
    const found = S.prFlags(input.rule, history, earlier, set);
    flags.e1rm = flags.e1rm || found.e1rm;
    flags.weight = flags.weight || found.weight;
    earlier.push(set);
  }
  return flags;
});
process.stdout.write(JSON.stringify({ e1rms, sessions }));
"""

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def _run(payload: dict) -> dict:
    done = subprocess.run(
        [NODE, "-e", DRIVER],
        input=json.dumps(
            {"script": str(SCRIPT), "rule": dataclasses.asdict(E1rmRule()), **payload}
        ),
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return json.loads(done.stdout)


def _sets(rng: random.Random) -> list[dict]:
    """A session's sets: plate weights, the odd lb-converted or bodyweight one, some warm-ups."""
    sets = []
    for _ in range(rng.randint(1, 5)):
        kg = rng.choice([rng.randint(0, 80) * 2.5, round(rng.randint(20, 400) * 0.45359237, 3)])
        sets.append(
            {
                "kg": kg,
                "reps": rng.randint(1, 15),
                "type": rng.choice(["normal", "normal", "normal", "warmup", "drop", "failure"]),
            }
        )
    return sets


def _session_best(sets: list[dict]) -> SessionBest:
    """What the server stores of a session: its working sets' best e1RM and top weight."""
    working = [s for s in sets if s["type"] != "warmup"]
    estimates = [e for e in (epley(s["kg"], s["reps"]) for s in working) if e is not None]
    return SessionBest(
        e1rm_kg=max(estimates) if estimates else None,
        top_weight_kg=max(s["kg"] for s in working) if working else None,
    )


def test_e1rm_agrees_to_the_hundredth_including_ties_and_the_rep_cap() -> None:
    weights = (0, 30.125, 30.375, 60, 61.235, 100, 102.058)
    sets = [(kg, reps) for kg in weights for reps in range(0, 15)]
    sets += [(0.125, 1), (0.375, 1), (2.5, 12), (2.5, 13)]
    found = _run({"sets": sets, "sessions": []})["e1rms"]
    assert found == [epley(kg, reps) for kg, reps in sets]
    assert epley(30.125, 1) == 30.12  # Python rounds a tie to even: the script must too


def test_pr_flags_agree_with_detect_prs_over_many_histories() -> None:
    rng = random.Random(13)
    histories = [[_sets(rng) for _ in range(rng.randint(1, 6))] for _ in range(150)]
    sessions = []
    expected = []
    for history in histories:
        bests = [_session_best(sets) for sets in history]
        flags = detect_prs(bests)
        for index, sets in enumerate(history):
            earlier = bests[:index]
            e1rms = [b.e1rm_kg for b in earlier if b.e1rm_kg is not None]
            weights = [b.top_weight_kg for b in earlier if b.top_weight_kg is not None]
            # the bests the logger gets from /exercises/previous: null before any such value
            stored = {"e1rm": max(e1rms, default=None), "weight": max(weights, default=None)}
            sessions.append({"history": stored, "sets": sets})
            expected.append({"e1rm": flags[index].e1rm, "weight": flags[index].weight})
    assert _run({"sets": [], "sessions": sessions})["sessions"] == expected
    assert any(item["e1rm"] for item in expected) and any(item["weight"] for item in expected)
    assert not all(item["e1rm"] for item in expected)
