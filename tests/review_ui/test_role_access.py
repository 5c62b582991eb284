"""The admin, supervision and legal pages: only their roles see them, every form needs CSRF."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.review_ui.conftest import Stack, browser_client, csrf_of, sign_in

ROLES = ("reviewer", "senior_reviewer", "pr", "legal", "admin", "leadership", "technical_response")
PAGES = {
    "/ui/incidents": set(ROLES),  # any staff role reads incidents and reports one
    "/ui/review": {"reviewer", "senior_reviewer", "legal"},
    "/ui/admin/policy": {"admin"},
    "/ui/admin/webhooks": {"admin"},
    "/ui/supervise": {"senior_reviewer", "admin"},
    "/ui/decisions": {"reviewer", "senior_reviewer"},
    "/ui/review/wellness": {"reviewer", "senior_reviewer", "legal"},
    "/ui/dashboards": {"senior_reviewer", "admin"},
    "/ui/legal/holds": {"legal"},
    "/ui/legal/statements": {"legal"},
}
FORMS = {
    "/ui/admin/policy/preview": "admin",
    "/ui/admin/policy": "admin",
    "/ui/admin/webhooks": "admin",
    "/ui/admin/webhooks/deliveries/x/replay": "admin",
    "/ui/supervise/cases/x/reassign": "senior_reviewer",
    "/ui/dashboards/qa-sampling": "senior_reviewer",
    "/ui/legal/holds": "legal",
    "/ui/legal/verify": "legal",
    "/ui/legal/statements/x/approve": "legal",
    "/ui/pr/statements/x/withdraw": "pr",
}
RESPONDERS = set(ROLES) - {"reviewer"}
# The incident forms, with the roles their /v1/incidents routes accept.
INCIDENT_FORMS = {
    "/ui/incidents": set(ROLES),
    "/ui/incidents/x/assess": {"leadership"},
    "/ui/incidents/x/activate": {"leadership"},
    "/ui/incidents/x/dismiss": {"leadership"},
    "/ui/incidents/x/grade": {"leadership", "admin"},
    "/ui/incidents/x/close": {"leadership", "admin"},
    "/ui/incidents/x/milestones": RESPONDERS,
    "/ui/incidents/x/attachments": RESPONDERS,
    "/ui/incidents/tasks/x/done": set(ROLES),
}


@pytest.fixture(scope="module")
def signed_in(module_stack: Stack) -> dict[str, tuple[TestClient, str]]:
    """One signed-in client per role, with its session's CSRF token."""
    found = {}
    for role in ROLES:
        client = browser_client(module_stack)
        assert sign_in(client, module_stack.user(role)).status_code == 303
        found[role] = (client, csrf_of(client.get("/ui", follow_redirects=True).text))
    return found


def _forms_need_csrf_and_refuse_other_roles(
    signed_in: dict[str, tuple[TestClient, str]], forms: dict[str, set[str]], field: str
) -> None:
    """Each form refuses a post without its CSRF token (sent with `field`) from a role that may
    use it, and any post from the other roles."""
    for path, allowed in forms.items():
        owner = signed_in[sorted(allowed)[0]][0]
        forged = owner.post(path, data={field: "x"})
        assert forged.status_code == 403 and "security token" in forged.text, path
        for role, (client, token) in signed_in.items():
            if role in allowed:
                continue
            refused = client.post(path, data={"csrf_token": token})
            assert refused.status_code == 403, (role, path)
            assert "not part of your role" in refused.text, (role, path)


def test_each_role_sees_only_its_own_new_pages(
    signed_in: dict[str, tuple[TestClient, str]],
) -> None:
    for role, (client, _) in signed_in.items():
        for path, allowed in PAGES.items():
            response = client.get(path)
            expected = 200 if role in allowed else 403
            assert response.status_code == expected, (role, path, response.status_code)
            if expected == 403:
                assert "not part of your role" in response.text
        nav = client.get("/ui", follow_redirects=True).text
        assert ('href="/ui/supervise"' in nav) == (role in PAGES["/ui/supervise"])
        assert ('href="/ui/review"' in nav) == (role in PAGES["/ui/review"])


def test_every_new_form_refuses_a_post_without_its_csrf_token(
    signed_in: dict[str, tuple[TestClient, str]],
) -> None:
    for path, role in FORMS.items():
        client = signed_in[role][0]
        forged = client.post(path, data={"reason": "x", "to_username": "y"})
        assert forged.status_code == 403, path
        assert "security token" in forged.text, path
        assert client.post(path, data={"csrf_token": "guessed"}).status_code == 403, path


def test_other_roles_cannot_post_to_the_new_forms(
    signed_in: dict[str, tuple[TestClient, str]],
) -> None:
    for role, (client, token) in signed_in.items():
        for path, owner in FORMS.items():
            if role == owner or (owner == "senior_reviewer" and role == "admin"):
                continue
            refused = client.post(path, data={"csrf_token": token})
            assert refused.status_code == 403, (role, path)
            assert "not part of your role" in refused.text


# Forms of the reviewer console: who may post (others are refused with 403 before anything).
CONSOLE_FORMS = {
    "/ui/supervise/bulk/preview": {"senior_reviewer"},
    "/ui/supervise/bulk/apply": {"senior_reviewer"},
    "/ui/decisions/x/undo": {"reviewer", "senior_reviewer"},
    "/ui/decisions/x/correct": {"reviewer", "senior_reviewer"},
    "/ui/review/wellness": {"reviewer", "senior_reviewer", "legal"},
    "/ui/review/cases/x/note": {"reviewer", "senior_reviewer", "legal"},
    "/ui/review/cases/x/extend": {"reviewer", "senior_reviewer", "legal"},
}


def test_the_console_forms_need_csrf_and_refuse_other_roles(
    signed_in: dict[str, tuple[TestClient, str]],
) -> None:
    _forms_need_csrf_and_refuse_other_roles(signed_in, CONSOLE_FORMS, "why")
    nav = {
        role: client.get("/ui", follow_redirects=True).text
        for role, (client, _) in signed_in.items()
    }
    for role, page in nav.items():
        assert ('href="/ui/decisions"' in page) == (role in PAGES["/ui/decisions"]), role


def test_incident_forms_take_only_their_roles_and_their_csrf_token(
    signed_in: dict[str, tuple[TestClient, str]],
) -> None:
    for role, (client, token) in signed_in.items():
        for path, allowed in INCIDENT_FORMS.items():
            if role in allowed:
                assert "security token" in client.post(path, data={"reason": "x"}).text, path
                # Past the role check: the incident x does not exist, or the report is empty.
                answered = client.post(path, data={"csrf_token": token, "grade": "2"})
                assert answered.status_code in (404, 422), (role, path, answered.status_code)
                continue
            refused = client.post(path, data={"csrf_token": token, "reason": "x"})
            assert refused.status_code == 403, (role, path)
            assert "not part of your role" in refused.text


# The claim library, the PR workbench, the legal desk downloads and the admin account pages.
LIBRARY_PAGES = {
    "/ui/claims": {"reviewer", "senior_reviewer", "pr", "admin"},
    "/ui/legal/dsa.ndjson": {"legal"},
}
LIBRARY_FORMS = {
    "/ui/claims": {"senior_reviewer", "pr", "admin"},
    "/ui/claims/import": {"senior_reviewer", "pr", "admin"},
    "/ui/claims/x/edit": {"senior_reviewer", "pr", "admin"},
    "/ui/claims/x/retire": {"senior_reviewer", "pr", "admin"},
    "/ui/pr/statements/x/approve": {"pr"},
    "/ui/pr/statements/x/publish": {"pr"},
    "/ui/admin/users/x/role": {"admin"},
    "/ui/admin/users/x/active": {"admin"},
    "/ui/admin/users/x/unlock": {"admin"},
    "/ui/admin/users/x/password": {"admin"},
    "/ui/admin/webhooks/x/test": {"admin"},
}


def test_the_library_and_desk_pages_by_role(
    signed_in: dict[str, tuple[TestClient, str]],
) -> None:
    for role, (client, _) in signed_in.items():
        for path, allowed in LIBRARY_PAGES.items():
            response = client.get(path)
            assert (response.status_code == 200) == (role in allowed), (role, path)
            if role not in allowed:
                assert response.status_code == 403, (role, path)
        nav = client.get("/ui", follow_redirects=True).text
        assert ('href="/ui/claims"' in nav) == (role in LIBRARY_PAGES["/ui/claims"]), role


def test_the_library_and_desk_forms_need_csrf_and_refuse_other_roles(
    signed_in: dict[str, tuple[TestClient, str]],
) -> None:
    _forms_need_csrf_and_refuse_other_roles(signed_in, LIBRARY_FORMS, "reason")
