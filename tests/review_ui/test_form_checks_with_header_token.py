"""A /ui form is checked for text that is not UTF-8 or holds NUL however its CSRF token comes:
with the token in the `x-csrf-token` header the guard reads no form, and a route that reads its
own form (the incident report) used to be checked before anything was read, so the text was
stored as sent (NUL) or changed (U+FFFD)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from incidents.models import Incident
from tests.review_ui.conftest import Stack, csrf_of, signed_in


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"type=outage&title=Feed%00down&what=the+feed+is+down+for+everyone", 422),
        (b"type=outage&title=Caf%E9+down&what=the+feed+is+down+for+everyone", 400),
    ],
)
def test_a_report_with_the_token_in_the_header_is_checked_and_nothing_stored(
    stack: Stack, body: bytes, status: int
) -> None:
    client = signed_in(stack, "pr")
    token = csrf_of(client.get("/ui/incidents").text)
    headers = {"x-csrf-token": token, "content-type": "application/x-www-form-urlencoded"}
    refused = client.post("/ui/incidents", content=body, headers=headers, follow_redirects=False)
    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"].startswith("text/html")
    with stack.rt.sessions() as session:
        assert session.scalars(select(Incident.title)).all() == []
    fine = body.replace(b"%00", b"+").replace(b"%E9", b"e")
    accepted = client.post("/ui/incidents", content=fine, headers=headers, follow_redirects=False)
    assert accepted.status_code == 303, accepted.text
