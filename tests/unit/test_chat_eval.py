"""``python -m cadence eval`` end to end: the offline coach scores 100 % on what it covers and
says so where it cannot answer; a scripted model's wrong number is caught as invented."""
# ruff: noqa: F811  (pytest fixtures imported from tests.fakes.chat_fixtures)

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cadence import cli
from cadence.services.chat import offline
from tests.fakes.chat_fixtures import fake_llm  # noqa: F401
from tests.fakes.openai_server import Text, ToolCalls


def _run(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "eval.json"
    assert cli.main(["eval", *args, "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_offline_coach_is_exact_on_what_it_covers(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(offline, "TOKEN_DELAY_SECONDS", 0)
    report = _run(tmp_path, "--offline")
    results, summary = report["questions"], report["summary"]
    assert len(results) == summary["questions"] >= 60
    assert len({r["user"] for r in results}) == 6
    covered = [r for r in results if r["covered"]]
    assert covered and summary["facts_required"] > 60
    for r in covered:
        assert r["tools_right"], r["id"]
        assert r["facts_missed"] == [], (r["id"], r["answer"])
        assert r["invented"] == [], (r["id"], r["answer"])
        assert r["admitted_missing"] and not r["said_forbidden"], (r["id"], r["answer"])
    for r in results:
        if not r["covered"]:  # honest about what it cannot answer
            assert "offline coach" in r["answer"] and r["invented"] == []
    assert summary["faithfulness"] == 1.0 and summary["honest"] == summary["questions"]
    table = capsys.readouterr().out
    assert "| sleep_last@demo | ok | 0/3 |" in table and "faithfulness 100.0%" in table


def test_a_models_wrong_number_is_caught(tmp_path, fake_llm, monkeypatch) -> None:
    fake_llm.queue(
        ToolCalls([("get_sleep_history", json.dumps({"days": 7}))]),
        Text("Last night you slept 9.9 h. Aim for 8.5 h tonight."),
    )
    report = _run(
        tmp_path,
        "--base-url",
        fake_llm.base_url,
        "--model",
        "fake/model",
        "--only",
        "sleep_last@demo",
    )
    [result] = report["questions"]
    assert result["tools_called"] == ["get_sleep_history"] and result["tools_right"]
    assert result["invented"] == ["9.9 h"] and result["advice"] == ["8.5 h"]
    assert result["numbers_verified"] == 0 and result["faithfulness"] == 0.0
    assert "get_sleep_history.last_night.hours" in result["facts_missed"]
    assert result["tokens"] > 0 and result["first_token_ms"] is not None
    assert report["summary"]["model"] == "fake/model"


def test_a_models_right_numbers_are_verified(tmp_path, fake_llm) -> None:
    fake_llm.queue(ToolCalls([("get_sleep_history", json.dumps({"days": 7}))]))
    # the scripted answer is written after the tool ran: read the truth the same way the eval does
    from cadence.services.chat import evaluation

    with cli._eval_environment(base_url=fake_llm.base_url):
        users = evaluation.create_users()
        truth = evaluation.execute_tool(
            user_id=users["demo"],
            today=evaluation.EVAL_TODAY,
            name="get_sleep_history",
            arguments={"days": 7},
        ).payload()
        night = truth["last_night"]
        fake_llm.queue(Text(f"On {night['date']} you slept {night['hours']} h."))
        import asyncio

        only = [q for q in evaluation.questions() if q.id == "sleep_last@demo"]
        report = asyncio.run(evaluation.run_eval(model_id="fake/model", user_ids=users, only=only))
    [result] = report.questions
    assert result.invented == [] and result.numbers_verified == 2
    assert result.faithfulness == 1.0


@pytest.mark.parametrize("args", [["--base-url", "http://127.0.0.1:9/v1"]])
def test_base_url_needs_a_model(args, capsys) -> None:
    assert cli.main(["eval", *args]) == 2
    assert "--model" in capsys.readouterr().err
