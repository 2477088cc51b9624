"""Coaching chat: conversations, messages, LLM settings (per user, admin-wide), API schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from cadence.models.common import UtcDatetime, timestamp_field
from cadence.models.user import StrictBody

OFFLINE_MODEL_ID = "cadence/offline"
MAX_CHAT_MESSAGE_LENGTH = 8_000
MAX_TITLE_LENGTH = 120
MAX_MODEL_ID_LENGTH = 200
MAX_API_KEY_LENGTH = 500
DB_INT_MAX = 2_147_483_647  # ids are INTEGER columns
MESSAGE_ROLES = ("user", "assistant")
MESSAGE_STATUSES = ("complete", "partial", "error")


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
