"""A user's own preferences that follow them to any browser: the UI's language."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounts.models import User
from audit.events import Action, Actor, Subject
from audit.service import record
from core.errors import Invalid, NotFound

LANGUAGES = ("en", "zh")  # review_ui.i18n.LANGUAGES; None: the browser's Accept-Language


def set_language(session: Session, user_id: str, language: str | None, actor: Actor) -> bool:
    """Store the preference and log it in the same transaction; False when nothing changed."""
    if language is not None and language not in LANGUAGES:
        raise Invalid(f"unknown language {language!r}; one of: {', '.join(LANGUAGES)} or none")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id!r}")
    if user.language == language:
        return False
    before, user.language = user.language, language
    record(
        session,
        Action.USER_CHANGED,
        actor,
        Subject(other={"user": user.username}),
        reason="language preference",
        before={"language": before},
        after={"language": language},
    )
    return True
