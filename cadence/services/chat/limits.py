"""Per-user chat limits: turns per minute (any model, ``CADENCE_CHAT_MAX_PER_MINUTE``) and a
daily token budget on a shared key (``CADENCE_CHAT_DAILY_TOKEN_BUDGET``, per UTC day).

The budget counts the tokens models reported for messages stored today; a turn that starts
under the budget may finish above it (the provider reports usage only at the end).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import func
from sqlmodel import Session, select

from cadence.config import get_settings
from cadence.models.chat import ChatMessage, Conversation
from cadence.models.common import utcnow
from cadence.services.errors import RateLimited
from cadence.services.ratelimit import SlidingWindowLimiter

TURN_WINDOW_SECONDS = 60


@lru_cache
def get_turn_limiter() -> SlidingWindowLimiter:
    return SlidingWindowLimiter(
        max_events=get_settings().chat_max_per_minute, window_seconds=TURN_WINDOW_SECONDS
    )


def utc_day_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def tokens_by_user(
    *, session: Session, since: datetime | None = None, user_id: int | None = None
) -> dict[int, int]:
    """Prompt + completion tokens per user (messages stored at or after ``since``; one user
    when ``user_id`` is given)."""
    statement = (
        select(
            Conversation.user_id,
            func.sum(
                func.coalesce(ChatMessage.prompt_tokens, 0)
                + func.coalesce(ChatMessage.completion_tokens, 0)
            ),
        )
        .join(ChatMessage, ChatMessage.conversation_id == Conversation.id)
        .group_by(Conversation.user_id)
    )
    if since is not None:
        statement = statement.where(ChatMessage.created_at >= since)
    if user_id is not None:
        statement = statement.where(Conversation.user_id == user_id)
    return {owner: int(total or 0) for owner, total in session.exec(statement).all()}


def tokens_today(*, session: Session, user_id: int) -> int:
    since = utc_day_start(utcnow())
    return tokens_by_user(session=session, since=since, user_id=user_id).get(user_id, 0)


def check_turn(*, session: Session, user_id: int, on_shared_key: bool) -> None:
    """``RateLimited`` when the user is over the budget (shared key) or the turn rate; else the
    turn is counted."""
    budget = get_settings().chat_daily_token_budget
    if on_shared_key and budget and tokens_today(session=session, user_id=user_id) >= budget:
        now = utcnow()
        wait = math.ceil((utc_day_start(now) + timedelta(days=1) - now).total_seconds())
        raise RateLimited(
            f"You have used today's {budget:,} tokens on this server's shared key. It renews "
            "at 00:00 UTC; your own key (Settings → LLM key) or the offline coach work now.",
            retry_after=max(1, wait),
        )
    wait = get_turn_limiter().acquire(str(user_id))
    if wait:
        raise RateLimited(
            f"That is a lot of messages at once: try again in {wait} seconds.", retry_after=wait
        )
