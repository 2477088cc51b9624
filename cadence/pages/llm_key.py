"""The "LLM key" section of /settings (wired here so the settings page only includes it)."""

import reflex as rx

from cadence.components.llm_settings import llm_key_card
from cadence.states.llm_settings import LlmSettingsState

ON_LOAD = LlmSettingsState.load_llm


def section() -> rx.Component:
    return llm_key_card(
        has_api_key=LlmSettingsState.has_api_key,
        api_key_last4=LlmSettingsState.api_key_last4,
        base_url=LlmSettingsState.base_url,
        key_on_hold=LlmSettingsState.key_on_hold,
        key_input=LlmSettingsState.key_input,
        default_model_id=LlmSettingsState.default_model_id,
        message=LlmSettingsState.llm_message,
        error=LlmSettingsState.llm_error,
        saving=LlmSettingsState.llm_saving,
        on_key_change=LlmSettingsState.set_key_input,
        on_model_change=LlmSettingsState.set_default_model_id,
        on_save=LlmSettingsState.save_llm,
        on_remove=LlmSettingsState.remove_key,
    )
