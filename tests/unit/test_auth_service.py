"""Accounts service: password rules, email normalisation, admin bootstrap, tokens, limits."""

from __future__ import annotations

import os
from datetime import timedelta

import jwt
import pytest

from cadence.config import secret_key
from cadence.models.common import utcnow
from cadence.models.user import User
from cadence.services import auth, users
from cadence.services.errors import Conflict, InvalidInput, PermissionDenied, RateLimited
from cadence.services.ratelimit import SlidingWindowLimiter
from tests.conftest import reset_caches

GOOD = "rowing-machine-9"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abc1", "at least 8 characters"),
        ("a1" * 40, "at most 72 bytes"),
        ("é" * 36 + "1", "at most 72 bytes"),  # 73 bytes in UTF-8, 37 characters
        ("12345678", "at least one letter"),
        ("abcdefgh", "at least one digit"),
        ("me1@example.com", "same as your email"),
    ],
)
def test_password_rules_name_the_rule_broken(password: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        auth.check_password_rules(password=password, email="me1@example.com")
    assert caught.value.field == "password"


def test_valid_password_passes_rules() -> None:
    auth.check_password_rules(password="ünïcode-pass-1", email="me@example.com")


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@b", "two@@example.com", "sp ace@x.io"])
def test_invalid_emails_rejected(email: str) -> None:
    with pytest.raises(InvalidInput, match="valid email"):
        auth.normalize_email(email)


def test_email_normalised_case_and_whitespace() -> None:
    assert auth.normalize_email("  Ada.Lovelace@Example.COM \n") == "ada.lovelace@example.com"


def test_setup_code_makes_the_first_admin_once(session) -> None:
    code = auth.setup_code()
    first = auth.signup(
        session=session, email="a@x.io", password=GOOD, display_name="A", setup_code_entered=code
    )
    second = auth.signup(
        session=session, email="b@x.io", password=GOOD, display_name="B", setup_code_entered=code
    )
    session.commit()
    assert (first.is_admin, second.is_admin) == (True, False)
    assert first.password_hash.startswith("$2b$") and GOOD not in first.password_hash


def test_admin_emails_setting_makes_admins(session, monkeypatch) -> None:
    monkeypatch.setenv("CADENCE_ADMIN_EMAILS", "boss@x.io, other@x.io")
    reset_caches()
    auth.signup(session=session, email="first@x.io", password=GOOD, display_name="F")
    boss = auth.signup(session=session, email="BOSS@x.io", password=GOOD, display_name="B")
    assert boss.is_admin


def test_duplicate_email_is_conflict_regardless_of_case(session) -> None:
    auth.signup(session=session, email="dup@x.io", password=GOOD, display_name="D")
    with pytest.raises(Conflict):
        auth.signup(session=session, email=" DUP@X.io", password=GOOD, display_name="D2")


def test_display_name_whitespace_collapsed_and_blank_rejected(session) -> None:
    user = auth.signup(session=session, email="n@x.io", password=GOOD, display_name="  Ada   L ")
    assert user.display_name == "Ada L"
    with pytest.raises(InvalidInput, match="blank"):
        auth.signup(session=session, email="m@x.io", password=GOOD, display_name="   ")


def test_login_wrong_password_and_unknown_email_same_message(session) -> None:
    auth.signup(session=session, email="l@x.io", password=GOOD, display_name="L")
    session.commit()
    with pytest.raises(PermissionDenied) as wrong:
        auth.login(session=session, email="l@x.io", password="nope-123", client="t")
    with pytest.raises(PermissionDenied) as unknown:
        auth.login(session=session, email="ghost@x.io", password="nope-123", client="t")
    assert wrong.value.message == unknown.value.message == auth.INVALID_CREDENTIALS


def test_login_disabled_account_refused(session) -> None:
    user = auth.signup(session=session, email="d@x.io", password=GOOD, display_name="D")
    user.is_active = False
    session.commit()
    with pytest.raises(PermissionDenied, match="disabled"):
        auth.login(session=session, email="d@x.io", password=GOOD, client="t")


def test_token_round_trip_and_password_change_revokes(session) -> None:
    user = auth.signup(session=session, email="t@x.io", password=GOOD, display_name="T")
    session.commit()
    old = auth.issue_token(user=user)
    assert auth.user_for_token(session=session, token=old).id == user.id
    auth.change_password(
        session=session, user=user, current_password=GOOD, new_password="new-pass-77"
    )
    session.commit()
    with pytest.raises(PermissionDenied):
        auth.user_for_token(session=session, token=old)
    fresh = auth.issue_token(user=user)
    assert auth.user_for_token(session=session, token=fresh).id == user.id


def test_change_password_checks_current_and_rules(session) -> None:
    user = auth.signup(session=session, email="c@x.io", password=GOOD, display_name="C")
    with pytest.raises(InvalidInput, match="Current password") as wrong:
        auth.change_password(
            session=session, user=user, current_password="bad-1234", new_password="x-1234567"
        )
    assert wrong.value.field == "current_password"
    with pytest.raises(InvalidInput, match="digit") as weak:
        auth.change_password(
            session=session, user=user, current_password=GOOD, new_password="lettersonly"
        )
    assert weak.value.field == "new_password"


def _claims(user: User, **extra) -> dict:
    now = utcnow()
    return {
        "sub": str(user.id),
        "sid": user.token_subject,
        "ver": 0,
        "iat": now,
        "exp": now + timedelta(hours=1),
        **extra,
    }


def test_expired_forged_and_unsigned_tokens_rejected(session) -> None:
    user = auth.signup(session=session, email="j@x.io", password=GOOD, display_name="J")
    session.commit()
    secret = secret_key()
    expired = jwt.encode(_claims(user, exp=utcnow() - timedelta(seconds=5)), secret, "HS256")
    forged = jwt.encode(_claims(user), "some-other-key-" + "q" * 40, "HS256")
    unsigned = jwt.encode(_claims(user), None, algorithm="none")
    no_version = jwt.encode({"sub": str(user.id), "exp": utcnow() + timedelta(hours=1)}, secret)
    no_subject = jwt.encode({**_claims(user), "sid": None}, secret)
    with pytest.raises(PermissionDenied, match="expired"):
        auth.user_for_token(session=session, token=expired)
    for token in (forged, unsigned, no_version, no_subject, "not-a-jwt", ""):
        with pytest.raises(PermissionDenied, match="Invalid"):
            auth.user_for_token(session=session, token=token)


def test_sliding_window_limiter_blocks_then_recovers() -> None:
    now = [1000.0]
    limiter = SlidingWindowLimiter(max_events=2, window_seconds=60, clock=lambda: now[0])
    limiter.record("k")
    limiter.record("k")
    assert limiter.retry_after("k") == 60
    assert limiter.retry_after("other") == 0
    now[0] += 30
    assert limiter.retry_after("k") == 30
    now[0] += 31
    assert limiter.retry_after("k") == 0


def test_login_guard_slows_the_attacker_not_the_owner(session, monkeypatch) -> None:
    """Failures from one address limit that address for that email; the owner elsewhere still
    logs in; many addresses at one email are held back, except one that logged in before."""
    monkeypatch.setenv("CADENCE_LOGIN_MAX_ATTEMPTS", "3")
    reset_caches()
    auth.signup(session=session, email="r@x.io", password=GOOD, display_name="R")
    session.commit()
    auth.login(session=session, email="r@x.io", password=GOOD, client="owner")
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            auth.login(session=session, email="r@x.io", password="wrong-111", client="a")
    with pytest.raises(RateLimited) as limited:
        auth.login(session=session, email="r@x.io", password=GOOD, client="a")
    assert limited.value.retry_after > 0
    assert auth.login(session=session, email="r@x.io", password=GOOD, client="b").user
    for bot in range(27):  # a botnet: with the 3 above, 10x the allowance
        with pytest.raises(PermissionDenied):
            auth.login(session=session, email="r@x.io", password="wrong-1", client=f"bot{bot}")
    with pytest.raises(RateLimited):
        auth.login(session=session, email="r@x.io", password=GOOD, client="new-place")
    assert auth.login(session=session, email="r@x.io", password=GOOD, client="owner").user


def test_escalating_limiter_doubles_the_delay_and_forgets_after_a_window() -> None:
    now = [1000.0]
    limiter = SlidingWindowLimiter(
        max_events=2, window_seconds=300, escalate=True, clock=lambda: now[0]
    )
    limiter.record("k")
    assert limiter.retry_after("k") == 0
    delays = []
    for _ in range(7):
        limiter.record("k")
        delays.append(limiter.retry_after("k"))
        now[0] += delays[-1]
    assert delays == [10, 20, 40, 80, 160, 300, 300]
    assert limiter.retry_after("k") == 0  # the delay has passed: one more try
    limiter.record("k")
    now[0] += 12 * 300
    assert limiter.retry_after("k") == 0
    limiter.record("k")
    limiter.record("k")
    assert limiter.retry_after("k") == 10  # 12 windows later the allowance was back


def test_limiters_memory_is_bounded_whatever_the_keys() -> None:
    limiter = SlidingWindowLimiter(max_events=3, window_seconds=300, max_keys=100)
    for i in range(20_000):
        limiter.record(f"user{i}@example.com")
    for _ in range(1_000):
        limiter.record("same")
    assert limiter.tracked_keys() == 100
    assert limiter.retry_after("same") > 0  # the most recent keys are the ones kept
    assert len(limiter._events.get("same")) == 3


def test_profile_update_and_coaching_profile(session) -> None:
    user = auth.signup(session=session, email="p@x.io", password=GOOD, display_name="P")
    auth.signup(session=session, email="taken@x.io", password=GOOD, display_name="T")
    users.update_profile(
        session=session, user=user, display_name="Pat", email="PAT@x.io", current_password=GOOD
    )
    assert (user.display_name, user.email) == ("Pat", "pat@x.io")
    with pytest.raises(Conflict):
        users.update_profile(session=session, user=user, email="taken@x.io", current_password=GOOD)
    users.set_coaching_profile(session=session, user=user, coaching_profile="x" * 10_000)
    with pytest.raises(InvalidInput):
        users.set_coaching_profile(session=session, user=user, coaching_profile="x" * 10_001)


def test_secret_key_generated_once_with_private_mode(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("CADENCE_SECRET_KEY")
    monkeypatch.setenv("CADENCE_DATA_DIR", str(tmp_path / "fresh"))
    reset_caches()
    first = secret_key()
    key_file = tmp_path / "fresh" / "secret_key"
    assert len(first) > 40 and key_file.read_text() == first
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    reset_caches()
    assert secret_key() == first
