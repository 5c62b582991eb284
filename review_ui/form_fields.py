"""Form fields that pages of several roles take, each with the limit of the schema it feeds.

A browser sends a textarea's line breaks as CRLF but counts each as one character against its
`maxlength`, so a text typed up to the limit arrives longer than the limit. A text field is
taken as typed (`as_typed`: one LF per line break) and its limit checked after that, so what
the page let the reader type is accepted. Each limit is the `maxlength` of the field on its
page (and the schema's it feeds); a field over it is refused with the form's refusal page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from pydantic import BeforeValidator, StringConstraints


def as_typed(value: object) -> object:
    """A text field with its line breaks as the browser counted them: one LF each."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


NOTE_LIMIT = 2000  # a note or reason kept with the action in the log (the schemas' notes)
LONG_NOTE_LIMIT = 5000  # a decision's note (DecisionIn.note), a claim's wording (ClaimIn.text)
DOCUMENT_LIMIT = 20_000  # a statement's body (EditIn.body), a claim's explanation (ClaimIn)

# A form's text, line breaks as typed; no limit of its own (the body limit bounds it).
Typed = Annotated[str, BeforeValidator(as_typed), Form()]
# Text as typed, refused past the limit counted as the browser counts.
Note = Annotated[
    Annotated[str, StringConstraints(max_length=NOTE_LIMIT)], BeforeValidator(as_typed), Form()
]
LongNote = Annotated[
    Annotated[str, StringConstraints(max_length=LONG_NOTE_LIMIT)],
    BeforeValidator(as_typed),
    Form(),
]
# A statement's body, or sources one a line; a claim's explanation.
Document = Annotated[
    Annotated[str, StringConstraints(max_length=DOCUMENT_LIMIT)],
    BeforeValidator(as_typed),
    Form(),
]
