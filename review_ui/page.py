"""One UI request as a role's handlers use it: the request, its session and the signed-in user,
with the page rendering and form running every role's pages share. `page_for(*roles)` is the
dependency that builds it once the role check has passed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Self

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from core.actors import Actor
from core.roles import Role
from core.web_deps import SessionDep
from review_ui.auth import UiUser, require_ui_role
from review_ui.form_actions import Refused, refusal, run_or_refuse
from review_ui.roles import CASE_WORKERS, DASHBOARD_VIEWERS
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


# The pages of the role groups whose routes span several modules.
AdminPage = Annotated[UiPage, Depends(page_for(Role.ADMIN))]
LegalPage = Annotated[UiPage, Depends(page_for(Role.LEGAL))]
StaffPage = Annotated[UiPage, Depends(page_for(*Role))]
CaseWorkerPage = Annotated[UiPage, Depends(page_for(*CASE_WORKERS))]
DashboardPage = Annotated[UiPage, Depends(page_for(*DASHBOARD_VIEWERS))]


@dataclass(frozen=True)
class ItemPage:
    """The page of one thing named in the path (`id`: its id or name) and the forms on it: a
    form's service call redirects back to the page with a notice, or, refused, rolls back and
    shows the page again with the reason and status."""

    page: UiPage
    id: str
    address: ClassVar[str]  # the page's path without the id, e.g. "/ui/incidents/"
    path_param: ClassVar[str]  # the routes' name for the id, e.g. "incident_id"

    @classmethod
    def of(cls, page: UiPage) -> Self:
        return cls(page, page.request.path_params[cls.path_param])

    @classmethod
    def depends(cls, *roles: Role) -> Any:
        """`Depends` giving this page to a user of one of `roles` (anyone else: 403)."""

        def item(page: UiPage = Depends(page_for(*roles))) -> ItemPage:
            return cls.of(page)

        return Depends(item)

    @property
    def session(self) -> Session:
        return self.page.session

    @property
    def actor(self) -> Actor:
        return self.page.actor

    def show(self, *, error: str = "", status: int = 200) -> Response:
        raise NotImplementedError

    def check(self) -> None:
        """Refuse a form on a thing that is not there (404) before it runs; by default the
        service's own refusal answers."""

    def back(self, notice: str) -> Response:
        return RedirectResponse(f"{self.address}{self.id}?notice={notice}", status_code=303)

    def attempt(self, action: Callable[[], object]) -> Response | None:
        """Run a service call: None when done, else the page again with the refusal."""
        return refusal(self.session, action, lambda e, status: self.show(error=e, status=status))

    def act(self, notice: str, action: Callable[[], object]) -> Response:
        self.check()
        return self.attempt(action) or self.back(notice)
