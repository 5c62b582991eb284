"""What a domain reads from the running process, whatever process it is (API, worker, CLI).

`runtime/` (the wiring, the only layer that names every domain) builds the concrete object;
domains type against this protocol, or a narrower one of their own that extends it, so they
never import the wiring that imports them.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.dispatch import Dispatcher
from core.settings import Settings


class Process(Protocol):
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    dispatcher: Dispatcher | None
