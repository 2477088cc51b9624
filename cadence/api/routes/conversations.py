"""``/conversations``: the user's chat history."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from cadence.api.deps import CurrentUser, ResourceId, SessionDep
from cadence.api.responses import error_responses
from cadence.models.chat import (
    ChatMessagesResponse,
    ConversationPublic,
    ConversationsResponse,
    ConversationUpdate,
)
from cadence.services.chat import conversations

router = APIRouter(prefix="/conversations", tags=["chat"])


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
