"""Tasks by name, declared once where their bodies live.

A domain marks a task body with `@task(NAME)` (`every=` seconds for periodic work); the wiring
runs every registered task the same way, on Celery in production (`runtime/worker.py`, beat
from `every`) and on a thread pool in the embedded default (`runtime/inprocess.py`, periodic
work in the housekeeper). A body takes the running process first, then string ids; it raises
`RetryLater` to be sent again after a countdown (Celery's retry, a timer in process).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

Body = Callable[..., object]
B = TypeVar("B", bound=Body)


class RetryLater(Exception):
    def __init__(self, countdown: float) -> None:
        super().__init__(f"retry in {countdown:.1f} s")
        self.countdown = countdown


@dataclass(frozen=True)
class TaskSpec:
    name: str
    body: Body
    every: float | None = None  # seconds between runs, for periodic work
    exclusive: bool = False  # one run at a time across every worker (a lock in the broker)
    batched: bool = False  # the body takes many ids: one transaction's sends go as one message


_REGISTRY: dict[str, TaskSpec] = {}


def task(
    name: str, *, every: float | None = None, exclusive: bool = False, batched: bool = False
) -> Callable[[B], B]:
    def register(body: B) -> B:
        known = _REGISTRY.get(name)
        if known is not None and known.body is not body:
            raise ValueError(f"two task bodies named {name!r}")
        _REGISTRY[name] = TaskSpec(name, body, every, exclusive, batched)
        return body

    return register


def is_batched(name: str) -> bool:
    spec = _REGISTRY.get(name)
    return spec is not None and spec.batched


def registered() -> dict[str, TaskSpec]:
    """Every task declared so far, in declaration order (the wiring imports every domain)."""
    return dict(_REGISTRY)


def periodic() -> list[TaskSpec]:
    return [spec for spec in _REGISTRY.values() if spec.every is not None]
