"""LLM keys and models: the user's own key, the admin key, the environment key.

Keys are Fernet-encrypted at rest and never returned; reads show only the last four characters.
Precedence for a chat: user key → admin key → ``CADENCE_LLM_API_KEY``. With none, the offline
coach (``cadence/offline``) is the only model.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session

from cadence.config import get_settings
from cadence.models.chat import (
    MAX_MODEL_ID_LENGTH,
    OFFLINE_MODEL_ID,
    AppLlmSetting,
    ChatModelPublic,
    LlmSettingsPublic,
    UserLlmSetting,
)
from cadence.models.common import utcnow
from cadence.models.user import User
from cadence.services.admin import require_admin
from cadence.services.chat.llm import LlmConfig
from cadence.services.crypto import decrypt_secret, encrypt_secret
from cadence.services.errors import InvalidInput

APP_SETTING_ID = 1
OFFLINE_LABEL = "Offline coach (no API key needed)"
_MODEL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")


@dataclass(frozen=True, slots=True)
class AdminLlmSettings:
    has_api_key: bool
    api_key_last4: str | None
    base_url: str
    models: list[str]
    daily_token_budget: int


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """The key a chat would use; ``own`` when it is the user's (``saved_for``: the provider
    URL it was saved for), not a shared one."""

    api_key: str
    own: bool
    saved_for: str | None = None


def get_user_llm_settings(*, session: Session, user_id: int) -> LlmSettingsPublic:
    """The user's LLM settings as the API shows them (the key itself is never returned), with
    the provider URL their key goes to."""
    row = session.get(UserLlmSetting, user_id)
    base_url = get_admin_llm_settings(session=session).base_url
    if row is None:
        return LlmSettingsPublic(
            has_api_key=False,
            api_key_last4=None,
            default_model_id=None,
            base_url=base_url,
            key_base_url=None,
        )
    return LlmSettingsPublic(
        has_api_key=row.api_key_encrypted is not None,
        api_key_last4=row.api_key_last4,
        default_model_id=row.default_model_id,
        base_url=base_url,
        key_base_url=row.api_key_base_url if row.api_key_encrypted else None,
    )


def update_user_llm_settings(
    *,
    session: Session,
    user_id: int,
    api_key: str | None = None,
    default_model_id: str | None = None,
) -> LlmSettingsPublic:
    """Store a new key (``""`` removes it) and/or default model (``""`` clears it);
    ``None`` leaves a field unchanged."""
    row = session.get(UserLlmSetting, user_id) or UserLlmSetting(user_id=user_id)
    if api_key is not None:
        row.api_key_encrypted, row.api_key_last4 = _encrypt_key(api_key)
        row.api_key_base_url = (
            get_admin_llm_settings(session=session).base_url if row.api_key_encrypted else None
        )
    if default_model_id is not None:
        row.default_model_id = validate_model_id(default_model_id) if default_model_id else None
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return get_user_llm_settings(session=session, user_id=user_id)


def get_admin_llm_settings(*, session: Session) -> AdminLlmSettings:
    """The admin-wide key (masked), base URL and offered models, with environment defaults."""
    row = session.get(AppLlmSetting, APP_SETTING_ID)
    settings = get_settings()
    return AdminLlmSettings(
        has_api_key=bool(row and row.api_key_encrypted),
        api_key_last4=row.api_key_last4 if row else None,
        base_url=(row.base_url if row and row.base_url else settings.llm_base_url),
        models=_offered_models(row),
        daily_token_budget=settings.chat_daily_token_budget,
    )


def admin_llm_settings(*, session: Session, actor: User) -> AdminLlmSettings:
    """The admin panel's view of the shared LLM settings (``NotFound`` unless an admin)."""
    require_admin(actor)
    return get_admin_llm_settings(session=session)


def update_admin_llm_settings(
    *,
    session: Session,
    actor: User,
    api_key: str | None = None,
    base_url: str | None = None,
    models: list[str] | None = None,
) -> AdminLlmSettings:
    """Admin panel: set the shared key (``""`` removes it), base URL (``""`` resets it to the
    environment's) and the offered model ids; ``None`` leaves a field unchanged. Only an active
    admin (``actor``) may: anyone else gets ``NotFound``."""
    require_admin(actor)
    row = session.get(AppLlmSetting, APP_SETTING_ID) or AppLlmSetting(id=APP_SETTING_ID)
    if api_key is not None:
        row.api_key_encrypted, row.api_key_last4 = _encrypt_key(api_key)
    if base_url is not None:
        row.base_url = _validate_base_url(base_url) if base_url else None
    if models is not None:
        row.models = list(dict.fromkeys(validate_model_id(m) for m in models if m.strip()))
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return get_admin_llm_settings(session=session)


def resolve_api_key(*, session: Session, user_id: int) -> ResolvedKey | None:
    """The key a chat uses: the user's, else the admin's, else the environment's."""
    user_row = session.get(UserLlmSetting, user_id)
    if user_row is not None and user_row.api_key_encrypted:
        return ResolvedKey(
            api_key=decrypt_secret(user_row.api_key_encrypted),
            own=True,
            saved_for=user_row.api_key_base_url,
        )
    app_row = session.get(AppLlmSetting, APP_SETTING_ID)
    if app_row is not None and app_row.api_key_encrypted:
        return ResolvedKey(api_key=decrypt_secret(app_row.api_key_encrypted), own=False)
    environment_key = get_settings().llm_api_key
    return ResolvedKey(api_key=environment_key, own=False) if environment_key else None


def list_models(*, session: Session, user_id: int) -> list[ChatModelPublic]:
    """The offline coach, the offered models and (on the user's own key) their default model."""
    key = resolve_api_key(session=session, user_id=user_id)
    has_key = key is not None
    ids = _offered_models(session.get(AppLlmSetting, APP_SETTING_ID))
    own_default = _user_default_model(session=session, user_id=user_id)
    if key is not None and key.own and own_default and own_default not in ids:
        ids.insert(0, own_default)
    return [
        ChatModelPublic(id=OFFLINE_MODEL_ID, label=OFFLINE_LABEL, available=True),
        *(ChatModelPublic(id=i, label=model_label(i), available=has_key) for i in ids),
    ]


def default_model_id(*, session: Session, user_id: int) -> str:
    """The user's default model when a key may use it, else the first offered model, else
    offline."""
    key = resolve_api_key(session=session, user_id=user_id)
    if key is None:
        return OFFLINE_MODEL_ID
    offered = _offered_models(session.get(AppLlmSetting, APP_SETTING_ID))
    chosen = _user_default_model(session=session, user_id=user_id)
    if chosen and (key.own or chosen in offered):
        return chosen
    return offered[0] if offered else OFFLINE_MODEL_ID


def _user_default_model(*, session: Session, user_id: int) -> str | None:
    row = session.get(UserLlmSetting, user_id)
    return row.default_model_id if row is not None else None


def llm_config(*, session: Session, user_id: int, model_id: str) -> LlmConfig | None:
    """The provider configuration for ``model_id``; ``None`` for the offline coach.

    A hosted model without any key, on a shared (admin or environment) key a model the admin
    does not offer (``model_not_found``), or the user's own key after the admin changed the
    provider URL it was saved for (``provider_changed``), is an ``InvalidInput``: the chat
    answers 422 before streaming. On the user's own key any model may be asked for.
    """
    if model_id == OFFLINE_MODEL_ID:
        return None
    validate_model_id(model_id)
    key = resolve_api_key(session=session, user_id=user_id)
    if key is None:
        raise InvalidInput(
            f"No API key is configured for {model_id}: add one in Settings → LLM key, "
            f"or choose {OFFLINE_MODEL_ID}.",
            field="model_id",
        )
    base_url = get_admin_llm_settings(session=session).base_url
    if _leads_to_metadata(_host(base_url)):
        # Resolved again for every turn: a name may point elsewhere since it was saved.
        raise InvalidInput(
            f"This server's LLM base URL ({base_url}) now leads to a link-local or "
            "cloud-metadata address, so nothing was sent: an admin must change it in Admin → "
            f"LLM. Choose {OFFLINE_MODEL_ID} meanwhile.",
            field="model_id",
            code="base_url_refused",
        )
    if key.own and key.saved_for != base_url:
        # The user's key goes only where they saw it would go when they saved it.
        raise InvalidInput(
            f"This server now sends chats to {base_url}, not to "
            f"{key.saved_for or 'the provider your key was saved for'}: save your key again "
            "in Settings → LLM key to use it there, or remove it.",
            field="model_id",
            code="provider_changed",
        )
    offered = _offered_models(session.get(AppLlmSetting, APP_SETTING_ID))
    if not key.own and model_id not in offered:
        raise InvalidInput(
            f"{model_id} is not offered on this server's shared key: choose one of "
            f"{', '.join([OFFLINE_MODEL_ID, *offered])}, or add your own key in Settings → "
            "LLM key to use any model.",
            field="model_id",
            code="model_not_found",
        )
    settings = get_settings()
    return LlmConfig(
        api_key=key.api_key,
        base_url=base_url,
        model_id=model_id,
        timeout_seconds=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
        own_key=key.own,
    )


def model_label(model_id: str) -> str:
    """``anthropic/claude-sonnet-4-5`` → ``claude-sonnet-4-5 (anthropic)``."""
    provider, _, name = model_id.rpartition("/")
    return f"{name} ({provider})" if provider else name


def validate_model_id(model_id: str) -> str:
    model_id = model_id.strip()
    if not model_id or len(model_id) > MAX_MODEL_ID_LENGTH or not _MODEL_ID_RE.match(model_id):
        raise InvalidInput(
            "Model ids look like 'provider/model-name' (letters, digits, . _ : / @ + -).",
            field="model_id",
        )
    return model_id


def _offered_models(row: AppLlmSetting | None) -> list[str]:
    if row is not None and row.models:
        return list(row.models)
    return [m.strip() for m in get_settings().llm_models.split(",") if m.strip()]


def _encrypt_key(api_key: str) -> tuple[str | None, str | None]:
    api_key = api_key.strip()
    if not api_key:
        return None, None
    if len(api_key) < 8 or not (api_key.isascii() and api_key.isprintable()) or " " in api_key:
        raise InvalidInput(
            "That does not look like an API key (8+ printable ASCII characters, no spaces).",
            field="api_key",
        )
    return encrypt_secret(api_key), api_key[-4:]


METADATA_HOSTS = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "100.100.100.200"}
)


RESOLVE_TIMEOUT_S = 2.0
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="base-url-resolver")


def _validate_base_url(base_url: str) -> str:
    """An http(s) URL whose host is not link-local (169.254.0.0/16, fe80::/10: where cloud
    metadata services answer, with the machine's credentials) nor a known metadata name, and
    does not resolve to such an address. A name that does not resolve now is accepted (a local
    Ollama's name may resolve only later): every chat turn resolves it again (``llm_config``)."""
    base_url = base_url.strip().rstrip("/")
    printable = base_url.isascii() and base_url.isprintable() and " " not in base_url
    if not printable or not re.match(r"^https?://[^\s/]+", base_url):
        raise InvalidInput("The base URL must start with http:// or https://.", field="base_url")
    try:
        host = _host(base_url)
    except ValueError as exc:
        raise InvalidInput("The base URL's host is not valid.", field="base_url") from exc
    if _leads_to_metadata(host):
        raise InvalidInput(
            "The base URL must not point at a link-local or cloud-metadata address "
            f"({host} is or resolves to one).",
            field="base_url",
        )
    return base_url


def _host(base_url: str) -> str:
    return (urlsplit(base_url).hostname or "").rstrip(".")


def _leads_to_metadata(host: str) -> bool:
    """``host`` is a metadata name or a link-local or metadata address, or resolves to one
    (any of its addresses; in any spelling the system resolver takes, like ``2852039166``)."""
    return any(
        name in METADATA_HOSTS or _is_link_local(name) for name in (host, *resolve_host(host))
    )


def resolve_host(host: str) -> list[str]:
    """The addresses the system resolver gives for ``host``; none when it does not resolve
    within ``RESOLVE_TIMEOUT_S`` (``getaddrinfo`` has no timeout of its own: it runs in a small
    pool of its own, called from worker threads, never from the event loop)."""
    if not host:
        return []
    lookup = _resolver.submit(socket.getaddrinfo, host, None, type=socket.SOCK_STREAM)
    try:
        return [str(info[4][0]) for info in lookup.result(timeout=RESOLVE_TIMEOUT_S)]
    except (TimeoutError, OSError, UnicodeError, ValueError):
        return []


def _is_link_local(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (
        address.is_link_local
        or (mapped is not None and mapped.is_link_local)
        or (
            str(address) == "fd00:ec2::254"  # AWS's IPv6 metadata address
        )
    )
