"""``/auth``: signup, login and the current user."""

from __future__ import annotations

from fastapi import APIRouter, status

from cadence.api.deps import ClientAddress, CurrentUser, SessionDep
from cadence.api.responses import error_responses
from cadence.models.user import LoginRequest, SignupRequest, TokenResponse, UserPublic
from cadence.services import auth, users

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenResponse,
    responses=error_responses(409, 422, 429),
)
def signup(body: SignupRequest, session: SessionDep, client: ClientAddress) -> TokenResponse:
    """Create an account and return a token for it. ``setup_code`` (printed on the server's
    console while there is no admin) makes it the first admin."""
    user = auth.signup(
        session=session,
        email=body.email,
        password=body.password,
        display_name=body.display_name,
        setup_code_entered=body.setup_code,
        client=client,
    )
    return TokenResponse(token=auth.issue_token(user=user), user=users.to_public(user))


@router.post("/login", response_model=TokenResponse, responses=error_responses(401, 422, 429))
def login(body: LoginRequest, session: SessionDep, client: ClientAddress) -> TokenResponse:
    """Exchange email and password for a bearer token."""
    issued = auth.login(session=session, email=body.email, password=body.password, client=client)
    return TokenResponse(token=issued.token, user=users.to_public(issued.user))


@router.get("/me", response_model=UserPublic, responses=error_responses(401))
def me(user: CurrentUser) -> UserPublic:
    """The account the token belongs to."""
    return users.to_public(user)
