"""The UI's languages: Simplified Chinese and English.

Catalogues are gettext `.po` files under review_ui/translations (extracted with pybabel, see
babel.cfg and `make messages`); they are read and compiled in memory when this module is first
imported, so a fresh clone needs no compile step. The language of a request is the user's
preference when set, else the browser's `Accept-Language` (zh* is Chinese, anything else
English). Messages built in Python (notices, errors) are `Msg` strings: English as they are,
translated when a page renders them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from core.messages import Msg as CoreMsg

TRANSLATIONS = Path(__file__).parent / "translations"
DOMAIN = "messages"
ENGLISH, CHINESE = "en", "zh"
LANGUAGES = (ENGLISH, CHINESE)
# What each language is called in itself (the settings page lists them so).
NATIVE_NAMES = {ENGLISH: "English", CHINESE: "简体中文"}


@dataclass(frozen=True)
class Language:
    code: str  # what a user's preference stores: "en" or "zh"
    catalogue: str  # the directory under translations/
    html_lang: str  # the BCP 47 tag for <html lang>
    locale: Locale  # dates and numbers

    @property
    def translations(self) -> NullTranslations:
        return _translations(self.catalogue)


LANGUAGE = {
    ENGLISH: Language(ENGLISH, "en", "en", Locale.parse("en_GB")),
    CHINESE: Language(CHINESE, "zh_Hans", "zh-Hans", Locale.parse("zh_Hans_CN")),
}


@cache
def _translations(catalogue: str) -> NullTranslations:
    po = TRANSLATIONS / catalogue / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():  # English: the msgids are the English text
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=catalogue)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


_TAG = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def from_accept_language(header: str | None) -> str:
    """The supported language the browser prefers most; English when it names neither."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")[:32]):
        m = _TAG.match(part)
        if m is None:
            continue
        try:
            q = float(m.group(2)) if m.group(2) else 1.0
        except ValueError:
            continue
        tag = m.group(1).lower()
        code = CHINESE if tag.startswith("zh") else ENGLISH if tag.startswith("en") else None
        if code and q > 0:
            ranked.append((-q, i, code))
    return min(ranked)[2] if ranked else ENGLISH


def choose(preference: str | None, accept_language: str | None) -> Language:
    if preference in LANGUAGE:
        return LANGUAGE[preference]
    return LANGUAGE[from_accept_language(accept_language)]


_current: ContextVar[Language] = ContextVar("ui_language", default=LANGUAGE[ENGLISH])


def current() -> Language:
    return _current.get()


@contextmanager
def speaking(language: Language) -> Iterator[Language]:
    """Pages rendered inside speak `language` (templates render synchronously inside)."""
    token = _current.set(language)
    try:
        yield language
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return current().translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return current().translations.ngettext(singular, plural, n)


class Msg(CoreMsg):
    """A message for the UI, written in English with `{name}` fields.

    It is the English text wherever a plain string is expected (logs, tests); `localised()`
    gives it in the language of the page being rendered. pybabel extracts `Msg("...")`. Unlike
    a domain message (`core.messages.Msg`), a field that is a catalogued word is translated too.
    """

    def field(self, value: Any, gettext: Callable[[str], str]) -> Any:
        return translate(value)

    def localised(self) -> str:
        return self.render(gettext)


def translate(value: Any) -> Any:
    """A message (the UI's or a domain error's), or a string the catalogue holds, in the
    current language; else as it is."""
    if isinstance(value, CoreMsg):
        return value.render(gettext)
    return gettext(value) if isinstance(value, str) and value else value


# Role names as the header shows them (`user.role` with "_" as a space); listed for pybabel.
ROLE_NAMES = (
    Msg("reviewer"),
    Msg("senior reviewer"),
    Msg("pr"),
    Msg("legal"),
    Msg("admin"),
    Msg("leadership"),
    Msg("technical response"),
)

# The model's bands and the routes beyond them, as cases and scores show them.
BAND_NAMES = (
    Msg("ignore"),
    Msg("review"),
    Msg("urgent"),
    Msg("unsupported_language"),
)
