"""Sign-in, lockout, sessions, CSRF and role checks, through the HTTP edge (no browser)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts.models import User
from accounts.sessions import LOCKOUT, MAX_FAILURES
from audit.models import AuditEvent
from core.clock import utcnow
from core.db import transaction
from tests.conftest import PASSWORD, logged_after
from tests.review_ui.conftest import Stack, browser_client, sign_in, signed_in, submit

PAGES = {
    "/ui/review": {"reviewer", "senior_reviewer", "legal"},  # legal: cases escalated to it
    "/ui/dashboards": {"senior_reviewer", "admin"},
    "/ui/pr": {"pr"},
    "/ui/legal": {"legal"},
    "/ui/admin": {"admin"},
}
ROLES = ("reviewer", "senior_reviewer", "pr", "legal", "admin")


def test_signing_in_sets_a_secure_httponly_lax_cookie_and_lands_on_the_role_home(
    stack: Stack,
) -> None:
    client = browser_client(stack)
    response = sign_in(client, stack.user("legal"))
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/legal"
    cookie = next(c for c in response.headers.get_list("set-cookie") if "veracity_session" in c)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" in cookie


def test_pages_need_a_session_and_send_strangers_to_the_login_page(stack: Stack) -> None:
    client = browser_client(stack)
    response = client.get("/ui/review", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=/ui/review"
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui"


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(stack: Stack) -> None:
    client = browser_client(stack)
    name = stack.user("reviewer")
    for attempt in range(1, MAX_FAILURES + 1):
        response = sign_in(client, name, "wrong-password-123")
        assert response.status_code == (423 if attempt == MAX_FAILURES else 401)
    assert "locked" in response.text
    refused = sign_in(client, name)
    assert refused.status_code == 423
    assert "veracity_session" not in refused.headers.get("set-cookie", "")
    with transaction(stack.rt.sessions) as session:
        user = session.scalars(select(User).where(User.username == name)).one()
        assert user.locked_until is not None
        assert user.locked_until > utcnow() + LOCKOUT - timedelta(minutes=1)
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.in_(["user.locked"]))
        ).all()
        assert actions == ["user.locked"]
        user.locked_until = utcnow() - timedelta(seconds=1)  # the lock runs out
    assert sign_in(client, name).status_code == 303


def test_a_wrong_password_is_logged_and_answered_like_an_unknown_user(stack: Stack) -> None:
    client = browser_client(stack)
    wrong = sign_in(client, stack.user("pr"), "not-the-password")
    unknown = sign_in(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "wrong username or password" in wrong.text
    assert "wrong username or password" in unknown.text
    with transaction(stack.rt.sessions) as session:
        failed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.login_failed")
        ).all()
    assert len(failed) == 2


def test_logout_ends_the_session_on_the_server(stack: Stack) -> None:
    client = signed_in(stack, "reviewer")
    page = client.get("/ui/review")
    assert page.status_code == 200
    stolen = client.cookies.get("veracity_session")
    submit(client, page, "/ui/logout", follow_redirects=True)
    replay = browser_client(stack)
    replay.cookies.set("veracity_session", stolen or "", domain="testserver")
    assert replay.get("/ui/review", follow_redirects=False).status_code == 303


def test_a_post_without_the_csrf_token_is_refused(stack: Stack) -> None:
    stack.queue_posts(["Miracle cure: garlic and bleach, share before they delete it!!"])
    client = signed_in(stack, "reviewer")
    forged = client.post("/ui/review/next", data={}, follow_redirects=False)
    assert forged.status_code == 403
    wrong = client.post("/ui/review/next", data={"csrf_token": "guess"}, follow_redirects=False)
    assert wrong.status_code == 403
    login_forged = client.post("/ui/login", data={"username": "x", "password": "y"})
    assert login_forged.status_code == 403
    page = client.get("/ui/review")
    ok = submit(client, page, "/ui/review/next")
    assert ok.status_code == 303
    assert ok.headers["location"].startswith("/ui/review/cases/")


def test_each_role_sees_its_own_pages_and_is_refused_the_others(stack: Stack) -> None:
    for role in ROLES:
        client = browser_client(stack)
        sign_in(client, stack.user(role))
        for path, allowed in PAGES.items():
            response = client.get(path)
            if role in allowed:
                assert response.status_code == 200, (role, path)
            else:
                assert response.status_code == 403, (role, path)
                assert "not part of your role" in response.text


def test_navigation_lists_only_the_roles_sections(stack: Stack) -> None:
    client = signed_in(stack, "pr")
    page = client.get("/ui/pr").text
    assert 'href="/ui/pr"' in page
    for other in ("/ui/review", "/ui/legal", "/ui/admin", "/ui/dashboards"):
        assert f'href="{other}"' not in page


def test_login_never_redirects_off_site(stack: Stack) -> None:
    client = browser_client(stack)
    page = client.get("/ui/login")
    response = submit(
        client,
        page,
        "/ui/login",
        username=stack.user("admin"),
        password="correct-horse-battery",
        next="//evil.example/ui/",
    )
    assert response.headers["location"] == "/ui/admin"


def _api_token(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/v1/auth/token", json={"username": username, "password": password})


def test_failures_at_the_ui_lock_the_api_too(stack: Stack) -> None:
    client = browser_client(stack)
    name = stack.user("reviewer")
    for _ in range(MAX_FAILURES):
        sign_in(client, name, "wrong-password-123")
    refused = _api_token(client, name)
    assert refused.status_code == 423
    assert refused.json()["error"]["code"] == "account_locked"


def test_failures_at_the_api_lock_the_ui_too(stack: Stack) -> None:
    client = browser_client(stack)
    name = stack.user("reviewer")
    for _ in range(MAX_FAILURES - 1):
        assert _api_token(client, name, "wrong-password-123").status_code == 401
    assert sign_in(client, name, "wrong-password-123").status_code == 423  # the shared count
    assert sign_in(client, name).status_code == 423
    with transaction(stack.rt.sessions) as session:
        vias = session.scalars(
            select(AuditEvent.document).where(AuditEvent.action == "user.login_failed")
        ).all()
    assert sorted(str(logged_after(d)["via"]) for d in vias) == ["api"] * 4 + ["ui"] * 2


def test_signing_out_of_the_ui_revokes_the_users_bearer_tokens(stack: Stack) -> None:
    client = browser_client(stack)
    name = stack.user("reviewer")
    token = _api_token(client, name).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.post("/v1/cases/claim", headers=bearer).status_code == 200
    sign_in(client, name)
    submit(client, client.get("/ui/review"), "/ui/logout", follow_redirects=True)
    assert client.post("/v1/cases/claim", headers=bearer).status_code == 401
