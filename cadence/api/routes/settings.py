"""``/settings``: profile, password, coaching profile and preferences."""

from __future__ import annotations

from contextlib import suppress

from fastapi import APIRouter, Response, status

from cadence.api.deps import CurrentUser, SessionDep
from cadence.api.responses import error_responses
from cadence.models.preferences import PreferencesPublic, PreferencesUpdate
from cadence.models.user import CoachingProfile, PasswordChange, ProfileUpdate, UserPublic
from cadence.services import auth, preferences, recompute, users
from cadence.services.errors import ServiceUnavailable

router = APIRouter(prefix="/settings", tags=["settings"])


@router.put("/profile", response_model=UserPublic, responses=error_responses(401, 409, 422))
def update_profile(body: ProfileUpdate, user: CurrentUser, session: SessionDep) -> UserPublic:
    """Change the display name and/or email. A new email needs ``current_password`` and signs
    out every session, this token's too: log in again with the new email."""
    updated = users.update_profile(
        session=session,
        user=user,
        display_name=body.display_name,
        email=body.email,
        current_password=body.current_password,
    )
    return users.to_public(updated)


@router.put(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 422),
)
def change_password(body: PasswordChange, user: CurrentUser, session: SessionDep) -> Response:
    """Change the password; every token issued before stops working."""
    auth.change_password(
        session=session,
        user=user,
        current_password=body.current_password,
        new_password=body.new_password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/coaching-profile", response_model=CoachingProfile, responses=error_responses(401))
def get_coaching_profile(user: CurrentUser) -> CoachingProfile:
    """The free-text profile the coach reads (goals, injuries, schedule, equipment)."""
    return CoachingProfile(coaching_profile=user.coaching_profile)


@router.put(
    "/coaching-profile", response_model=CoachingProfile, responses=error_responses(401, 422)
)
def put_coaching_profile(
    body: CoachingProfile, user: CurrentUser, session: SessionDep
) -> CoachingProfile:
    updated = users.set_coaching_profile(
        session=session, user=user, coaching_profile=body.coaching_profile
    )
    return CoachingProfile(coaching_profile=updated.coaching_profile)


@router.get("/preferences", response_model=PreferencesPublic, responses=error_responses(401))
def get_preferences(user: CurrentUser, session: SessionDep) -> PreferencesPublic:
    """Time zone, week start, units, sleep need and heart rates, defaults filled in."""
    return preferences.get_preferences(session=session, user_id=user.id)


@router.put("/preferences", response_model=PreferencesPublic, responses=error_responses(401, 422))
def put_preferences(
    body: PreferencesUpdate, user: CurrentUser, session: SessionDep
) -> PreferencesPublic:
    """Change any subset of the preferences; ``null`` resets a field to its default. What
    depends on them (training load, days, sleep debt) is recomputed in the background."""
    result = preferences.update_preferences(session=session, user_id=user.id, changes=body)
    session.commit()  # the worker must read the new values
    with suppress(ServiceUnavailable):  # a convenience: the next visit computes it anyway
        recompute.after_preferences_changed(user_id=user.id)
    return result
