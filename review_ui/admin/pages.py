"""Admin pages: users, API keys, dead-lettered actions, the model in use."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from accounts.models import User
from accounts.repository import api_keys_newest_first, user_named, users_by_name
from accounts.service import (
    add_user,
    change_password,
    create_api_key,
    revoke_api_key,
    set_active,
    set_role,
    unlock,
)
from api.process import AppRuntimeDep
from core.clock import utcnow
from core.errors import DomainError
from core.roles import Role
from pipeline.actions import retry_dead
from pipeline.repository.actions import dead_letters
from review_ui.auth import UiRefused
from review_ui.i18n import Msg
from review_ui.page import AdminPage, ItemPage, UiPage

router = APIRouter(prefix="/admin")
ADMIN_LINKS = (
    {"label": "Routing policy", "path": "/ui/admin/policy"},
    {"label": "Webhooks", "path": "/ui/admin/webhooks"},
    {"label": "Reassign cases", "path": "/ui/supervise"},
)
NOTICES = {
    "user_added": "Account created.",
    "key_revoked": "API key revoked.",
    "retried": "Action queued again; it runs once the retry is committed.",
}
USER_NOTICES = {
    "role": "Role changed; the account's sessions and tokens were ended.",
    "deactivated": "Account deactivated; its sessions and tokens were ended.",
    "activated": "Account active again.",
    "unlocked": "Lockout lifted.",
    "password": "Password reset; the account's sessions and tokens were ended.",
}


@router.get("", summary="Admin overview: users, API keys, dead letters, model")
def overview(rt: AppRuntimeDep, page: AdminPage) -> Response:
    return _page(page, rt, notice=page.notice(NOTICES))


def _page(page: UiPage, rt: AppRuntimeDep, *, status: int = 200, **extra: object) -> Response:
    return page.render(
        "admin/overview.html",
        status,
        users=users_by_name(page.session),
        keys=api_keys_newest_first(page.session),
        dead=dead_letters(page.session),
        roles=[r.value for r in Role],
        model_version=rt.classifier.model_version,
        model_card=_model_card(rt.settings.model_dir),
        admin_links=ADMIN_LINKS,
        **extra,
    )


def _model_card(model_dir: Path | None) -> str:
    from classifier.serving.loader import find_model_dir

    chosen = model_dir or find_model_dir()
    card = chosen / "MODEL_CARD.md" if chosen else None
    if card is None or not card.is_file():
        return ""
    return card.read_text(encoding="utf-8")[:20_000]


@router.post("/users", summary="Create an account")
def create_user(
    rt: AppRuntimeDep,
    page: AdminPage,
    username: Annotated[str, Form(min_length=1, max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    role: Annotated[str, Form(max_length=32)],
) -> Response:
    return page.act(
        lambda: add_user(page.session, username.strip(), password, role, page.actor),
        done="/ui/admin?notice=user_added",
        refused=lambda error, status: _page(page, rt, status=status, user_error=error),
    )


@router.post("/keys", summary="Create an API key (shown once)")
def create_key(
    rt: AppRuntimeDep,
    page: AdminPage,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    scopes: Annotated[list[str], Form()],
) -> Response:
    try:
        issued = create_api_key(page.session, name.strip(), scopes, page.actor)
    except DomainError as exc:
        page.session.rollback()
        return _page(page, rt, status=exc.status, key_error=exc.message)
    page.session.flush()
    return _page(page, rt, new_secret=issued.secret, new_key_name=issued.key.name)


@router.post("/keys/{key_id}/revoke", summary="Revoke an API key")
def revoke_key(key_id: str, page: AdminPage) -> Response:
    revoke_api_key(page.session, key_id, page.actor)
    return RedirectResponse("/ui/admin?notice=key_revoked", status_code=303)


@router.post("/dead/{action_id}/retry", summary="Retry a dead-lettered enforcement action")
def retry_action(action_id: str, page: AdminPage) -> Response:
    try:
        retry_dead(page.session, action_id, page.actor)  # enqueues the action after commit
    except DomainError as exc:
        raise UiRefused(exc.status, exc.message) from exc
    return RedirectResponse("/ui/admin?notice=retried", status_code=303)


class OnAccount(ItemPage):
    """An account's page (`id`: its username) and the forms on it."""

    address = "/ui/admin/users/"
    path_param = "username"

    @property
    def own(self) -> bool:
        return self.id == self.page.user.username

    def account(self) -> User:
        found = user_named(self.session, self.id[:64])
        if found is None:
            raise UiRefused(404, Msg("No such user."))
        return found

    def check(self) -> None:
        self.account()

    def show(self, *, error: str = "", status: int = 200) -> Response:
        account = self.account()
        locked = account.locked_until is not None and account.locked_until > utcnow()
        return self.page.render(
            "admin/user.html",
            status,
            account=account,
            locked=locked,
            roles=[r.value for r in Role],
            notice=self.page.notice(USER_NOTICES),
            error=error,
            own=account.username == self.page.user.username,
        )


Account = Annotated[OnAccount, OnAccount.depends(Role.ADMIN)]


@router.get("/users/{username}", summary="One account: role, state, lockout, password")
def user_page(it: Account) -> Response:
    return it.show()


# A refusal of one's own account comes before the 404 check: one's own account always exists.
@router.post("/users/{username}/role", summary="Change an account's role")
def change_role(it: Account, role: Annotated[str, Form(max_length=32)]) -> Response:
    if it.own and role != Role.ADMIN.value:
        error = "You cannot take the admin role from yourself; ask another admin."
        return it.show(error=error, status=409)
    return it.act("role", lambda: set_role(it.session, it.id, role, it.actor))


@router.post("/users/{username}/active", summary="Deactivate or reactivate an account")
def change_active(it: Account, active: Annotated[str, Form(max_length=8)]) -> Response:
    on = active == "yes"
    if it.own and not on:
        return it.show(error="You cannot deactivate your own account.", status=409)
    return it.act(
        "activated" if on else "deactivated",
        lambda: set_active(it.session, it.id, on, it.actor),
    )


@router.post("/users/{username}/unlock", summary="Lift a lockout after failed sign-ins")
def unlock_user(it: Account) -> Response:
    return it.act("unlocked", lambda: unlock(it.session, it.id, it.actor))


@router.post("/users/{username}/password", summary="Set a new password for an account")
def reset_password(it: Account, password: Annotated[str, Form(max_length=256)]) -> Response:
    return it.act("password", lambda: change_password(it.session, it.id, password, it.actor))
