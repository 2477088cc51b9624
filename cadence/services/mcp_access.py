"""Who an MCP session acts for: a user named by email (stdio) or by a bearer token (HTTP).

Checked again on every tool call, so disabling an account (or changing its password, for HTTP
tokens) stops an open MCP session at once.
"""

from __future__ import annotations

from sqlmodel import Session, select

from cadence.models.user import User
from cadence.services import auth
from cadence.services.errors import NotFound, PermissionDenied


def user_id_for_email(*, session: Session, email: str) -> int:
    """The id of the active account with ``email``; ``NotFound`` otherwise."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.is_active:
        raise NotFound(f"No active account with the email {email.strip().lower()}.")
    return user.id


def require_active(*, session: Session, user_id: int) -> int:
    """``user_id`` if that account still exists and is enabled; ``PermissionDenied`` otherwise."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise PermissionDenied("This account is disabled or no longer exists.")
    return user_id


def user_id_for_token(*, session: Session, token: str) -> int:
    """The user a bearer token belongs to (the same JWT the REST API accepts)."""
    return auth.user_for_token(session=session, token=token).id
