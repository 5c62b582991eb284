"""What the PR and legal statement pages both show: the statement, its versions, the diff from
the version before, and its checks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.web_schemas import MAX_INTEGER
from review_ui.auth import UiRefused
from review_ui.i18n import Msg
from statements import service
from statements.models import StatementStatus

# The version a statement page showed when its form was opened (hidden in the PR edit and
# approve forms and legal's approve form): a newer version is refused, not signed unseen.
Shown = Annotated[int, Form(ge=1, le=MAX_INTEGER)]


def statement_view(session: Session, statement_id: str) -> dict[str, Any]:
    """Template variables `statement`, `is_out`, `auto_opened`, `unchecked`, `versions`,
    `report` and `diff_lines`; 404 if unknown."""
    try:
        statement = service.get(session, statement_id)
    except NotFound as exc:
        raise UiRefused(404, Msg("No such statement.")) from exc
    diff_lines: list[str] = []
    if statement.version > 1:
        diff_lines = service.diff(
            session, statement.id, statement.version - 1, statement.version
        ).splitlines()
    is_out = (
        statement.status == StatementStatus.PUBLISHED
        and statement.published_version == statement.version
    )
    return {
        "statement": statement,
        "is_out": is_out,  # the version shown is the one public: nothing to approve or publish
        "auto_opened": service.machine_written(statement.created_by),
        # drafted by the system and not yet saved by a person: approval is refused until it is
        "unchecked": service.machine_written(
            service.version(session, statement.id, statement.version).edited_by
        ),
        "versions": service.versions(session, statement.id),
        "report": service.checks_for(statement),
        "diff_lines": diff_lines,
    }
