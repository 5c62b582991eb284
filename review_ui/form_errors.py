"""A refused form's fields in the reader's language.

pydantic words its errors in English; each common error type is worded here once, with the
limits pydantic reports (`ctx`). A validator's own message (`value_error`) is shown as written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from review_ui.i18n import Msg

_build = Msg  # for messages made from a template held elsewhere (pybabel extracts literals only)

WORDS = {
    "missing": Msg("required"),
    "string_too_short": Msg("too short: at least {min_length} character(s)"),
    "string_too_long": Msg("too long: at most {max_length} character(s)"),
    "too_short": Msg("at least {min_length} item(s)"),
    "too_long": Msg("at most {max_length} item(s)"),
    "greater_than_equal": Msg("at least {ge}"),
    "greater_than": Msg("more than {gt}"),
    "less_than_equal": Msg("at most {le}"),
    "less_than": Msg("less than {lt}"),
    "enum": Msg("one of {expected}"),
    "literal_error": Msg("one of {expected}"),
    "int_parsing": Msg("a whole number"),
    "float_parsing": Msg("a number"),
    "bool_parsing": Msg("yes or no"),
    "url_parsing": Msg("a full http(s) address"),
    "url_scheme": Msg("a full http(s) address"),
    "string_pattern_mismatch": Msg("not in the expected form"),
    "datetime_parsing": Msg("a date and time"),
    "date_from_datetime_parsing": Msg("a date (YYYY-MM-DD)"),
}


def problem(error: Mapping[str, Any]) -> str:
    """What is wrong with one field, without its name."""
    word = WORDS.get(str(error.get("type")))
    if word is not None:
        try:
            return _build(word.template, **dict(error.get("ctx") or {}))
        except (KeyError, IndexError):  # a context this wording does not expect
            pass
    return str(error.get("msg", "")).removeprefix("Value error, ")


def field_problem(error: Mapping[str, Any], drop: Iterable[str] = ("body",)) -> str:
    """`field: what is wrong`; the field's name is translated where the catalogue has it."""
    skip = set(drop)
    where = " ".join(str(p).replace("_", " ") for p in error.get("loc", ()) if str(p) not in skip)
    what = problem(error)
    return Msg("{field}: {problem}", field=_FieldName(where), problem=what) if where else what


class _FieldName(Msg):
    """A field as pydantic names it ("title"), in the catalogue's word for its label ("Title":
    标题) where the catalogue has one; as named otherwise (and in English)."""

    def render(self, gettext: Callable[[str], str]) -> str:
        label = self.template[:1].upper() + self.template[1:]
        translated = gettext(label)
        return translated if translated != label else self.template


def joined(parts: Iterable[str]) -> str:
    """Several messages on one line, each in the reader's language."""
    items = list(parts)
    if len(items) == 1:
        return items[0]
    fields = {f"p{i}": part for i, part in enumerate(items)}
    return _build("; ".join(f"{{p{i}}}" for i in range(len(items))), **fields)
