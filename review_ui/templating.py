"""Rendering pages: one Jinja environment, the signed-in user's navigation, no caching."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.responses import Response

from core.messages import Msg as CoreMsg
from review_ui import i18n
from review_ui.auth import CSRF_FIELD, UiUser
from review_ui.i18n import Msg
from review_ui.reviewer.check_words import check_message
from review_ui.roles import sections_for

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
)
_ENV.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
TEMPLATES = Jinja2Templates(env=_ENV)
# CSP, framing, nosniff and referrer policy come from api.security_headers for every response.
PAGE_HEADERS = {"Cache-Control": "no-store"}


# A time to the minute, in UTC (the product's one time zone), in the page's language.
WHEN_PATTERN = {i18n.ENGLISH: "yyyy-MM-dd HH:mm 'UTC'", i18n.CHINESE: "y年M月d日 HH:mm 'UTC'"}
DATE_PATTERN = {i18n.ENGLISH: "d MMM y", i18n.CHINESE: "y年M月d日"}


def _when(value: datetime | None) -> str:
    if not value:
        return "—"
    lang = i18n.current()
    return format_datetime(value, WHEN_PATTERN[lang.code], tzinfo=UTC, locale=lang.locale)


def _date(value: datetime | None) -> str:
    if not value:
        return "—"
    lang = i18n.current()
    return format_datetime(value, DATE_PATTERN[lang.code], tzinfo=UTC, locale=lang.locale)


def _number(value: float | int | None, digits: int | None = None) -> str:
    if value is None:
        return "—"
    pattern = None if digits is None else "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=i18n.current().locale)


TEMPLATES.env.filters["when"] = _when
TEMPLATES.env.filters["date"] = _date
TEMPLATES.env.filters["number"] = _number
TEMPLATES.env.filters["t"] = i18n.translate  # a message written in Python, in the page's language
TEMPLATES.env.filters["check_message"] = check_message
# Only a `Msg` is localised; any other text (what people wrote) is shown as written.
TEMPLATES.env.filters["msg"] = lambda v: i18n.translate(v) if isinstance(v, CoreMsg) else v
# What app.js writes itself (countdowns, the note's autosave, extending a lease), in the
# page's language: handed to it in <body data-words>.
JS_WORDS = {
    "left": Msg("{span} left"),
    "overdue": Msg("overdue by {span}"),
    "hours": Msg("{n}h"),
    "minutes": Msg("{n}m"),
    "seconds": Msg("{n}s"),
    "noteSaved": Msg("Note saved."),
    "extended": Msg("Extended"),
    "cannotExtend": Msg("Cannot extend"),
}


def js_words() -> dict[str, str]:
    return {key: i18n.gettext(msg) for key, msg in JS_WORDS.items()}


# Keys whose values are messages written in Python (notices, errors, a domain error's message):
# shown in the page's language when they are a `Msg` (the UI's or the domain's) or a
# catalogued string.
MESSAGE_KEYS = (
    "notice",
    "error",
    "message",
    "import_notice",
    "import_error",
    "user_error",
    "key_error",
    "add_error",
)


def language_of(request: Request, user: UiUser | None) -> i18n.Language:
    """The user's preference, else the browser's Accept-Language."""
    return i18n.choose(user.language if user else None, request.headers.get("accept-language"))


def in_language_of(request: Request, user: UiUser | None, message: str) -> str:
    """A message (a domain error's, say) for a response that is not a page (JSON for app.js)."""
    with i18n.speaking(language_of(request, user)):
        return str(i18n.translate(message))


def render(
    request: Request,
    template: str,
    user: UiUser | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    language = language_of(request, user)
    context.update(
        user=user,
        nav=sections_for(user.role) if user else [],
        csrf_field=CSRF_FIELD,
        csrf_token=user.csrf_token if user else context.get("csrf_token", ""),
        current_path=request.url.path,
        html_lang=language.html_lang,
        language=language.code,
    )
    # The template renders inside TemplateResponse, so everything it translates or formats
    # (gettext, the `when` and `number` filters, messages from Python) speaks `language`.
    with i18n.speaking(language):
        context["js_words"] = js_words()
        for key in MESSAGE_KEYS:
            if key in context:
                context[key] = i18n.translate(context[key])
        response = TEMPLATES.TemplateResponse(
            request, template, context, status_code=status_code, headers=PAGE_HEADERS
        )
    response.headers["content-language"] = language.html_lang
    response.headers["vary"] = "Accept-Language, Cookie"
    return response
