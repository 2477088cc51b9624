"""Conversations and their messages, always scoped to the owner (another user's → ``NotFound``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from cadence.models.chat import (
    MAX_TITLE_LENGTH,
    ChatAction,
    ChatActionPublic,
    ChatMessage,
    ChatMessagePublic,
    Conversation,
    ConversationPublic,
    Verification,
)
from cadence.models.common import utcnow
from cadence.services.chat.verify import ToolOutput
from cadence.services.errors import InvalidInput, NotFound

HISTORY_MESSAGES = 20


def get_conversation(*, session: Session, user_id: int, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.user_id != user_id:
        raise NotFound("Conversation not found.")
    return conversation


def list_conversations(
    *, session: Session, user_id: int, conversation_id: int | None = None
) -> list[ConversationPublic]:
    """The user's conversations (or just ``conversation_id``), most recently updated first, with
    their message counts."""
    counts = (
        select(ChatMessage.conversation_id, func.count().label("n"))
        .group_by(ChatMessage.conversation_id)
        .subquery()
    )
    query = (
        select(Conversation, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.conversation_id == Conversation.id)
        .where(Conversation.user_id == user_id)
        .order_by(col(Conversation.updated_at).desc(), col(Conversation.id).desc())
    )
    if conversation_id is not None:
        query = query.where(Conversation.id == conversation_id)
    rows = session.exec(query).all()
    return [
        ConversationPublic(
            id=conv.id,
            title=conv.title,
            created_at=conv.created_at,
            updated_at=conv.updated_at,
            message_count=count,
        )
        for conv, count in rows
    ]


def list_messages(
    *, session: Session, user_id: int, conversation_id: int
) -> list[ChatMessagePublic]:
    """Every message of one of the user's conversations, oldest first."""
    get_conversation(session=session, user_id=user_id, conversation_id=conversation_id)
    messages = session.exec(
        select(ChatMessage)
        .where(ChatMessage.conversation_id == conversation_id)
        .order_by(col(ChatMessage.id))
    ).all()
    actions = _actions_by_message(session=session, conversation_id=conversation_id)
    return [
        ChatMessagePublic(
            id=m.id,
            role=m.role,
            content=m.content,
            created_at=m.created_at,
            status=m.status,
            model_id=m.model_id,
            tool_calls=m.tool_calls,
            charts=m.charts,
            verify=Verification.model_validate(m.verify) if m.verify else None,
            actions=actions.get(m.id, []),
        )
        for m in messages
    ]


def _actions_by_message(
    *, session: Session, conversation_id: int
) -> dict[int, list[ChatActionPublic]]:
    """The writes the conversation's answers proposed, by the message that proposed them."""
    now = utcnow()
    found: dict[int, list[ChatActionPublic]] = {}
    for action in session.exec(
        select(ChatAction)
        .where(
            ChatAction.conversation_id == conversation_id, col(ChatAction.message_id).is_not(None)
        )
        .order_by(col(ChatAction.created_at))
    ).all():
        found.setdefault(action.message_id, []).append(ChatActionPublic.of(action, now=now))
    return found


def conversation_summary(
    *, session: Session, user_id: int, conversation_id: int
) -> ConversationPublic:
    """One of the user's conversations with its message count (another user's → ``NotFound``)."""
    found = list_conversations(session=session, user_id=user_id, conversation_id=conversation_id)
    if not found:
        raise NotFound("Conversation not found.")
    return found[0]


def rename_conversation(
    *, session: Session, user_id: int, conversation_id: int, title: str
) -> ConversationPublic:
    """Give a conversation a title of the user's own (spaces collapsed, never blank)."""
    conversation = get_conversation(
        session=session, user_id=user_id, conversation_id=conversation_id
    )
    cleaned = " ".join(title.split())
    if not cleaned:
        raise InvalidInput("Give the conversation a title.", field="title")
    if len(cleaned) > MAX_TITLE_LENGTH:
        raise InvalidInput(f"A title has at most {MAX_TITLE_LENGTH} characters.", field="title")
    conversation.title = cleaned
    session.add(conversation)
    session.flush()
    return conversation_summary(session=session, user_id=user_id, conversation_id=conversation_id)


def unanswered_message(*, session: Session, user_id: int, conversation_id: int) -> ChatMessage:
    """The last user message of a conversation whose answer failed or never came, ready to be
    answered again: a failed empty answer is removed so it is not shown as an empty bubble.

    ``InvalidInput`` when the last message already has an answer (nothing to retry)."""
    get_conversation(session=session, user_id=user_id, conversation_id=conversation_id)
    last_two = session.exec(
        select(ChatMessage)
        .where(ChatMessage.conversation_id == conversation_id)
        .order_by(col(ChatMessage.id).desc())
        .limit(2)
    ).all()
    if last_two and last_two[0].role == "assistant" and last_two[0].status == "error":
        failed, last_two = last_two[0], last_two[1:]
        if not failed.content and not failed.tool_calls:
            session.delete(failed)
            session.flush()
    if not last_two or last_two[0].role != "user":
        raise InvalidInput("There is no unanswered question to retry.", field="conversation_id")
    return last_two[0]


def delete_conversation(*, session: Session, user_id: int, conversation_id: int) -> None:
    """Delete a conversation and its messages."""
    conversation = get_conversation(
        session=session, user_id=user_id, conversation_id=conversation_id
    )
    session.exec(delete(ChatMessage).where(col(ChatMessage.conversation_id) == conversation_id))
    session.delete(conversation)
    session.flush()


def add_user_message(
    *, session: Session, user_id: int, conversation_id: int | None, content: str
) -> ChatMessage:
    """Store the user's message, starting a conversation (titled after it) when none is given."""
    if conversation_id is None:
        conversation = Conversation(user_id=user_id, title=make_title(content))
        session.add(conversation)
        session.flush()
    else:
        conversation = get_conversation(
            session=session, user_id=user_id, conversation_id=conversation_id
        )
    conversation.updated_at = utcnow()
    message = ChatMessage(conversation_id=conversation.id, role="user", content=content)
    session.add_all([conversation, message])
    session.flush()
    return message


def save_assistant_message(
    *,
    session: Session,
    conversation_id: int,
    content: str,
    status: str,
    model_id: str | None,
    tool_calls: list[dict[str, Any]],
    charts: list[dict[str, Any]],
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
    verification: Verification | None = None,
) -> ChatMessage:
    """Store the assistant's answer (``status`` ``partial``/``error`` keeps what streamed) with
    its checked numbers; ``numbers_stated``/``numbers_verified`` feed the usage figures."""
    message = ChatMessage(
        conversation_id=conversation_id,
        role="assistant",
        content=content,
        status=status,
        model_id=model_id,
        tool_calls=tool_calls or None,
        charts=charts or None,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        verify=verification.model_dump(mode="json") if verification else None,
        numbers_stated=verification.stated if verification else None,
        numbers_verified=len(verification.verified) if verification else None,
    )
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        conversation.updated_at = utcnow()
        session.add(conversation)
    session.add(message)
    session.flush()
    return message


def history(
    *, session: Session, conversation_id: int, before_message_id: int
) -> list[dict[str, str]]:
    """The last turns before ``before_message_id`` as chat-completions messages (text only)."""
    rows = session.exec(
        select(ChatMessage)
        .where(
            ChatMessage.conversation_id == conversation_id,
            col(ChatMessage.id) < before_message_id,
        )
        .order_by(col(ChatMessage.id).desc())
        .limit(HISTORY_MESSAGES)
    ).all()
    return [{"role": m.role, "content": m.content} for m in reversed(rows) if m.content]


def earlier_tool_outputs(
    *, session: Session, conversation_id: int, before_message_id: int
) -> tuple[ToolOutput, ...]:
    """The tool calls of the conversation's recent answers (name, arguments, summary)."""
    rows = session.exec(
        select(ChatMessage.tool_calls)
        .where(
            ChatMessage.conversation_id == conversation_id,
            col(ChatMessage.id) < before_message_id,
            ChatMessage.role == "assistant",
        )
        .order_by(col(ChatMessage.id).desc())
        .limit(HISTORY_MESSAGES)
    ).all()
    return tuple(
        ToolOutput(
            tool=str(call.get("name", "")),
            arguments=call.get("arguments") or {},
            data=None,
            summary=str(call.get("summary", "")),
        )
        for calls in rows
        for call in calls or []
        if call.get("ok")
    )


def make_title(content: str) -> str:
    """The first line of the first message, shortened to fit the list."""
    line = " ".join(content.split())
    limit = min(60, MAX_TITLE_LENGTH)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
