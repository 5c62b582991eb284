"""Legal: action-log search, case histories and exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from accounts.models import Role
from review_ui.auth import UiUser, require_ui_role
from review_ui.templating import render

router = APIRouter(prefix="/legal")
Legal = Annotated[UiUser, Depends(require_ui_role(Role.LEGAL))]


@router.get("", summary="Action-log search")
def search(request: Request, user: Legal) -> Response:
    return render(request, "legal/search.html", user)
