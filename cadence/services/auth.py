"""Accounts and credentials: signup, login, password rules, JWT issue and verification."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import TypeVar

import bcrypt
import jwt
from sqlmodel import Session, select

from cadence.config import get_settings, secret_key
from cadence.db import session_scope
from cadence.models.common import utcnow
from cadence.models.user import User
from cadence.services.errors import Conflict, InvalidInput, PermissionDenied, RateLimited
from cadence.services.ratelimit import MAX_TRACKED_KEYS, BoundedKeys, SlidingWindowLimiter

JWT_ALGORITHM = "HS256"
MIN_PASSWORD_BYTES = 8
MAX_PASSWORD_BYTES = 72  # bcrypt ignores everything after 72 bytes
_EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INVALID_CREDENTIALS = "Incorrect email or password."
T = TypeVar("T")


@dataclass(frozen=True)
class IssuedToken:
    token: str
    user: User


def canonical_email(email: str) -> str:
    """The form an email is stored and looked up in: NFKC (so look-alike compatibility forms,
    such as full-width letters, are one address), trimmed, lower-cased."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def _invisible_or_control(char: str) -> bool:
    """Control characters, and format characters: bidi overrides, zero-width spaces/joiners."""
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def normalize_email(email: str) -> str:
    """The canonical email, checked to look like one, with no control, bidi-override or
    zero-width character (an address that displays as another one)."""
    normalized = canonical_email(email)
    if any(_invisible_or_control(char) for char in normalized):
        raise InvalidInput(
            "Email addresses cannot contain control, invisible or text-direction characters.",
            field="email",
        )
    if not _EMAIL_PATTERN.match(normalized):
        raise InvalidInput("Enter a valid email address, like name@example.com.", field="email")
    return normalized


def normalize_display_name(display_name: str) -> str:
    cleaned = " ".join(display_name.split())
    if not cleaned:
        raise InvalidInput("Display name cannot be blank.", field="display_name")
    return cleaned


def check_password_rules(*, password: str, email: str) -> None:
    """Raise ``InvalidInput`` naming the first rule ``password`` breaks."""
    size = len(password.encode("utf-8"))
    if size < MIN_PASSWORD_BYTES:
        raise InvalidInput("Password must be at least 8 characters long.", field="password")
    if size > MAX_PASSWORD_BYTES:
        raise InvalidInput("Password must be at most 72 bytes long.", field="password")
    if not any(ch.isalpha() for ch in password):
        raise InvalidInput("Password must contain at least one letter.", field="password")
    if not any(ch.isdigit() for ch in password):
        raise InvalidInput("Password must contain at least one digit.", field="password")
    if password.strip().lower() == email.strip().lower():
        raise InvalidInput("Password must not be the same as your email.", field="password")


def hash_password(password: str) -> str:
    """bcrypt hash (cost from settings, 12 by default). Slow by design: keep off the event loop."""
    rounds = get_settings().bcrypt_rounds
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    return bcrypt.checkpw(password.encode("utf-8")[:MAX_PASSWORD_BYTES], password_hash.encode())


@lru_cache
def _dummy_hash(rounds: int) -> str:
    return bcrypt.hashpw(b"cadence-dummy-password-1", bcrypt.gensalt(rounds)).decode("ascii")


SETUP_CODE_CHARACTERS = 16  # base32: 80 bits
SETUP_CODE_WRONG = (
    "That setup code is not right: copy it from the server's console (it is printed when "
    "Cadence starts, and by `python -m cadence setup-code`)."
)


def setup_code() -> str:
    """The code that makes an account the first admin, like ``ABCD-EFGH-JKLM-NPQR``.

    Derived from the secret key, so every process prints the same code and nobody without the
    server's console or data dir knows it; it is accepted only while no admin exists (so once).
    """
    secret = secret_key().encode()
    digest = hmac.new(secret, b"cadence-first-admin-setup-code", hashlib.sha256).digest()
    text = base64.b32encode(digest).decode()[:SETUP_CODE_CHARACTERS]
    return "-".join(text[i : i + 4] for i in range(0, SETUP_CODE_CHARACTERS, 4))


def _canonical_code(code: str) -> bytes:
    return "".join(code.split()).replace("-", "").upper().encode("utf-8", "replace")


def has_admin(*, session: Session) -> bool:
    return session.exec(select(User.id).where(User.is_admin)).first() is not None


def setup_notice(*, session: Session) -> str | None:
    """What the server prints at start while the install has no admin (None once it has)."""
    if has_admin(session=session):
        return None
    listed = get_settings().admin_email_set
    via_list = f" (or sign up as {', '.join(sorted(listed))})" if listed else ""
    return (
        f"Cadence has no administrator yet. Sign up at {get_settings().resolved_public_url}"
        f"/signup with the setup code {setup_code()}{via_list} to become the administrator."
    )


def signup(
    *,
    session: Session,
    email: str,
    password: str,
    display_name: str,
    setup_code_entered: str | None = None,
    client: str | None = None,
) -> User:
    """Create an account. It is an admin when its email is in ``CADENCE_ADMIN_EMAILS``, or when
    it brings the setup code while the install has no admin yet (a wrong code is an error then;
    once an admin exists the code is ignored). Anyone else gets an ordinary account, so a
    stranger who reaches a fresh install first cannot own it.

    "Already exists" tells whoever asks that an address has an account (there is no email to
    answer through instead): each such answer counts against the ``client`` address like a
    failed login, so nobody can check addresses in bulk.
    """
    normalized = normalize_email(email)
    name = normalize_display_name(display_name)
    check_password_rules(password=password, email=normalized)
    guard = get_login_guard()
    if client is not None:
        guard.check_address(client)
    if session.exec(select(User.id).where(User.email == normalized)).first() is not None:
        if client is not None:
            guard.by_client.record(client)
        raise Conflict("An account with this email already exists.")
    by_code = False
    if setup_code_entered and not has_admin(session=session):
        if not hmac.compare_digest(
            _canonical_code(setup_code_entered), _canonical_code(setup_code())
        ):
            raise InvalidInput(SETUP_CODE_WRONG, field="setup_code")
        by_code = True
    user = User(
        email=normalized,
        display_name=name,
        password_hash=hash_password(password),
        is_admin=by_code or normalized in get_settings().admin_email_set,
    )
    session.add(user)
    session.flush()
    return user


class LoginGuard:
    """Failed logins slow an attacker down without locking the owner out.

    - per email *and* address: ``max_attempts`` failures per window, then each further try
      waits a delay that doubles with every failure (capped at the window), so someone guessing
      from elsewhere never blocks the owner's own address;
    - per address, any email: 5 times that (password spraying from one place);
    - per email, from addresses that have never logged in to it: 10 times that (many places against
      one account); an address that logged in to the account before is exempt, so the owner is
      not locked out by a botnet either.
    """

    def __init__(self, *, max_attempts: int, window_seconds: int) -> None:
        self.by_pair = SlidingWindowLimiter(
            max_events=max_attempts, window_seconds=window_seconds, escalate=True
        )
        self.by_client = SlidingWindowLimiter(
            max_events=max_attempts * 5, window_seconds=window_seconds
        )
        self.by_email = SlidingWindowLimiter(
            max_events=max_attempts * 10, window_seconds=window_seconds
        )
        self.known = BoundedKeys[bool](max_keys=MAX_TRACKED_KEYS)
        self._lock = threading.Lock()

    def check_address(self, client: str) -> None:
        if wait := self.by_client.retry_after(client):
            raise RateLimited(f"Too many attempts. Try again in {wait} seconds.", retry_after=wait)

    def check(self, *, email: str, client: str) -> None:
        pair = _pair(email, client)
        with self._lock:
            known = self.known.get(pair) is not None
        waits = [self.by_pair.retry_after(pair), self.by_client.retry_after(client)]
        if not known:
            waits.append(self.by_email.retry_after(email))
        if wait := max(waits):
            raise RateLimited(
                f"Too many login attempts. Try again in {wait} seconds.", retry_after=wait
            )

    def record_failure(self, *, email: str, client: str) -> None:
        self.by_pair.record(_pair(email, client))
        self.by_client.record(client)
        self.by_email.record(email)

    def record_success(self, *, email: str, client: str) -> None:
        pair = _pair(email, client)
        self.by_pair.reset(pair)
        with self._lock:
            self.known.put(pair, True)


def _pair(email: str, client: str) -> str:
    return f"{email}\n{client}"


@lru_cache
def get_login_guard() -> LoginGuard:
    settings = get_settings()
    return LoginGuard(
        max_attempts=settings.login_max_attempts, window_seconds=settings.login_window_seconds
    )


def login(*, session: Session, email: str, password: str, client: str) -> IssuedToken:
    """Check credentials (rate limited) and issue a token; unknown emails cost the same time."""
    normalized = canonical_email(email)
    guard = get_login_guard()
    guard.check(email=normalized, client=client)
    user = session.exec(select(User).where(User.email == normalized)).first()
    if user is None:
        verify_password(password, _dummy_hash(get_settings().bcrypt_rounds))
        guard.record_failure(email=normalized, client=client)
        raise PermissionDenied(INVALID_CREDENTIALS)
    if not verify_password(password, user.password_hash):
        guard.record_failure(email=normalized, client=client)
        raise PermissionDenied(INVALID_CREDENTIALS)
    if not user.is_active:
        raise PermissionDenied("This account is disabled. Ask the administrator.")
    guard.record_success(email=normalized, client=client)
    return IssuedToken(token=issue_token(user=user), user=user)


def issue_token(*, user: User) -> str:
    """A signed JWT carrying the user id, the account's own random subject and its current
    token version (bumped by a password or email change and by disabling)."""
    settings = get_settings()
    now = utcnow()
    claims = {
        "sub": str(user.id),
        "sid": user.token_subject,
        "ver": user.token_version,
        "iat": now,
        "exp": now + timedelta(minutes=settings.token_ttl_minutes),
    }
    return jwt.encode(claims, secret_key(), algorithm=JWT_ALGORITHM)


BROWSER_ID_BYTES = 32
_BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32)


def new_browser_id() -> str:
    """A random id for one browser, kept in an HttpOnly cookie (256 bits)."""
    return secrets.token_urlsafe(BROWSER_ID_BYTES)


def is_browser_id(value: str) -> bool:
    return _BROWSER_ID.fullmatch(value) is not None


def browser_session_key(*, browser_id: str, client_token: str) -> str:
    """The key a web UI session is kept under: the tab's client token bound, with the secret
    key, to its browser's id, so the tab token without that browser's cookie never names the
    tab's session. UUID-shaped, like the client token it stands for."""
    message = f"cadence-ui-session\0{browser_id}\0{client_token}".encode()
    digest = hmac.new(secret_key().encode(), message, hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16]))


@dataclass(frozen=True)
class TokenClaims:
    """What a token's valid signature vouches for; its user row still decides
    (``user_for_claims``)."""

    user_id: int
    subject: str
    version: int


def token_claims(*, token: str) -> TokenClaims:
    """The claims of a well-formed, unexpired token signed with this server's key (no database
    read); ``PermissionDenied`` otherwise."""
    try:
        claims = jwt.decode(
            token,
            secret_key(),
            algorithms=[JWT_ALGORITHM],
            options={"require": ["exp", "sub", "sid", "ver"]},
        )
        return TokenClaims(
            user_id=int(claims["sub"]), subject=str(claims["sid"]), version=claims["ver"]
        )
    except jwt.ExpiredSignatureError as exc:
        raise PermissionDenied("Your session has expired. Please log in again.") from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise PermissionDenied("Invalid authentication token.") from exc


def user_for_claims(*, session: Session, claims: TokenClaims) -> User:
    """The active user ``claims`` name, while the token is still theirs (not revoked by a
    password change, a disable or a delete); ``PermissionDenied`` otherwise."""
    user = session.get(User, claims.user_id)
    if (
        user is None
        or not hmac.compare_digest(claims.subject.encode(), user.token_subject.encode())
        or user.token_version != claims.version
        or not user.is_active
    ):
        raise PermissionDenied("Invalid authentication token.")
    return user


def user_for_token(*, session: Session, token: str) -> User:
    """The active user a token belongs to; ``PermissionDenied`` for any invalid or stale token."""
    return user_for_claims(session=session, claims=token_claims(token=token))


def run_as_user(*, token: str, work: Callable[[Session, User], T]) -> T:
    """Run ``work(session, user)`` in one transaction as the token's user (verified each call)."""
    with session_scope() as session:
        return work(session, user_for_token(session=session, token=token))


def change_password(
    *, session: Session, user: User, current_password: str, new_password: str
) -> User:
    """Replace the password and bump the token version so every older token stops working."""
    if not verify_password(current_password, user.password_hash):
        raise InvalidInput("Current password is incorrect.", field="current_password")
    try:
        check_password_rules(password=new_password, email=user.email)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="new_password") from exc
    user.password_hash = hash_password(new_password)
    user.token_version += 1
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return user
