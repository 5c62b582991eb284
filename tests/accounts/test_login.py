"""One login service for the API and the UI (`accounts.login`): revocable tokens, lockout,
argon2id passwords."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from fastapi.testclient import TestClient
from sqlalchemy import select

import accounts.login
from accounts.login import MAX_FAILURES
from accounts.models import User
from accounts.service import change_password, set_active
from audit.models import AuditEvent
from core.db import transaction
from core.security import (
    PASSWORD_HASHER,
    hash_password,
    password_needs_rehash,
    verify_password,
)
from runtime.container import Runtime
from tests.conftest import ADMIN, PASSWORD, auth, logged_after, new_user_token
from veracity_cli.main import build_parser


def test_login_returns_a_working_token_and_wrong_password_is_401(
    rt: Runtime, client: TestClient
) -> None:
    new_user_token(rt, "reviewer", username="rita")
    bad = client.post("/v1/auth/token", json={"username": "rita", "password": "wrong-password"})
    assert bad.status_code == 401
    good = client.post(
        "/v1/auth/token", json={"username": "rita", "password": "correct-horse-battery"}
    )
    assert good.status_code == 200
    token = good.json()["access_token"]
    assert client.post("/v1/cases/claim", headers=auth(token)).status_code == 200


def _token(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/v1/auth/token", json={"username": username, "password": password})


def _logged(rt: Runtime, action: str) -> list[AuditEvent]:
    with rt.sessions() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        return list(session.scalars(query))


def _stored_hash(rt: Runtime, username: str) -> str:
    with rt.sessions() as session:
        return session.scalars(select(User.password_hash).where(User.username == username)).one()


def _set_hash(rt: Runtime, username: str, stored: str) -> None:
    with transaction(rt.sessions) as session:
        session.scalars(select(User).where(User.username == username)).one().password_hash = stored


def test_failed_api_sign_ins_are_logged_without_the_password_and_lock_the_account(
    rt: Runtime, client: TestClient
) -> None:
    new_user_token(rt, "reviewer", username="tess")
    for attempt in range(1, MAX_FAILURES + 1):
        refused = _token(client, "tess", "Guess-number-42")
        assert refused.status_code == (423 if attempt == MAX_FAILURES else 401), attempt
    assert refused.json()["error"]["code"] == "account_locked"
    assert _token(client, "tess").status_code == 423  # even the right password, while locked
    failed = _logged(rt, "user.login_failed")
    assert len(failed) == MAX_FAILURES + 1
    assert all(logged_after(e.document) == {"via": "api"} for e in failed)
    assert all("Guess-number-42" not in json.dumps(e.document) for e in failed)
    assert len(_logged(rt, "user.locked")) == 1


def test_an_unknown_username_costs_a_real_password_check(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = verify_password

    def counting(password: str, stored: str) -> bool:
        checked.append(stored)
        return real(password, stored)

    monkeypatch.setattr(accounts.login, "verify_password", counting)
    assert _token(client, "nobody-by-this-name", "whatever-password").status_code == 401
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")


def test_a_token_is_refused_after_its_user_signs_out(rt: Runtime, client: TestClient) -> None:
    new_user_token(rt, "reviewer", username="lou")
    first, second = _token(client, "lou").json(), _token(client, "lou").json()
    token = first["access_token"]
    assert client.post("/v1/cases/claim", headers=auth(token)).status_code == 200
    assert client.post("/v1/auth/logout", headers=auth(token)).status_code == 204
    for old in (token, second["access_token"]):  # every token of the user, not only this one
        refused = client.post("/v1/cases/claim", headers=auth(old))
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "revoked_token"
    fresh = _token(client, "lou").json()["access_token"]
    assert client.post("/v1/cases/claim", headers=auth(fresh)).status_code == 200
    assert [logged_after(e.document) for e in _logged(rt, "user.logged_out")] == [
        {"via": "api", "tokens_revoked": True}
    ]


def test_a_password_change_and_deactivation_revoke_tokens(rt: Runtime, client: TestClient) -> None:
    new_user_token(rt, "reviewer", username="pat")
    token = _token(client, "pat").json()["access_token"]
    with transaction(rt.sessions) as session:
        change_password(session, "pat", "a-brand-new-password", ADMIN)
    assert client.post("/v1/cases/claim", headers=auth(token)).status_code == 401
    assert _token(client, "pat").status_code == 401  # the old password is gone
    token = _token(client, "pat", "a-brand-new-password").json()["access_token"]
    with transaction(rt.sessions) as session:
        set_active(session, "pat", False, ADMIN)
    with transaction(rt.sessions) as session:
        set_active(session, "pat", True, ADMIN)
    assert client.post("/v1/cases/claim", headers=auth(token)).status_code == 401


def test_new_passwords_are_argon2id_with_their_parameters_in_the_hash(rt: Runtime) -> None:
    new_user_token(rt, "pr", username="ada")
    stored = _stored_hash(rt, "ada")
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$v=19$")
    assert params.type is Type.ID
    assert (params.memory_cost, params.time_cost) == (
        PASSWORD_HASHER.memory_cost,
        PASSWORD_HASHER.time_cost,
    )
    assert verify_password(PASSWORD, stored) and not verify_password("not-it-at-all", stored)


def _legacy_scrypt(password: str) -> str:
    """The format hash_password wrote before argon2: fixed parameters, not in the string."""
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def test_an_old_scrypt_hash_still_signs_in_and_is_upgraded(rt: Runtime, client: TestClient) -> None:
    new_user_token(rt, "reviewer", username="old-timer")
    _set_hash(rt, "old-timer", _legacy_scrypt(PASSWORD))
    assert _token(client, "old-timer", "wrong-password-1").status_code == 401
    assert _stored_hash(rt, "old-timer").startswith("scrypt$")  # a failure changes nothing
    assert _token(client, "old-timer").status_code == 200
    upgraded = _stored_hash(rt, "old-timer")
    assert upgraded.startswith("$argon2id$") and verify_password(PASSWORD, upgraded)
    assert logged_after(_logged(rt, "user.logged_in")[-1].document) == {
        "via": "api",
        "password_rehashed": True,
    }


def test_raising_the_parameters_rehashes_at_the_next_sign_in_and_never_lowers_them(
    rt: Runtime, client: TestClient
) -> None:
    weaker = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    stronger = PasswordHasher(time_cost=3, memory_cost=24 * 1024, parallelism=1)
    new_user_token(rt, "reviewer", username="cora")
    _set_hash(rt, "cora", hash_password(PASSWORD, weaker))
    assert password_needs_rehash(_stored_hash(rt, "cora"))
    assert _token(client, "cora").status_code == 200
    current = extract_parameters(_stored_hash(rt, "cora"))
    assert (current.memory_cost, current.time_cost) == (19 * 1024, 2)
    assert password_needs_rehash(_stored_hash(rt, "cora"), stronger)
    kept = hash_password(PASSWORD, stronger)
    _set_hash(rt, "cora", kept)
    assert _token(client, "cora").status_code == 200
    assert _stored_hash(rt, "cora") == kept


def test_the_cli_changes_a_password_and_disables_an_account_revoking_tokens(
    rt: Runtime, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    new_user_token(rt, "reviewer", username="lena")

    def veracity(*argv: str) -> int:
        args = build_parser().parse_args(argv)
        return int(args.handler(rt, args))

    token = _token(client, "lena").json()["access_token"]
    assert veracity("users", "passwd", "--username", "lena", "--password", "another-long-one") == 0
    assert client.post("/v1/cases/claim", headers=auth(token)).status_code == 401
    token = _token(client, "lena", "another-long-one").json()["access_token"]
    assert veracity("users", "disable", "--username", "lena") == 0
    assert _token(client, "lena", "another-long-one").status_code == 401
    assert veracity("users", "enable", "--username", "lena") == 0
    assert client.post("/v1/cases/claim", headers=auth(token)).status_code == 401
    assert _token(client, "lena", "another-long-one").status_code == 200
    assert "lena disabled" in capsys.readouterr().out
