"""``/admin``: user management and the shared LLM key. Anyone but an admin gets 404 everywhere."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from cadence.api.deps import CurrentUser, ResourceId, SessionDep
from cadence.api.responses import error_responses
from cadence.models.admin import (
    AdminLlmPublic,
    AdminLlmUpdate,
    AdminUserList,
    AdminUserPublic,
    AdminUserUpdate,
    ModelUsageList,
    ModelUsagePublic,
)
from cadence.models.user import User
from cadence.services import admin
from cadence.services.chat import llm_settings


def _admin_user(user: CurrentUser) -> User:
    admin.require_admin(user)
    return user


AdminUser = Annotated[User, Depends(_admin_user)]
router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(_admin_user)])


def _public(row: admin.UserUsage) -> AdminUserPublic:
    return AdminUserPublic(**asdict(row))


@router.get("/users", response_model=AdminUserList, responses=error_responses(401, 404, 422))
def list_users(
    actor: AdminUser,
    session: SessionDep,
    q: Annotated[
        str, Query(max_length=admin.MAX_QUERY_LENGTH, description="In email or name.")
    ] = "",
    sort: admin.UserSort = "created",
    order: Literal["asc", "desc"] = "asc",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=admin.MAX_PER_PAGE)] = 50,
) -> AdminUserList:
    """One page of accounts (search, sort and pages in the database) with their usage:
    workouts, connected devices, chat messages and tokens."""
    found = admin.list_users(
        session=session,
        actor=actor,
        query=q,
        sort=sort,
        descending=order == "desc",
        page=page,
        per_page=per_page,
    )
    return AdminUserList(
        users=[_public(r) for r in found.users],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
    )


@router.get("/usage/models", response_model=ModelUsageList, responses=error_responses(401, 404))
def usage_by_model(actor: AdminUser, session: SessionDep) -> ModelUsageList:
    """Per model: answers, tokens and faithfulness (stated numbers found in the data)."""
    return ModelUsageList(
        models=[
            ModelUsagePublic(**asdict(row), faithfulness=row.faithfulness)
            for row in admin.model_usage(session=session, actor=actor)
        ]
    )


@router.patch(
    "/users/{user_id}", response_model=AdminUserPublic, responses=error_responses(401, 404, 409)
)
def update_user(
    user_id: ResourceId, body: AdminUserUpdate, actor: AdminUser, session: SessionDep
) -> AdminUserPublic:
    """Disable/enable an account (disabling revokes its tokens at once) or grant/revoke admin."""
    if body.is_active is not None:
        admin.set_active(session=session, actor=actor, user_id=user_id, active=body.is_active)
    if body.is_admin is not None:
        admin.set_admin(session=session, actor=actor, user_id=user_id, is_admin=body.is_admin)
    return _public(admin.user_usage(session=session, actor=actor, user_id=user_id))


@router.get("/llm", response_model=AdminLlmPublic, responses=error_responses(401, 404))
def get_llm(actor: AdminUser, session: SessionDep) -> AdminLlmPublic:
    """The shared LLM key (masked), base URL and the models offered in the chat."""
    return AdminLlmPublic(**asdict(llm_settings.admin_llm_settings(session=session, actor=actor)))


@router.put("/llm", response_model=AdminLlmPublic, responses=error_responses(401, 404, 422))
def put_llm(body: AdminLlmUpdate, actor: AdminUser, session: SessionDep) -> AdminLlmPublic:
    """Set the shared key (write-only; ``""`` removes it), base URL and offered models."""
    updated = llm_settings.update_admin_llm_settings(
        session=session,
        actor=actor,
        api_key=body.api_key,
        base_url=body.base_url,
        models=body.models,
    )
    return AdminLlmPublic(**asdict(updated))
