"""One UI request as a role's handlers use it: the request, its session and the signed-in user,
with the page rendering and form running every role's pages share. `page_for(*roles)` is the
dependency that builds it once the role check has passed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from core.actors import Actor
from core.roles import Role
from core.web_deps import SessionDep
from review_ui.auth import UiUser, require_ui_role
from review_ui.form_actions import Refused, run_or_refuse
from review_ui.templating import render


@dataclass(frozen=True)
class UiPage:
    request: Request
    session: Session
    user: UiUser

    @property
    def actor(self) -> Actor:
        return self.user.actor

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def notice(self, notices: Mapping[str, str]) -> str:
        """The message for the `?notice=` a form's redirect named ("" for none or an unknown one)."""
        return notices.get(self.query("notice"), "")

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        return render(self.request, template, self.user, status, **context)

    def act(self, action: Callable[[], object], *, done: str, refused: Refused) -> Response:
        return run_or_refuse(self.session, action, done=done, refused=refused)


def page_for(*roles: Role) -> Callable[..., UiPage]:
    """The dependency giving a page to a user of one of `roles` (anyone else: 403)."""
    check = require_ui_role(*roles)

    # A default, not `Annotated`: the annotations are strings, read against the module's globals.
    def page(request: Request, session: SessionDep, user: UiUser = Depends(check)) -> UiPage:
        return UiPage(request, session, user)

    return page
