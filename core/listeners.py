"""An ordered set of callbacks: how a lower domain lets higher ones react to its moments
without naming them (`pipeline.hooks`, `statements.hooks`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

L = TypeVar("L", bound=Callable[..., object])


class Listeners(Generic[L]):
    def __init__(self) -> None:
        self._items: list[L] = []

    def add(self, listener: L) -> L:
        """Register (once: a module imported twice does not listen twice); usable as a decorator."""
        if listener not in self._items:
            self._items.append(listener)
        return listener

    def __iter__(self) -> Iterator[L]:
        return iter(tuple(self._items))
