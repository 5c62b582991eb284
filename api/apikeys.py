"""Admin routes for the platform's API keys: create (the secret is shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from accounts.repository import api_keys_oldest_first
from accounts.service import create_api_key, revoke_api_key
from api.schemas import ApiKeyIn, ApiKeyOut, IssuedApiKeyOut
from core.principal import Admin
from core.web_deps import SessionDep
from core.web_schemas import refusals

router = APIRouter(prefix="/v1/admin/apikeys", tags=["admin"])


@router.post(
    "",
    status_code=201,
    summary="Create an API key; the key itself is returned only in this response",
    responses=refusals(400, 401, 403, 422),
)
def create(body: ApiKeyIn, session: SessionDep, admin: Admin) -> IssuedApiKeyOut:
    issued = create_api_key(
        session,
        body.name,
        [s.value for s in body.scopes],
        admin.actor,
        rate_limit_per_minute=body.rate_limit_per_minute,
    )
    return IssuedApiKeyOut(**ApiKeyOut.model_validate(issued.key).model_dump(), key=issued.secret)


@router.get("", summary="List API keys (never their secrets)", responses=refusals(401, 403))
def list_keys(session: SessionDep, _: Admin) -> list[ApiKeyOut]:
    return [ApiKeyOut.model_validate(k) for k in api_keys_oldest_first(session)]


@router.delete(
    "/{key_id}",
    summary="Revoke an API key (by id or prefix); revoking twice is harmless",
    responses=refusals(401, 403, 404, 409, 422),
)
def revoke(
    key_id: Annotated[str, Path(min_length=1, max_length=64)], session: SessionDep, admin: Admin
) -> ApiKeyOut:
    return ApiKeyOut.model_validate(revoke_api_key(session, key_id, admin.actor))
