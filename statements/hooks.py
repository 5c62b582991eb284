"""Where other domains react to statements, so statements never call them by name: incidents
stop their statement clock when one is published. Listeners register on import
(`runtime/domains.py` imports them) and run inside the publishing transaction."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from core.listeners import Listeners
from statements.models import Statement

PublishedListener = Callable[[Session, Statement], object]

_published: Listeners[PublishedListener] = Listeners()

on_published = _published.add


def published(session: Session, statement: Statement) -> None:
    for listener in _published:
        listener(session, statement)
