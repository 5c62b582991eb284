"""accounts.service.add_user refuses a username the sign-in page could never match: the page
strips what is typed, so a name that starts or ends with whitespace made an account no one
could sign in to."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.service import add_user
from core.actors import Actor, ActorType
from core.db import transaction
from core.errors import Invalid
from runtime.container import Runtime

ADMIN = Actor(name="cli:test", type=ActorType.HUMAN, roles=("admin",))


@pytest.mark.parametrize("username", ["  spaced  ", "trailing ", "\tleading", "line\n"])
def test_a_username_with_outer_whitespace_is_refused(rt: Runtime, username: str) -> None:
    refused = pytest.raises(Invalid, match="username must not start or end with a space")
    with refused, transaction(rt.sessions) as session:
        add_user(session, username, "a-long-password", "pr", ADMIN)
    with rt.sessions() as session:
        assert session.query(User).filter(User.username == username).count() == 0


def test_a_username_with_an_inner_space_is_still_taken(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        assert add_user(session, "ann lee", "a-long-password", "pr", ADMIN).username == "ann lee"
