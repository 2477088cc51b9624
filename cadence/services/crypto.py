"""Secrets at rest (device tokens, LLM keys): Fernet with a key derived from the secret key."""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from cadence.config import secret_key
from cadence.services.errors import ServiceUnavailable

_HKDF_INFO = b"cadence secrets at rest v1"
_SEAL_INFO = b"cadence sealed browser values v1"


@lru_cache
def _fernet(secret_key: str, info: bytes = _HKDF_INFO) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(plaintext: str) -> str:
    """Encrypt and sign a value given to a browser (a cookie); its own key, not the one of
    secrets at rest. ``unseal`` reads it back while it is young enough."""
    return _fernet(secret_key(), _SEAL_INFO).encrypt(plaintext.encode()).decode()


def unseal(token: str, *, max_age_s: int) -> str | None:
    """The value ``seal`` sealed, or ``None`` when it was altered, forged or is older than
    ``max_age_s``."""
    try:
        fernet = _fernet(secret_key(), _SEAL_INFO)
        return fernet.decrypt(token.encode("ascii"), ttl=max_age_s).decode()
    except (InvalidToken, UnicodeError, ValueError):
        return None


def encrypt_secret(plaintext: str) -> str:
    """Encrypt a secret for storage; the result is ASCII text."""
    return _fernet(secret_key()).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_secret(ciphertext: str) -> str:
    """Decrypt a stored secret; a changed secret key makes old secrets unreadable (503)."""
    try:
        return _fernet(secret_key()).decrypt(ciphertext.encode("ascii")).decode()
    except InvalidToken as exc:
        raise ServiceUnavailable(
            "A stored secret cannot be decrypted: was CADENCE_SECRET_KEY changed? "
            "Reconnect the device or re-enter the key."
        ) from exc
