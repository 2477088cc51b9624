"""The chat page's view of a proposed write: the stored answer's proposal becomes a card (with
what became of it) and its tool chip says it waits for Confirm, after a reload as while
streaming."""

from __future__ import annotations

from datetime import UTC, datetime

from cadence.models.chat import ChatActionPublic, ChatMessagePublic
from cadence.states.chat import ActionCard, chip_status, message_view

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)


def _action(status: str, href: str | None = None) -> ChatActionPublic:
    return ChatActionPublic(
        id="a" * 32,
        tool="log_workout",
        summary="Log 2026-12-02 Bench Press: Bench Press 3x8 @ 80 kg",
        status=status,
        result="Saved as workout #4" if status == "confirmed" else None,
        href=href,
        expires_at=NOW,
        confirm_url="/c",
        cancel_url="/x",
    )


def test_a_stored_proposal_is_a_card_and_a_waiting_chip() -> None:
    message = ChatMessagePublic(
        id=7,
        role="assistant",
        content="Ready when you are",
        created_at=NOW,
        tool_calls=[
            {
                "id": "t1",
                "name": "log_workout",
                "ok": True,
                "summary": "Not done yet",
                "action_id": "a" * 32,
            },
            {"id": "t2", "name": "list_workouts", "ok": True, "summary": "3 workouts"},
        ],
        actions=[_action("confirmed", href="/workouts/view?id=4")],
    )
    view = message_view(message)
    assert [chip.status for chip in view.tools] == ["proposed", "ok"]
    assert view.actions == [
        ActionCard(
            id="a" * 32,
            summary="Log 2026-12-02 Bench Press: Bench Press 3x8 @ 80 kg",
            status="confirmed",
            result="Saved as workout #4",
            href="/workouts/view?id=4",
        )
    ]


def test_chip_status() -> None:
    assert chip_status(ok=False, proposed=True) == "error"
    assert chip_status(ok=True, proposed=True) == "proposed"
    assert chip_status(ok=True, proposed=False) == "ok"
