"""Attaching the UI to the FastAPI app: its routes under /ui, static files, error pages."""

from __future__ import annotations

from inspect import isawaitable
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from api.nul_guard import Loc
from core.process import Process
from review_ui import language, login
from review_ui.admin import pages as admin
from review_ui.admin import policy as admin_policy
from review_ui.admin import webhooks as admin_webhooks
from review_ui.auth import SignedIn, UiRedirect, UiRefused, UiUser, csrf_guard, optional_user
from review_ui.form_encoding import KeepFormBody, NotUtf8Form, NulInForm, form_in_utf8
from review_ui.form_errors import field_problem, joined
from review_ui.i18n import Msg
from review_ui.incidents import pages as incidents
from review_ui.incidents import response_plan
from review_ui.legal import holds as legal_holds
from review_ui.legal import pages as legal
from review_ui.legal import statements as legal_statements
from review_ui.pr import claims_library
from review_ui.pr import pages as pr
from review_ui.reviewer import bulk, case_console, decisions, wellness
from review_ui.reviewer import pages as reviewer
from review_ui.roles import home_for
from review_ui.supervisor import dashboards
from review_ui.supervisor import pages as supervise
from review_ui.templating import render

STATIC = Path(__file__).parent / "static"
UI = "/ui"
_NOT_FIELDS = ("body", "query", "path", "header", "cookie")  # where, not which field


def build_router() -> APIRouter:
    # form_in_utf8 after csrf_guard (which may refuse first); it reads the form if no one has.
    guards = [Depends(csrf_guard), Depends(form_in_utf8)]
    router = APIRouter(prefix="/ui", dependencies=guards, include_in_schema=False)
    router.include_router(login.router)
    router.include_router(reviewer.router)
    router.include_router(case_console.router)
    router.include_router(wellness.router)
    router.include_router(language.router)
    router.include_router(decisions.router)
    router.include_router(bulk.router)
    router.include_router(dashboards.router)
    router.include_router(admin.router)
    router.include_router(admin_policy.router)
    router.include_router(admin_webhooks.router)
    router.include_router(supervise.router)
    router.include_router(pr.router)
    router.include_router(claims_library.router)
    router.include_router(legal.router)
    router.include_router(legal_holds.router)
    router.include_router(legal_statements.router)
    router.include_router(incidents.router)
    router.include_router(response_plan.router)

    @router.get("")
    @router.get("/")
    def home(user: SignedIn) -> Response:
        return RedirectResponse(home_for(user.role), status_code=303)

    return router


def _user_of(request: Request) -> UiUser | None:
    rt: Process = request.app.state.runtime
    with rt.sessions() as session:
        return optional_user(request, session)


def _back(request: Request) -> str:
    """The page the refused form was on: the one the browser came from (the UI's pages send
    their address to the same origin), else the posted address where it is a page too."""
    came_from = urlsplit(request.headers.get("referer", ""))
    if came_from.netloc == request.url.netloc and came_from.path.startswith(f"{UI}/"):
        return came_from.path + (f"?{came_from.query}" if came_from.query else "")
    scope = {**request.scope, "method": "GET"}
    pages = request.app.router.routes
    return request.url.path if any(r.matches(scope)[0] == Match.FULL for r in pages) else ""


async def nul_in_address(scope: Scope, receive: Receive, send: Send, _: list[Loc]) -> None:
    """The refusal page for a /ui address (path or query) holding the NUL character (api.nul_guard
    finds it before any route runs). The page is rendered for the UI's root and says "the
    address", never echoing any of it: a query name would read as the page's own words."""
    request = Request({**scope, "path": UI, "raw_path": UI.encode(), "query_string": b""}, receive)
    user = await run_in_threadpool(_user_of, request)
    message = Msg("The NUL character is not allowed in {fields}.", fields=Msg("the address"))
    await render(request, "refused.html", user, 422, message=message)(scope, receive, send)


def mount_ui(app: FastAPI) -> None:
    """Call after the API's error handlers are installed: a refused form under /ui is a page,
    and anything else goes on to the handler the app had."""
    app.include_router(build_router())
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse("/ui", status_code=307)

    async def on_redirect(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, UiRedirect)
        return RedirectResponse(exc.location, status_code=303)

    async def on_refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, UiRefused)
        user = await run_in_threadpool(_user_of, request)
        return render(request, "refused.html", user, exc.status, message=exc.message)

    api_invalid = app.exception_handlers.get(
        RequestValidationError, request_validation_exception_handler
    )

    async def on_invalid(request: Request, exc: Exception) -> Response:
        """A form or query the UI's routes refused: which field and why, in the reader's words,
        and the way back to the form (not the API's JSON, which a person cannot use)."""
        assert isinstance(exc, RequestValidationError)
        if request.url.path != UI and not request.url.path.startswith(f"{UI}/"):
            answer = api_invalid(request, exc)
            return await answer if isawaitable(answer) else answer
        user = await run_in_threadpool(_user_of, request)
        problems = joined(field_problem(e, _NOT_FIELDS) for e in exc.errors())
        return render(
            request, "form_refused.html", user, 422, message=problems, back=_back(request)
        )

    async def on_not_utf8(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotUtf8Form)
        user = await run_in_threadpool(_user_of, request)
        fields = ", ".join(exc.fields)
        if isinstance(exc, NulInForm):
            status, problem = (
                422,
                Msg("The NUL character is not allowed in {fields}.", fields=fields),
            )
        else:
            status = 400
            problem = Msg(
                "Not UTF-8 text in {fields}: send the form again from its page.", fields=fields
            )
        return render(
            request, "form_refused.html", user, status, message=problem, back=_back(request)
        )

    app.add_exception_handler(UiRedirect, on_redirect)
    app.add_exception_handler(UiRefused, on_refused)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(NotUtf8Form, on_not_utf8)
    app.add_middleware(KeepFormBody)  # innermost: inside the body limit and the NUL guard
