"""A body the routes cannot read as sent is refused with 415 naming why: a Content-Encoding, or a
JSON operation's body sent as another type. Forms and raw uploads are served as before."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accounts.service import add_user
from core.db import transaction
from pipeline.models import Post
from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import ADMIN, PASSWORD, auth, new_user_token
from tests.review_ui.conftest import sign_in

BODY = json.dumps({"posts": [{"id": "mt-1", "text": "Drinking bleach cures COVID-19"}]}).encode()


def _posts(rt: Runtime) -> int:
    with rt.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Post)) or 0)


def _score(client: TestClient, key: str, body: bytes, **headers: str) -> Any:
    return client.post("/v1/score", content=body, headers={**auth(key), **headers})


def _refused(resp: Any, code: str) -> str:
    assert resp.status_code == 415, resp.text
    error = resp.json()["error"]
    assert error["code"] == code
    return str(error["message"])


@pytest.mark.parametrize(
    ("content_type", "named"),
    [
        (None, "no Content-Type"),
        ("text/plain", "not text/plain"),
        ("application/x-www-form-urlencoded", "not application/x-www-form-urlencoded"),
        ("multipart/form-data; boundary=x", "not multipart/form-data"),
        ("application/jsonx", "not application/jsonx"),
        ("application/json; charset=latin-1", "not charset=latin-1"),
    ],
)
def test_a_json_body_sent_as_another_type_is_415_naming_the_type_needed(
    rt: Runtime, client: TestClient, platform_key: str, content_type: str | None, named: str
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    message = _refused(_score(client, platform_key, BODY, **headers), "unsupported_media_type")
    assert "application/json" in message and named in message
    assert _posts(rt) == 0


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
        "application/vnd.veracity+json",
    ],
)
def test_json_and_json_suffixed_types_in_utf8_are_served(
    client: TestClient, platform_key: str, content_type: str
) -> None:
    resp = _score(client, platform_key, BODY, **{"content-type": content_type})
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize(
    ("coding", "body"),
    [("gzip", gzip.compress(BODY, mtime=0)), ("gzip", BODY), ("br", BODY)],
    ids=["gzipped", "gzip-on-plain", "br-on-plain"],
)
def test_a_content_encoding_is_415_naming_it(
    rt: Runtime, client: TestClient, platform_key: str, coding: str, body: bytes
) -> None:
    resp = _score(
        client,
        platform_key,
        body,
        **{"content-type": "application/json", "content-encoding": coding},
    )
    message = _refused(resp, "unsupported_content_encoding")
    assert f"'{coding}'" in message and "uncompressed" in message
    assert _posts(rt) == 0


def test_identity_is_no_encoding(client: TestClient, platform_key: str) -> None:
    headers = {"content-type": "application/json", "content-encoding": "identity"}
    assert _score(client, platform_key, BODY, **headers).status_code == 200


def test_a_route_without_a_json_body_is_not_held_to_json(rt: Runtime, client: TestClient) -> None:
    """The raw upload of a plan material takes its own Content-Type; the review UI takes forms."""
    legal = auth(new_user_token(rt, "legal"))
    made = client.post(
        "/v1/attachments",
        params={"filename": "guide.pdf", "kind": "legal_guide"},
        content=b"%PDF-1.7\n%%EOF\n",
        headers={**legal, "content-type": "application/pdf"},
    )
    assert made.status_code == 201, made.text
    with transaction(rt.sessions) as session:
        add_user(session, "mt-admin", PASSWORD, "admin", ADMIN)
    browser = TestClient(create_app(rt), base_url="https://testserver")  # Secure cookie
    assert sign_in(browser, "mt-admin").status_code == 303


def test_the_document_declares_415_on_json_bodies_only(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "415" in paths["/v1/score"]["post"]["responses"]
    assert "415" in paths["/v1/cases/{case_id}/decision"]["post"]["responses"]
    assert "415" not in paths["/v1/attachments"]["post"]["responses"]
    assert "415" not in paths["/v1/claims"]["get"]["responses"]
