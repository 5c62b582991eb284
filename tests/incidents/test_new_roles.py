"""The roles issue 18 adds: leadership and technical response sign in to a home of their own
(without one, /ui/login sent a signed-in user to /ui/login: a redirect loop)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import new_user_token
from tests.review_ui.conftest import sign_in


@pytest.mark.parametrize("role", ["leadership", "technical_response"])
def test_a_new_role_signs_in_to_the_incidents_section_without_a_loop(
    rt: Runtime, role: str
) -> None:
    new_user_token(rt, role, f"{role}-ui")
    with TestClient(create_app(rt), base_url="https://testserver") as browser:
        signed = sign_in(browser, f"{role}-ui")
        assert signed.status_code == 303 and signed.headers["location"] == "/ui/incidents"
        again = browser.get("/ui/login", follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"] == "/ui/incidents"
