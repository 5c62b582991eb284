"""A user's own preferences that follow them to any browser: the UI's language."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounts.models import User
from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.db import get_or_not_found
from core.errors import Invalid
from core.messages import Msg

LANGUAGES = ("en", "zh")  # review_ui.i18n.LANGUAGES; None: the browser's Accept-Language


def set_language(session: Session, user_id: str, language: str | None, actor: Actor) -> bool:
    """Store the preference and log it in the same transaction; False when nothing changed."""
    if language is not None and language not in LANGUAGES:
        raise Invalid(
            Msg(
                "unknown language '{language}'; one of: {choices} or none",
                language=language,
                choices=", ".join(LANGUAGES),
            )
        )
    user = get_or_not_found(session, User, user_id, Msg("no user '{user_id}'", user_id=user_id))
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
