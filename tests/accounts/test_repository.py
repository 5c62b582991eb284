"""accounts.repository: what the admin overview lists, and the account looked up by name."""

from __future__ import annotations

from datetime import timedelta

from accounts.repository import api_keys_newest_first, user_named, users_by_name
from accounts.service import add_user, create_api_key
from core.actors import Actor
from core.db import transaction
from runtime.container import Runtime

ADMIN = Actor.system("tests")


def test_users_by_name_keys_newest_first_and_lookup(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        for name in ("carol", "alice", "bob"):
            add_user(session, name, "a-long-enough-password", "reviewer", ADMIN)
        older = create_api_key(session, "older", ["read"], ADMIN).key
        older.created_at -= timedelta(hours=1)
        create_api_key(session, "newer", ["read"], ADMIN)
    with rt.sessions() as session:
        assert [u.username for u in users_by_name(session)] == ["alice", "bob", "carol"]
        assert [k.name for k in api_keys_newest_first(session)] == ["newer", "older"]
        found = user_named(session, "bob")
        assert found is not None and found.username == "bob"
        assert user_named(session, "nobody") is None
