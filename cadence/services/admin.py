"""Administration: the user list with usage figures, disabling accounts and granting admin.

Every function takes the acting user (``actor``) and raises ``NotFound`` unless they are an active
admin, so the admin surface does not even reveal that it exists to anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from cadence.models.chat import ChatMessage, Conversation
from cadence.models.common import utcnow
from cadence.models.device import DeviceConnection
from cadence.models.user import User
from cadence.models.workout import Workout
from cadence.services.chat import limits
from cadence.services.errors import Conflict, InvalidInput, NotFound

NOT_FOUND = "Not found."
MAX_PER_PAGE = 100
MAX_QUERY_LENGTH = 200
UserSort = Literal["created", "email", "name", "last_active"]
SORT_COLUMNS = {
    "created": User.created_at,
    "email": User.email,
    "name": User.display_name,
    "last_active": User.last_active_at,
}


@dataclass(frozen=True, slots=True)
class UserUsage:
    """One row of the admin user list."""

    id: int
    email: str
    display_name: str
    is_admin: bool
    is_active: bool
    created_at: datetime
    last_active_at: datetime | None
    workouts: int
    devices: int
    conversations: int
    chat_messages: int
    chat_tokens: int
    chat_tokens_today: int


@dataclass(frozen=True, slots=True)
class ModelUsage:
    """One model's answers: tokens and faithfulness (numbers found in the data / numbers stated)."""

    model_id: str
    answers: int
    tokens: int
    numbers_stated: int
    numbers_verified: int

    @property
    def faithfulness(self) -> float | None:
        return self.numbers_verified / self.numbers_stated if self.numbers_stated else None


@dataclass(frozen=True, slots=True)
class UserPage:
    """One page of the user list: the rows, and how many accounts match in all."""

    users: list[UserUsage]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def require_admin(actor: User) -> None:
    """``NotFound`` unless ``actor`` is an active admin (non-admins never learn the page exists)."""
    if not (actor.is_admin and actor.is_active):
        raise NotFound(NOT_FOUND)


def _counts_by_user(session: Session, statement) -> dict[int, int]:
    return {user_id: int(count or 0) for user_id, count in session.exec(statement).all()}


def list_users(
    *,
    session: Session,
    actor: User,
    query: str = "",
    sort: UserSort = "created",
    descending: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> UserPage:
    """One page of accounts matching ``query`` (in the email or the name), sorted in the
    database, with workouts, connected devices and chat usage counted for that page only."""
    require_admin(actor)
    if sort not in SORT_COLUMNS:
        raise InvalidInput(f"Sort by one of {', '.join(SORT_COLUMNS)}.", field="sort")
    if not 1 <= per_page <= MAX_PER_PAGE or page < 1:
        raise InvalidInput(f"Pages start at 1 and hold 1-{MAX_PER_PAGE} users.", field="page")
    needle = " ".join(query.split())[:MAX_QUERY_LENGTH].lower()
    where = []
    if needle:
        where.append(
            or_(
                func.lower(User.email).contains(needle, autoescape=True),
                func.lower(User.display_name).contains(needle, autoescape=True),
            )
        )
    total = session.exec(select(func.count()).select_from(User).where(*where)).one()
    column = col(SORT_COLUMNS[sort])
    order = column.desc().nulls_last() if descending else column.asc().nulls_first()
    users = session.exec(
        select(User)
        .where(*where)
        .order_by(order, col(User.id).desc() if descending else col(User.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return UserPage(users=_usage(session, list(users)), total=total, page=page, per_page=per_page)


def user_usage(*, session: Session, actor: User, user_id: int) -> UserUsage:
    """One account's row of the user list."""
    return _usage(session, [_target(session, actor, user_id)])[0]


def _usage(session: Session, users: list[User]) -> list[UserUsage]:
    ids = [u.id for u in users]
    workouts = _counts_by_user(
        session,
        select(Workout.user_id, func.count())
        .where(col(Workout.user_id).in_(ids))
        .group_by(Workout.user_id),
    )
    devices = _counts_by_user(
        session,
        select(DeviceConnection.user_id, func.count())
        .where(DeviceConnection.credentials.is_not(None), col(DeviceConnection.user_id).in_(ids))
        .group_by(DeviceConnection.user_id),
    )
    conversations = _counts_by_user(
        session,
        select(Conversation.user_id, func.count())
        .where(col(Conversation.user_id).in_(ids))
        .group_by(Conversation.user_id),
    )
    sent = _counts_by_user(
        session,
        select(Conversation.user_id, func.sum(case((ChatMessage.role == "user", 1), else_=0)))
        .join(ChatMessage, ChatMessage.conversation_id == Conversation.id)
        .where(col(Conversation.user_id).in_(ids))
        .group_by(Conversation.user_id),
    )
    tokens = limits.tokens_by_user(session=session)
    today = limits.tokens_by_user(session=session, since=limits.utc_day_start(utcnow()))
    return [
        UserUsage(
            id=u.id,
            email=u.email,
            display_name=u.display_name,
            is_admin=u.is_admin,
            is_active=u.is_active,
            created_at=u.created_at,
            last_active_at=u.last_active_at,
            workouts=workouts.get(u.id, 0),
            devices=devices.get(u.id, 0),
            conversations=conversations.get(u.id, 0),
            chat_messages=sent.get(u.id, 0),
            chat_tokens=tokens.get(u.id, 0),
            chat_tokens_today=today.get(u.id, 0),
        )
        for u in users
    ]


def model_usage(*, session: Session, actor: User) -> list[ModelUsage]:
    """Every model that answered, most answers first: which model invents numbers."""
    require_admin(actor)
    rows = session.exec(
        select(
            ChatMessage.model_id,
            func.count(),
            func.sum(
                func.coalesce(ChatMessage.prompt_tokens, 0)
                + func.coalesce(ChatMessage.completion_tokens, 0)
            ),
            func.sum(func.coalesce(ChatMessage.numbers_stated, 0)),
            func.sum(func.coalesce(ChatMessage.numbers_verified, 0)),
        )
        .where(ChatMessage.role == "assistant", ChatMessage.model_id.is_not(None))
        .group_by(ChatMessage.model_id)
        .order_by(func.count().desc(), ChatMessage.model_id)
    ).all()
    return [
        ModelUsage(
            model_id=model_id,
            answers=int(answers),
            tokens=int(tokens or 0),
            numbers_stated=int(stated or 0),
            numbers_verified=int(verified or 0),
        )
        for model_id, answers, tokens, stated, verified in rows
    ]


def _target(session: Session, actor: User, user_id: int) -> User:
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    return user


def set_active(*, session: Session, actor: User, user_id: int, active: bool) -> User:
    """Disable or re-enable an account. Disabling bumps the token version, so every token the
    user holds stops working at once (re-enabling does not bring the old tokens back)."""
    user = _target(session, actor, user_id)
    if user.id == actor.id and not active:
        raise Conflict("You cannot disable your own account.")
    if user.is_active != active:
        user.is_active = active
        user.token_version += 1
        user.updated_at = utcnow()
        session.add(user)
        session.flush()
    return user


def set_admin(*, session: Session, actor: User, user_id: int, is_admin: bool) -> User:
    """Grant or revoke admin rights; an admin cannot revoke their own (someone must remain)."""
    user = _target(session, actor, user_id)
    if user.id == actor.id and not is_admin:
        raise Conflict("You cannot remove your own admin rights.")
    user.is_admin = is_admin
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return user


def make_admin_by_email(*, session: Session, email: str) -> User:
    """Command-line bootstrap (``python -m cadence create-admin``): no acting user needed."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(f"No account with the email {email.strip().lower()}.")
    user.is_admin = True
    user.is_active = True
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return user
