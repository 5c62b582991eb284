"""`veracity claims list`: a limit below one is refused, not read as "everything", and the query
is a literal substring (%, _ and backslash are not LIKE wildcards)."""

from __future__ import annotations

import argparse

import pytest

from claims.cli import claims_list
from claims.models import Claim
from claims.repository import ClaimFilter, claims_newest_first
from core.db import transaction
from core.errors import Invalid
from runtime.container import Runtime


@pytest.mark.parametrize("limit", [-1, 0])
def test_list_refuses_a_limit_below_one(rt: Runtime, limit: int) -> None:
    args = argparse.Namespace(query=None, verdict=None, origin=None, limit=limit)
    with pytest.raises(Invalid, match="--limit must be at least 1"):
        claims_list(rt, args)


def test_a_query_matches_percent_underscore_and_backslash_literally(any_rt: Runtime) -> None:
    texts = {"p": "Prices rose 50% overnight", "u": "the snake_case rumour", "b": "a \\ path"}
    with transaction(any_rt.sessions) as session:
        session.add_all(
            Claim(id=i, text=t, verdict="false", origin="manual") for i, t in texts.items()
        )
    with any_rt.sessions() as session:

        def ids(query: str) -> list[str]:
            found = claims_newest_first(session, ClaimFilter(query=query), limit=10, offset=0)
            return sorted(c.id for c in found)

        assert ids("%") == ["p"]
        assert ids("_") == ["u"]
        assert ids("\\") == ["b"]
        assert ids("50%") == ["p"]
        assert ids("rose_50") == []  # as a wildcard _ would match the space
