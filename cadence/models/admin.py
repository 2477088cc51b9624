"""Admin panel API schemas (no tables: admin reads users, devices, workouts and chat usage)."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import Field as PydanticField

from cadence.models.chat import MAX_API_KEY_LENGTH, MAX_MODEL_ID_LENGTH
from cadence.models.common import UtcDatetime
from cadence.models.user import StrictBody

MAX_OFFERED_MODELS = 50


class AdminUserPublic(BaseModel):
    id: int
    email: str
    display_name: str
    is_admin: bool
    is_active: bool
    created_at: UtcDatetime
    last_active_at: UtcDatetime | None
    workouts: int
    devices: int = PydanticField(description="Connected device providers.")
    conversations: int
    chat_messages: int = PydanticField(description="Messages the user sent to the coach.")
    chat_tokens: int = PydanticField(description="Prompt + completion tokens reported by models.")
    chat_tokens_today: int = PydanticField(description="Of those, since 00:00 UTC today.")


class AdminUserList(BaseModel):
    users: list[AdminUserPublic]
    total: int = PydanticField(description="Accounts matching the search, on every page.")
    page: int
    per_page: int


class ModelUsagePublic(BaseModel):
    model_id: str
    answers: int = PydanticField(description="Assistant messages this model wrote.")
    tokens: int
    numbers_stated: int = PydanticField(description="Numbers stated as data (advice excluded).")
    numbers_verified: int = PydanticField(description="Of those, found in the tool results.")
    faithfulness: float | None = PydanticField(
        description="numbers_verified / numbers_stated; null when no number was stated."
    )


class ModelUsageList(BaseModel):
    models: list[ModelUsagePublic]


class AdminUserUpdate(StrictBody):
    """``is_active: false`` disables the account and revokes its tokens at once."""

    is_active: bool | None = None
    is_admin: bool | None = None


class AdminLlmPublic(BaseModel):
    """The shared key is write-only: only whether it is set and its last four characters."""

    has_api_key: bool
    api_key_last4: str | None
    base_url: str
    models: list[str]
    daily_token_budget: int = PydanticField(
        description="Tokens each user may spend per UTC day on the shared key "
        "(CADENCE_CHAT_DAILY_TOKEN_BUDGET; 0: no budget)."
    )


class AdminLlmUpdate(StrictBody):
    """``api_key``: a new key or ``""`` to remove it; ``base_url``: ``""`` resets it to
    ``CADENCE_LLM_BASE_URL``; ``models``: the model ids offered in the chat. Omitted = unchanged."""

    api_key: str | None = PydanticField(default=None, max_length=MAX_API_KEY_LENGTH)
    base_url: str | None = PydanticField(default=None, max_length=500)
    models: list[str] | None = PydanticField(
        default=None,
        max_length=MAX_OFFERED_MODELS,
        json_schema_extra={"items": {"type": "string", "maxLength": MAX_MODEL_ID_LENGTH}},
    )
