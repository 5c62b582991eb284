"""A form's one service call: done, it redirects (303) to the page with its notice; refused
(`DomainError`), the session is rolled back and the form's page comes again with the reason."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from core.errors import DomainError

Refused = Callable[[str, int], Response]  # (message, status) -> the form's page again


def refusal(session: Session, action: Callable[[], object], refused: Refused) -> Response | None:
    """Run the call: None when done, else (rolled back) the form's page with the refusal."""
    try:
        action()
    except DomainError as exc:
        session.rollback()
        return refused(exc.message, exc.status)
    return None


def run_or_refuse(
    session: Session, action: Callable[[], object], *, done: str, refused: Refused
) -> Response:
    return refusal(session, action, refused) or RedirectResponse(done, status_code=303)
