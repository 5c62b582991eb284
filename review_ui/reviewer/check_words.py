"""The statement checks' failures in the reader's language. The checks (statements/checks.py)
speak English and name each failure by a code; the UI words each code, keeping the English
detail (lengths, links, placeholders) where the failure has one."""

from __future__ import annotations

from review_ui import i18n
from review_ui.i18n import Msg
from statements.checks import Failure

LABELS = {
    "no_source": Msg("the statement must link at least one source"),
    "unknown_source": Msg("it links addresses that are not among its sources"),
    "claim_in_headline": Msg("the headline repeats the false claim"),
    "claim_first": Msg("state the fact first; the opening restates the false claim"),
    "unknown_channel": Msg("no such channel"),
    "empty": Msg("title and body must not be empty"),
    "title_too_long": Msg("the title is too long for the channel"),
    "too_long": Msg("the body is too long for the channel"),
    "placeholder": Msg("unfilled placeholders"),
}
WITH_DETAIL = {"unknown_source", "unknown_channel", "title_too_long", "too_long", "placeholder"}


def check_message(failure: Failure) -> str:
    """English: the check's own message; otherwise its words, then the detail as written."""
    label = LABELS.get(failure.code)
    if i18n.current().code == i18n.ENGLISH or label is None:
        return failure.message
    words = label.localised()
    return f"{words}（{failure.message}）" if failure.code in WITH_DETAIL else words
