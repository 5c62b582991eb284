"""Domain errors carry their HTTP status and a machine-readable code; the API edge renders them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.messages import Msg


class DomainError(Exception):
    """A refusal the API edge renders as `status` with the body's `code`; a subclass states its
    own as class keywords, e.g. `class Gone(DomainError, status=410, code="gone")`, and a raise
    may give a more precise code."""

    status = 400
    code = "bad_request"

    def __init_subclass__(
        cls, *, status: int | None = None, code: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError, status=404, code="not_found"):
    """The id in the request names nothing the caller may see (absent or someone else's)."""


class Conflict(DomainError, status=409, code="conflict"):
    """The request is well formed but the thing's current state does not allow it."""


class Forbidden(DomainError, status=403, code="forbidden"):
    """The caller is known but their role or scope does not cover this action."""


class Invalid(DomainError, status=422, code="invalid"):
    """A value in the request breaks a rule the schema alone cannot express."""


def require_one_of(field: Msg, value: str, choices: Iterable[str]) -> None:
    """Refuse `value` for `field` (its name, translated where the UI shows the error) unless it
    is one of `choices`, which the message lists in their order."""
    allowed = [str(choice) for choice in choices]
    if value not in allowed:
        raise Invalid(
            Msg(
                "{field} must be one of {choices}, not '{value}'",
                field=field,
                choices=", ".join(allowed),
                value=value,
            )
        )


def require_between(value: int, low: int, high: int, refusal: Msg) -> None:
    """Refuse `value` outside `low`..`high` with `refusal`, a template whose `{low}`, `{high}`
    and `{value}` fields are filled in here."""
    if not low <= value <= high:
        raise Invalid(Msg(refusal.template, low=low, high=high, value=value))
