import pytest

from cadence.services.crypto import decrypt_secret, encrypt_secret
from cadence.services.errors import ServiceUnavailable
from tests.conftest import reset_caches


def test_round_trip_and_ciphertext_hides_plaintext() -> None:
    stored = encrypt_secret("sk-live-abcdef123456")
    assert "abcdef" not in stored
    assert decrypt_secret(stored) == "sk-live-abcdef123456"


def test_other_secret_key_cannot_decrypt(monkeypatch) -> None:
    stored = encrypt_secret("token-1")
    monkeypatch.setenv("CADENCE_SECRET_KEY", "another-key-" + "y" * 40)
    reset_caches()
    with pytest.raises(ServiceUnavailable):
        decrypt_secret(stored)
