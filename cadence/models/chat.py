"""Coaching chat: conversations, messages, LLM settings (per user, admin-wide), API schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, DateTime, Text
from sqlmodel import Field, SQLModel

from cadence.models.common import UtcDatetime, as_utc, timestamp_field
from cadence.models.user import StrictBody

OFFLINE_MODEL_ID = "cadence/offline"
MAX_CHAT_MESSAGE_LENGTH = 8_000
MAX_TITLE_LENGTH = 120
MAX_MODEL_ID_LENGTH = 200
MAX_API_KEY_LENGTH = 500
DB_INT_MAX = 2_147_483_647  # ids are INTEGER columns
MESSAGE_ROLES = ("user", "assistant")
MESSAGE_STATUSES = ("complete", "partial", "error")
ACTION_ID_LENGTH = 32  # hex digits of a random token: action ids cannot be guessed
ACTIONS_PATH = "/api/v1/conversations/{conversation_id}/actions/{action_id}"
ActionStatus = Literal["pending", "confirmed", "failed", "cancelled", "expired"]


class Conversation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=MAX_TITLE_LENGTH)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class ChatMessage(SQLModel, table=True):
    """One turn; ``tool_calls``: ``[{id, name, arguments, ok, summary}]``, ``charts``: specs."""

    __tablename__ = "chat_message"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=16)
    content: str = Field(default="", sa_type=Text)
    status: str = Field(default="complete", max_length=16)
    model_id: str | None = Field(default=None, max_length=MAX_MODEL_ID_LENGTH)
    tool_calls: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    charts: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    verify: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    """The ``verify`` event of this answer (``Verification`` as JSON)."""
    numbers_stated: int | None = None
    numbers_verified: int | None = None
    created_at: datetime = timestamp_field()


class VerifiedSpan(BaseModel):
    """A number of the answer found in a tool result: which tool, which field, which day."""

    text: str
    start: int
    end: int
    tool: str
    field: str
    day: str | None = None


class Span(BaseModel):
    text: str
    start: int
    end: int


class Verification(BaseModel):
    """The ``verify`` event and what is stored with the message (offsets index the answer)."""

    verified: list[VerifiedSpan] = []
    unverified: list[Span] = []
    advice: list[Span] = []

    @property
    def stated(self) -> int:
        """Data claims: verified and unverified numbers (advice is not a claim about data)."""
        return len(self.verified) + len(self.unverified)

    @property
    def faithfulness(self) -> float | None:
        """Share of the stated numbers found in the data; ``None`` when none was stated."""
        return len(self.verified) / self.stated if self.stated else None


class ChatAction(SQLModel, table=True):
    """A write the coach proposed in a conversation (``log_workout``, ``update_workout``,
    ``delete_workout``), waiting for the user's Confirm or Cancel: single-use, until
    ``expires_at``. ``arguments`` are the tool's validated arguments; ``day`` is the user's
    today when it was proposed (what "today" means when it runs)."""

    __tablename__ = "chat_action"

    id: str = Field(primary_key=True, max_length=ACTION_ID_LENGTH)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    conversation_id: int = Field(foreign_key="conversation.id", index=True, ondelete="CASCADE")
    message_id: int | None = Field(
        default=None, foreign_key="chat_message.id", index=True, ondelete="CASCADE"
    )
    """The assistant message that proposed it (set when that message is stored)."""
    tool: str = Field(max_length=64)
    arguments: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    day: date
    summary: str = Field(sa_type=Text)
    status: str = Field(default="pending", max_length=16)
    result: str | None = Field(default=None, sa_type=Text)
    href: str | None = Field(default=None, max_length=200)
    into_workout_id: int | None = None
    """``log_workout`` only: the workout already logged that day, which the user may add the
    exercises to instead (kept after a confirm only when they were added to it)."""
    into_summary: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    decided_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class UserLlmSetting(SQLModel, table=True):
    """A user's own provider key (Fernet-encrypted) and preferred model."""

    __tablename__ = "user_llm_setting"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    api_key_encrypted: str | None = Field(default=None, sa_type=Text)
    api_key_last4: str | None = Field(default=None, max_length=4)
    # The provider URL shown to the user when they saved the key: the key is only ever sent
    # there (if the admin changes the URL, the user must save the key again to follow it).
    api_key_base_url: str | None = Field(default=None, max_length=500)
    default_model_id: str | None = Field(default=None, max_length=MAX_MODEL_ID_LENGTH)
    updated_at: datetime = timestamp_field()


class AppLlmSetting(SQLModel, table=True):
    """The admin-wide LLM configuration: a single row (``id`` 1) edited in the admin panel.

    ``models`` lists the model ids offered in the chat's model picker; ``base_url`` overrides
    ``CADENCE_LLM_BASE_URL`` when set.
    """

    __tablename__ = "app_llm_setting"

    id: int | None = Field(default=None, primary_key=True)
    api_key_encrypted: str | None = Field(default=None, sa_type=Text)
    api_key_last4: str | None = Field(default=None, max_length=4)
    base_url: str | None = Field(default=None, max_length=500)
    models: list[str] | None = Field(default=None, sa_column=Column(JSON))
    updated_at: datetime = timestamp_field()


# ---- API schemas ---------------------------------------------------------------------------


def _no_nul(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL characters: refuse them (422) instead of failing (500)."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


class ChatRequest(StrictBody):
    message: Annotated[
        str,
        PydanticField(min_length=1, max_length=MAX_CHAT_MESSAGE_LENGTH),
        AfterValidator(_no_nul),
    ]
    conversation_id: int | None = PydanticField(default=None, ge=1, le=DB_INT_MAX)
    model_id: str | None = PydanticField(default=None, min_length=1, max_length=MAX_MODEL_ID_LENGTH)


class ChatRetryRequest(StrictBody):
    """Answer a conversation's last question again (after a failed answer), e.g. with
    ``model_id`` ``cadence/offline`` when the provider cannot be reached."""

    conversation_id: int = PydanticField(ge=1, le=DB_INT_MAX)
    model_id: str | None = PydanticField(default=None, min_length=1, max_length=MAX_MODEL_ID_LENGTH)


class ChatModelPublic(BaseModel):
    id: str
    label: str
    available: bool


class ChatModelsResponse(BaseModel):
    models: list[ChatModelPublic]


class ConversationPublic(BaseModel):
    id: int
    title: str
    created_at: UtcDatetime
    updated_at: UtcDatetime
    message_count: int


class ConversationUpdate(StrictBody):
    """A new title for a conversation (blank titles are refused)."""

    title: str = PydanticField(min_length=1, max_length=MAX_TITLE_LENGTH)


class ConversationsResponse(BaseModel):
    conversations: list[ConversationPublic]


def _objects_or_none(value: Any) -> list[dict[str, Any]] | None:
    """A stored list of objects as read: anything else (a value written by an older version
    or by hand) reads as ``None``, and items that are not objects are left out, so no stored
    value can make a read fail."""
    if not isinstance(value, list):
        return None
    return [item for item in value if isinstance(item, dict)]


StoredObjects = Annotated[list[dict[str, Any]] | None, BeforeValidator(_objects_or_none)]


class ChatActionPublic(BaseModel):
    """A proposed write and what became of it: ``pending`` until the user confirms (the
    ``confirm_url``) or cancels (the ``cancel_url``), or it expires."""

    id: str
    tool: str
    summary: str = PydanticField(description="What confirming does, in words.")
    status: ActionStatus
    result: str | None = PydanticField(
        default=None, description="What happened, once confirmed (or why it failed)."
    )
    href: str | None = PydanticField(default=None, description="The workout it saved or changed.")
    add_to: str | None = PydanticField(
        default=None,
        description="The other choice of a logged workout, in words: adding its exercises to "
        'the workout already logged that day (confirm with `{"add_to_workout": true}`).',
    )
    expires_at: UtcDatetime
    confirm_url: str
    cancel_url: str

    @classmethod
    def of(cls, action: ChatAction, *, now: datetime) -> ChatActionPublic:
        """A stored proposal as shown (``pending`` past ``expires_at`` reads ``expired``)."""
        expired = action.status == "pending" and as_utc(action.expires_at) <= now
        path = ACTIONS_PATH.format(conversation_id=action.conversation_id, action_id=action.id)
        return cls(
            id=action.id,
            tool=action.tool,
            summary=action.summary,
            status="expired" if expired else action.status,
            result=action.result,
            href=action.href,
            add_to=action.into_summary if action.into_workout_id else None,
            expires_at=action.expires_at,
            confirm_url=f"{path}/confirm",
            cancel_url=f"{path}/cancel",
        )


class ActionConfirm(StrictBody):
    """How to run a proposal: ``add_to_workout`` adds a logged workout's exercises to the
    workout already logged that day (its ``add_to``) instead of saving a new one."""

    add_to_workout: bool = False


class ChatMessagePublic(BaseModel):
    id: int
    role: str
    content: str
    created_at: UtcDatetime
    status: str = "complete"
    model_id: str | None = None
    tool_calls: StoredObjects = None
    charts: StoredObjects = None
    verify: Verification | None = None
    actions: list[ChatActionPublic] = []
    """The writes this answer proposed (confirm or cancel them)."""


NoNulText = Annotated[str, AfterValidator(_no_nul)]


class ChatMessageIn(BaseModel):
    """One message as an import brings it (a Cadence export's ``conversations.json``); bad
    values are refused here, the way the chat itself would never have stored them."""

    model_config = ConfigDict(extra="ignore")

    role: Literal[MESSAGE_ROLES]
    content: NoNulText = ""
    status: Literal[MESSAGE_STATUSES] = "complete"
    model_id: (
        Annotated[str, PydanticField(max_length=MAX_MODEL_ID_LENGTH), AfterValidator(_no_nul)]
        | None
    ) = None
    tool_calls: list[dict[str, Any]] | None = None
    charts: list[dict[str, Any]] | None = None
    verify: Verification | None = None
    prompt_tokens: int | None = PydanticField(default=None, ge=0, le=DB_INT_MAX)
    completion_tokens: int | None = PydanticField(default=None, ge=0, le=DB_INT_MAX)
    verify: Verification | None = None
    numbers_stated: int | None = PydanticField(default=None, ge=0, le=DB_INT_MAX)
    numbers_verified: int | None = PydanticField(default=None, ge=0, le=DB_INT_MAX)
    created_at: AwareDatetime | None = None


class ConversationIn(BaseModel):
    """One conversation of an import, with its messages."""

    model_config = ConfigDict(extra="ignore")

    title: Annotated[
        str, PydanticField(min_length=1, max_length=MAX_TITLE_LENGTH), AfterValidator(_no_nul)
    ]
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    messages: list[ChatMessageIn] = []


class ChatMessagesResponse(BaseModel):
    messages: list[ChatMessagePublic]


class LlmSettingsPublic(BaseModel):
    has_api_key: bool
    api_key_last4: str | None
    default_model_id: str | None
    base_url: str = PydanticField(
        description="Where this server sends chat requests (your key too, once saved for it)."
    )
    key_base_url: str | None = PydanticField(
        description="The provider URL your key was saved for; when it differs from `base_url` "
        "the key is not used until you save it again."
    )


class LlmSettingsUpdate(StrictBody):
    """``api_key``: a new key, or ``""`` to remove it; omitted keeps the stored one.

    ``default_model_id``: a model id, or ``""`` to clear; omitted keeps it.
    """

    api_key: str | None = PydanticField(default=None, max_length=MAX_API_KEY_LENGTH)
    default_model_id: str | None = PydanticField(default=None, max_length=MAX_MODEL_ID_LENGTH)
