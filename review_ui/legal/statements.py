"""Legal's part of the statements workflow: reading drafts that need legal sign-off, approving.

Who may approve what is the statements service's rule (a second person, checks passing);
this page only shows legal the statements waiting on them and calls `legal_approve`.
"""

from __future__ import annotations

from typing import Annotated, Self

from fastapi import APIRouter
from starlette.responses import Response

from core.roles import Role
from review_ui.i18n import Msg
from review_ui.page import ItemPage, LegalPage, UiPage
from review_ui.pr.statement_view import Shown, statement_view
from statements import repository, service
from statements.models import Statement, StatementStatus

router = APIRouter(prefix="/legal/statements")


def _waiting(statement: Statement) -> bool:
    return (
        statement.requires_legal
        and statement.status == StatementStatus.DRAFT
        and statement.legal_approved_version != statement.version
    )


@router.get("", summary="Statements that need legal approval")
def queue_page(page: LegalPage) -> Response:
    severe = repository.needing_legal_newest_first(page.session, limit=200)
    return page.render(
        "legal/statements.html",
        waiting=[s for s in severe if _waiting(s)],
        others=[s for s in severe if not _waiting(s)],
    )


class OnStatement(ItemPage):
    """A statement's legal review page (`id`: at most 32 characters of the path's) and its form."""

    address = "/ui/legal/statements/"
    path_param = "statement_id"

    @classmethod
    def of(cls, page: UiPage) -> Self:
        return cls(page, page.request.path_params[cls.path_param][:32])

    def show(self, *, error: str = "", status: int = 200) -> Response:
        view = statement_view(self.session, self.id)
        return self.page.render(
            "legal/statement.html",
            status,
            **view,
            waiting=_waiting(view["statement"]),
            error=error,
            notice=self.page.notice({"approved": Msg("Legal approval recorded.")}),
        )


LegalStatement = Annotated[OnStatement, OnStatement.depends(Role.LEGAL)]


@router.get("/{statement_id}", summary="A statement for legal review")
def detail_page(it: LegalStatement) -> Response:
    return it.show()


@router.post("/{statement_id}/approve", summary="Give legal approval to the current version")
def approve(it: LegalStatement, version: Shown) -> Response:
    """Approves the version the page showed: a newer one is refused (stale_version) and shown."""
    return it.act(
        "approved", lambda: service.legal_approve(it.session, it.id, it.actor, version=version)
    )
