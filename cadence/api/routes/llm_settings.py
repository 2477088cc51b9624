"""``/settings/llm``: the user's own LLM key (write-only) and default model."""

from __future__ import annotations

from fastapi import APIRouter

from cadence.api.deps import CurrentUser, SessionDep
from cadence.api.responses import error_responses
from cadence.models.chat import LlmSettingsPublic, LlmSettingsUpdate
from cadence.services.chat import llm_settings

router = APIRouter(prefix="/settings/llm", tags=["settings"])


@router.get("", response_model=LlmSettingsPublic, responses=error_responses(401))
def get_llm_settings(user: CurrentUser, session: SessionDep) -> LlmSettingsPublic:
    """Whether a key is stored (never the key), its last 4 characters and the default model."""
    return llm_settings.get_user_llm_settings(session=session, user_id=user.id)


@router.put("", response_model=LlmSettingsPublic, responses=error_responses(401, 422))
def put_llm_settings(
    body: LlmSettingsUpdate, user: CurrentUser, session: SessionDep
) -> LlmSettingsPublic:
    """Set a key (``""`` removes it) and/or the default model; omitted fields are kept."""
    return llm_settings.update_user_llm_settings(
        session=session,
        user_id=user.id,
        api_key=body.api_key,
        default_model_id=body.default_model_id,
    )
