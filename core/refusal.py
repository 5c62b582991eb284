"""An HTTP refusal that names its own machine-readable code; `api.errors` renders it."""

from __future__ import annotations

from starlette.exceptions import HTTPException as StarletteHTTPException


class Refusal(StarletteHTTPException):
    """An HTTP refusal that names its own machine-readable code (e.g. `revoked_api_key`)."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status, message, headers=headers)
        self.code = code
