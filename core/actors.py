"""Who did something: a person, the pipeline itself, or a platform service with an API key."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ActorType(enum.StrEnum):
    HUMAN = "human"
    SYSTEM = "system"  # the pipeline acting on its own (automated)
    PLATFORM = "platform"  # a platform service calling the API with a key


@dataclass(frozen=True)
class Actor:
    name: str
    type: ActorType
    roles: tuple[str, ...] = ()

    @classmethod
    def system(cls, component: str) -> Actor:
        return cls(name=f"system:{component}", type=ActorType.SYSTEM, roles=("system",))
