"""Each user's UI language, chosen on a settings page; unset, the browser's Accept-Language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from accounts.preferences import set_language
from core.web_deps import SessionDep
from review_ui import i18n
from review_ui.auth import SignedIn, UiUser
from review_ui.i18n import Msg
from review_ui.templating import render

router = APIRouter(prefix="/settings/language")
BROWSER = "browser"  # the form's value for "no preference"


def _page(
    request: Request, user: UiUser, *, notice: str = "", error: str = "", status: int = 200
) -> Response:
    return render(
        request,
        "settings/language.html",
        user,
        status,
        choices=[(code, i18n.NATIVE_NAMES[code]) for code in i18n.LANGUAGES],
        chosen=user.language or BROWSER,
        browser_language=i18n.NATIVE_NAMES[
            i18n.from_accept_language(request.headers.get("accept-language"))
        ],
        notice=notice,
        error=error,
    )


@router.get("", summary="Your language")
def language_page(request: Request, user: SignedIn) -> Response:
    saved = request.query_params.get("notice") == "saved"
    return _page(request, user, notice=Msg("Language saved.") if saved else "")


@router.post("", summary="Save your language")
def save_language(
    request: Request,
    session: SessionDep,
    user: SignedIn,
    language: Annotated[str, Form(max_length=16)] = BROWSER,
) -> Response:
    if language != BROWSER and language not in i18n.LANGUAGES:
        return _page(
            request,
            user,
            status=422,
            error=Msg("Choose one of the languages listed, or your browser's."),
        )
    set_language(session, user.id, None if language == BROWSER else language, user.actor)
    return RedirectResponse("/ui/settings/language?notice=saved", status_code=303)
