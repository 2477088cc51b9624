"""``/conversations``: the user's chat history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from cadence.api.deps import CurrentUser, ResourceId, SessionDep
from cadence.api.responses import error_responses
from cadence.models.chat import (
    ACTION_ID_LENGTH,
    ActionConfirm,
    ChatActionPublic,
    ChatMessagesResponse,
    ConversationPublic,
    ConversationsResponse,
    ConversationUpdate,
)
from cadence.services.chat import conversations, pending

router = APIRouter(prefix="/conversations", tags=["chat"])
ActionId = Annotated[
    str,
    Path(
        min_length=ACTION_ID_LENGTH,
        max_length=ACTION_ID_LENGTH,
        pattern="^[0-9a-f]+$",
        description="The proposal's id (the `pending.id` of its `tool_end` event).",
    ),
]


@router.get("", response_model=ConversationsResponse, responses=error_responses(401))
def list_conversations(user: CurrentUser, session: SessionDep) -> ConversationsResponse:
    """The user's conversations, most recent first."""
    return ConversationsResponse(
        conversations=conversations.list_conversations(session=session, user_id=user.id)
    )


@router.get(
    "/{conversation_id}", response_model=ConversationPublic, responses=error_responses(401, 404)
)
def get_conversation(
    conversation_id: ResourceId, user: CurrentUser, session: SessionDep
) -> ConversationPublic:
    """One conversation: its title, times and message count."""
    return conversations.conversation_summary(
        session=session, user_id=user.id, conversation_id=conversation_id
    )


@router.patch(
    "/{conversation_id}",
    response_model=ConversationPublic,
    responses=error_responses(401, 404, 422),
)
def rename_conversation(
    conversation_id: ResourceId, body: ConversationUpdate, user: CurrentUser, session: SessionDep
) -> ConversationPublic:
    """Rename a conversation."""
    return conversations.rename_conversation(
        session=session, user_id=user.id, conversation_id=conversation_id, title=body.title
    )


@router.get(
    "/{conversation_id}/messages",
    response_model=ChatMessagesResponse,
    responses=error_responses(401, 404),
)
def list_messages(
    conversation_id: ResourceId, user: CurrentUser, session: SessionDep
) -> ChatMessagesResponse:
    """A conversation's messages, oldest first, with tool calls and charts."""
    return ChatMessagesResponse(
        messages=conversations.list_messages(
            session=session, user_id=user.id, conversation_id=conversation_id
        )
    )


@router.delete(
    "/{conversation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 404),
)
def delete_conversation(
    conversation_id: ResourceId, user: CurrentUser, session: SessionDep
) -> Response:
    """Delete a conversation and its messages."""
    conversations.delete_conversation(
        session=session, user_id=user.id, conversation_id=conversation_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{conversation_id}/actions/{action_id}/confirm",
    response_model=ChatActionPublic,
    responses=error_responses(401, 404, 409, 422),
)
def confirm_action(
    conversation_id: ResourceId,
    action_id: ActionId,
    user: CurrentUser,
    session: SessionDep,
    body: ActionConfirm | None = None,
) -> ChatActionPublic:
    """Run a write the coach proposed (its `tool_end` event's `pending`), once: the workout is
    saved, changed or deleted and the conversation gets a message saying so (`status`
    `confirmed`, or `failed` with the reason). A logged workout with an `add_to` can instead be
    added to that workout (`{"add_to_workout": true}`; 422 without one). 409 when it was
    already confirmed or cancelled, or has expired."""
    return pending.confirm(
        session=session,
        user_id=user.id,
        conversation_id=conversation_id,
        action_id=action_id,
        add_to_workout=body is not None and body.add_to_workout,
    )


@router.post(
    "/{conversation_id}/actions/{action_id}/cancel",
    response_model=ChatActionPublic,
    responses=error_responses(401, 404, 409),
)
def cancel_action(
    conversation_id: ResourceId, action_id: ActionId, user: CurrentUser, session: SessionDep
) -> ChatActionPublic:
    """Discard a write the coach proposed: nothing runs. 409 when it was already used or has
    expired."""
    return pending.cancel(
        session=session, user_id=user.id, conversation_id=conversation_id, action_id=action_id
    )
