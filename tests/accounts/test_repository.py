"""accounts.repository: what the admin overview lists, the account looked up by name, the
supervisor's list of reviewers, API keys by hash or prefix, and ending browser sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from accounts.repository import (
    active_users_in_roles,
    api_key_hashed,
    api_keys_newest_first,
    api_keys_oldest_first,
    api_keys_with_prefix,
    revoke_live_ui_sessions,
    user_named,
    users_by_name,
)
from accounts.service import add_user, create_api_key, set_active
from accounts.session_models import UiSession
from core.actors import Actor
from core.clock import as_utc, utcnow
from core.db import transaction
from core.security import hash_api_key
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


def test_active_users_in_roles_by_role_then_name(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        for name, role in [
            ("zed", "reviewer"),
            ("amy", "senior_reviewer"),
            ("bea", "reviewer"),
            ("cal", "admin"),
            ("dan", "reviewer"),
        ]:
            add_user(session, name, "a-long-enough-password", role, ADMIN)
        set_active(session, "dan", False, ADMIN)
    with rt.sessions() as session:
        found = active_users_in_roles(session, ["reviewer", "senior_reviewer"])
        assert [(u.role, u.username) for u in found] == [
            ("reviewer", "bea"),
            ("reviewer", "zed"),
            ("senior_reviewer", "amy"),
        ]
        assert active_users_in_roles(session, []) == []


def test_keys_oldest_first_and_found_by_hash_or_prefix(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        issued = create_api_key(session, "older", ["read"], ADMIN)
        issued.key.created_at -= timedelta(hours=1)
        create_api_key(session, "newer", ["read"], ADMIN)
    with rt.sessions() as session:
        assert [k.name for k in api_keys_oldest_first(session)] == ["older", "newer"]
        by_hash = api_key_hashed(session, hash_api_key(issued.secret))
        assert by_hash is not None and by_hash.name == "older"
        assert api_key_hashed(session, hash_api_key("vk_wrong")) is None
        assert [k.name for k in api_keys_with_prefix(session, issued.key.prefix)] == ["older"]
        assert api_keys_with_prefix(session, "nope") == []
        locked = user_named(session, "nobody", for_update=True)
        assert locked is None


def test_revoking_live_ui_sessions_leaves_other_users_and_earlier_revocations(
    rt: Runtime,
) -> None:
    now = utcnow()
    earlier = now - timedelta(hours=2)
    with transaction(rt.sessions) as session:
        ann = add_user(session, "ann", "a-long-enough-password", "reviewer", ADMIN)
        bob = add_user(session, "bob", "a-long-enough-password", "reviewer", ADMIN)
        session.flush()
        for token, user, revoked in [
            ("a1", ann, None),
            ("a2", ann, earlier),
            ("b1", bob, None),
        ]:
            session.add(
                UiSession(
                    token_hash=token,
                    user_id=user.id,
                    csrf_token="c",
                    expires_at=now + timedelta(hours=8),
                    revoked_at=revoked,
                )
            )
    with transaction(rt.sessions) as session:
        revoke_live_ui_sessions(session, ann.id, now)
    with rt.sessions() as session:
        revoked_at = {
            row.token_hash: row.revoked_at and as_utc(row.revoked_at)
            for row in session.scalars(select(UiSession))
        }
        assert revoked_at == {"a1": now, "a2": earlier, "b1": None}
