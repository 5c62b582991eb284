"""The PR statements workspace (drafts, edits with diffs, approvals, publishing)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from accounts.models import Role
from review_ui.auth import UiUser, require_ui_role
from review_ui.templating import render

router = APIRouter(prefix="/pr")
Pr = Annotated[UiUser, Depends(require_ui_role(Role.PR))]


@router.get("", summary="Statements workspace")
def workspace(request: Request, user: Pr) -> Response:
    return render(request, "pr/workspace.html", user)
