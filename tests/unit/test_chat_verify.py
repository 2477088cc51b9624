"""The checker: numbers traced to tool results with the rounding and conversions a person
accepts, advice told apart from data claims, and labels and examples left alone."""

from __future__ import annotations

import datetime as dt

import pytest

from cadence.services.chat.verify import ToolOutput, check

TODAY = dt.date(2026, 12, 1)
SLEEP = ToolOutput(
    tool="get_sleep_history",
    arguments={"days": 7},
    data={
        "nights": 7,
        "last_night": {"date": "2026-11-30", "hours": 6.3, "score": 81},
        "avg_hours": 7.1,
        "need_hours": 8.0,
        "debt_hours": 3.2,
    },
    summary="Last night (2026-11-30): 6.3 h, sleep score 81.",
)
WEIGHT = ToolOutput(
    tool="get_metrics",
    arguments={"fields": ["weight_kg"], "start": "2026-06-01"},
    data={"fields": {"weight_kg": {"last": {"date": "2026-11-29", "value": 80.0}}}},
    summary="",
)


def _check(answer: str, *outputs: ToolOutput):
    return check(answer=answer, outputs=outputs or (SLEEP,), today=TODAY)


@pytest.mark.parametrize(
    "answer",
    [
        "You slept 6.3 h.",
        "You slept 22 680 s.",
        "You slept 378 min.",
        "You slept 6 hours.",  # rounded as a person would
        "That is 79 % of 8 h.",  # a share of a stated whole
    ],
)
def test_rounding_and_conversions_are_accepted(answer: str) -> None:
    result = _check(answer)
    assert [s.text for s in result.unverified] == []
    assert result.verified[0].tool == "get_sleep_history"
    assert result.verified[0].field == "last_night.hours"
    assert result.verified[0].day == "2026-11-30"


def test_kilograms_and_pounds_are_the_same_weight() -> None:
    kg = _check("You weigh 80 kg.", WEIGHT)
    lb = _check("You weigh 176.4 lb.", WEIGHT)
    assert kg.verified[0].field == lb.verified[0].field == "fields.weight_kg.last.value"
    assert lb.verified[0].day == "2026-11-29"
    assert _check("You weigh 190 lb.", WEIGHT).unverified[0].text == "190 lb"


def test_a_wrong_number_and_a_wrong_day_are_unverified() -> None:
    result = _check("You slept 7.9 h on 2026-11-29, HRV 55 ms.")
    assert [s.text for s in result.unverified] == ["7.9 h", "2026-11-29", "55 ms"]
    assert result.verified == []
    assert result.faithfulness == 0.0


def test_advice_is_not_a_data_claim() -> None:
    result = _check("Last night was 6.3 h. You should sleep 8.5 h tonight.")
    assert [s.text for s in result.advice] == ["8.5 h"]
    assert [s.text for s in result.verified] == ["6.3 h"]
    assert result.stated == 1 and result.faithfulness == 1.0


def test_offsets_index_the_answer() -> None:
    answer = "Score **81**, debt 3.2 h (range 6.3-7.1 h)."
    result = _check(answer)
    assert [answer[s.start : s.end] for s in result.verified] == [s.text for s in result.verified]
    assert [s.text for s in result.verified] == ["81", "3.2 h", "6.3", "7.1 h"]


def test_thresholds_are_cadences_definitions_only_where_quoted_as_thresholds() -> None:
    flagged = _check("Sleep debt is 3.2 h, above the 2 h flag.")
    assert flagged.verified[-1].field == "analytics.SLEEP_DEBT_FLAG_HOURS"
    claimed = _check("Your sleep debt is 2 h.")
    assert [s.text for s in claimed.unverified] == ["2 h"]


def test_labels_and_quoted_examples_are_not_claims() -> None:
    result = _check('Workout #12 in zone 2: try "Log bench press 3x8 at 80 kg".')
    assert result.stated == 0 and result.advice == []


def test_earlier_tool_summaries_count_and_text_numbers_keep_their_day() -> None:
    earlier = ToolOutput(
        tool="get_hrv_trend",
        arguments={},
        data=None,
        summary=("HRV latest 52 ms (2026-11-30); 14-day average 55 ms over 12 readings."),
    )
    result = _check("Your HRV was 52 ms and averages 55 ms.", SLEEP, earlier)
    assert [(s.tool, s.field, s.day) for s in result.verified] == [
        ("get_hrv_trend", "summary", "2026-11-30"),
        ("get_hrv_trend", "summary", None),
    ]


def test_the_system_prompt_takes_thresholds_from_analytics(monkeypatch) -> None:
    from cadence.services import analytics
    from cadence.services.chat.prompts import build_system_prompt

    monkeypatch.setattr(analytics, "ACWR_FLAG", 1.4)
    monkeypatch.setattr(analytics, "GREEN_MIN", 70)
    prompt = build_system_prompt(display_name="A", today=TODAY, coaching_profile="")
    assert "ACWR) above 1.4" in prompt and "green ≥ 70, yellow 34-69" in prompt


RUN = ToolOutput(
    tool="get_activity",
    arguments={"date": "2026-11-29"},
    data={
        "date": "2026-11-29",
        "distance_m": 2574.9,
        "duration_s": 2712.0,
        "avg_hr": 148.0,
        "sets": 3,
        "reps": 8,
        "e1rm_change_kg": -2.5,
        "score": 72,
    },
    summary="",
)


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ("You ran 1.6 mi.", "distance_m"),
        ("You ran 2.6 km.", "distance_m"),
        ("It took 45:12.", "duration_s"),
        ("It took 45 min.", "duration_s"),
        ("Average 148 bpm.", "avg_hr"),
        ("Your e1RM is down 2.5 kg.", "e1rm_change_kg"),
        ("Readiness 72/100.", "score"),
        ("| Readiness | 72 |", "score"),
        ("That was on 29 Nov.", "date"),
    ],
)
def test_the_claims_the_docs_list_are_traced(answer: str, field: str) -> None:
    result = _check(answer, RUN)
    assert result.unverified == [], answer
    assert [s.field for s in result.verified] == [field], answer


def test_both_numbers_of_sets_and_reps_are_claims() -> None:
    result = _check("You did 3 x 8 and then 4 x 8.", RUN)
    assert [s.text for s in result.verified] == ["3", "8", "8"]
    assert [s.text for s in result.unverified] == ["4"]
