"""POST /v1/score on the embedded default: results, idempotency by post id, text and model
version, and refusals that change nothing; GET /v1/posts/{id}."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from audit.models import AuditEvent
from classifier.reference import ReferenceClassifier
from core.clock import as_utc, utcnow
from pipeline.models import Post, Score
from runtime.container import Runtime, build_runtime
from runtime.web import create_app
from tests.conftest import auth, new_api_key

FALSE_POST = "Miracle cure: drinking bleach cures COVID-19, share before they delete it!!"
TRUE_POST = "According to the CDC, 120 confirmed cases were reported in the county today."


def _score(client: TestClient, key: str, posts: list[dict[str, Any]]) -> Any:
    return client.post("/v1/score", json={"posts": posts}, headers=auth(key))


def _counts(rt: Runtime) -> tuple[int, int, int]:
    with rt.sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(Post)) or 0,
            s.scalar(select(func.count()).select_from(Score)) or 0,
            s.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )


def test_scores_each_post_with_band_and_version(client: TestClient, platform_key: str) -> None:
    resp = _score(
        client, platform_key, [{"id": "a1", "text": FALSE_POST}, {"id": "a2", "text": TRUE_POST}]
    )
    assert resp.status_code == 200
    by_id = {r["id"]: r for r in resp.json()["results"]}
    assert by_id["a1"]["score"] > by_id["a2"]["score"]
    assert by_id["a1"]["band"] in {"review", "urgent"} and by_id["a1"]["case_opened"] is True
    assert by_id["a2"]["band"] == "ignore" and by_id["a2"]["case_opened"] is False
    assert all(
        0.0 <= r["score"] <= 1.0 and r["model_version"] == "reference-0" for r in by_id.values()
    )
    assert by_id["a1"]["reasons"], "a high-risk post carries the phrases that drove its score"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"posts": []}, 422, "empty_batch"),
        ({"posts": [{"id": "e1", "text": ""}]}, 422, "empty_text"),
        ({"posts": [{"id": "e1", "text": "   \n\t "}]}, 422, "empty_text"),
        ({"posts": [{"id": "e1", "text": "\u200b"}]}, 422, "empty_text"),
        ({"posts": [{"id": "e1", "text": " \ufeff\u2060\u200c\u200d\n"}]}, 422, "empty_text"),
        ({"posts": [{"id": "e1", "text": 42}]}, 422, "invalid_request"),
        ({"posts": [{"id": "e1", "text": "ok", "views": "many"}]}, 422, "invalid_request"),
        ({"posts": [{"id": "e1", "text": "ok", "colour": "red"}]}, 422, "unknown_field"),
        ({"posts": [{"id": "e1", "text": "ok"}], "extra": 1}, 422, "unknown_field"),
        ({"posts": [{"id": "e1", "text": "ok"}, {"id": "e1", "text": "ok"}]}, 422, "duplicate_ids"),
        ({"posts": [{"id": "e 1; drop table", "text": "ok"}]}, 422, "bad_post_id"),
        ({"posts": [{"id": "e1", "text": "x" * 20_001}]}, 422, "text_too_long"),
        ({"posts": [{"id": f"e{i}", "text": "ok"} for i in range(257)]}, 422, "batch_too_large"),
        (
            {"posts": [{"id": "e1", "text": "ok", "created_at": "2026-11-25T10:00:00"}]},
            422,
            "invalid_request",
        ),
        ({"posts": "not a list"}, 422, "invalid_request"),
        ({"posts": [{"id": "e1", "text": "ok", "author_name": "n" * 201}]}, 422, "invalid_request"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_changes_nothing(
    rt: Runtime, client: TestClient, platform_key: str, body: dict[str, Any], status: int, code: str
) -> None:
    before = _counts(rt)
    resp = client.post("/v1/score", json=body, headers=auth(platform_key))
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["code"] == code
    assert resp.json()["error"]["message"]
    assert _counts(rt) == before


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("views", "10", "valid integer"),  # a number in a string was read as the number
        ("views", True, "valid integer"),  # and true as 1
        ("shares", 12.0, "valid integer"),
        ("author_followers", "0", "valid integer"),
        ("created_at", 1_764_000_000, "ISO 8601"),  # read as seconds
        ("created_at", 1_764_000_000_000, "ISO 8601"),  # read as milliseconds
        ("created_at", "1764000000", "ISO 8601"),
        ("created_at", "9999-12-31T00:00:00Z", "in the future"),
        ("created_at", "9999-12-31T23:59:59-14:00", "in the future"),  # past datetime's range
        ("created_at", "0001-01-01T00:00:00+14:00", "before 2000-01-01"),
        ("created_at", "1999-12-31T23:59:59Z", "before 2000-01-01"),
        ("url", "javascript:alert(1)", "http(s)"),
        ("url", "JaVaScRiPt:alert(1)", "http(s)"),
        ("url", "data:text/html,<script>alert(1)</script>", "http(s)"),
        ("url", "//platform.example/p/1", "http(s)"),
        ("url", "https://", "http(s)"),
    ],
)
def test_a_post_field_out_of_its_domain_is_refused_naming_the_field(
    rt: Runtime, client: TestClient, platform_key: str, field: str, value: Any, says: str
) -> None:
    before = _counts(rt)
    resp = _score(client, platform_key, [{"id": "f1", "text": TRUE_POST, field: value}])
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "invalid_request"
    [detail] = error["details"]
    assert detail["loc"] == ["body", "posts", 0, field] and says in detail["msg"]
    assert _counts(rt) == before


def test_reach_counts_times_and_links_in_their_domain_are_stored(any_rt: Runtime) -> None:
    soon = (utcnow() + timedelta(hours=1)).isoformat()  # a platform's clock a little ahead
    posts: list[dict[str, Any]] = [
        {"id": "d1", "text": TRUE_POST, "views": 10, "created_at": "2026-11-25T10:00:00+05:00"},
        {"id": "d2", "text": TRUE_POST, "created_at": soon, "url": "HTTPS://platform.example/1"},
        {"id": "d3", "text": TRUE_POST, "created_at": "2000-01-01T00:00:00Z"},
    ]
    with TestClient(create_app(any_rt)) as client:
        assert _score(client, new_api_key(any_rt), posts).status_code == 200
    with any_rt.sessions() as s:
        d1, d2 = s.get(Post, "d1"), s.get(Post, "d2")
        assert d1 is not None and d1.created_at is not None and d2 is not None
        assert (d1.views, as_utc(d1.created_at)) == (10, datetime(2026, 11, 25, 5, tzinfo=UTC))
        assert d2.url == "HTTPS://platform.example/1"


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u2060", "\u200c", "\u200d"])
def test_a_post_of_only_zero_width_characters_is_refused_naming_it_and_nothing_is_stored(
    rt: Runtime, client: TestClient, platform_key: str, invisible: str
) -> None:
    """The classifier removes zero-width characters before scoring; a text of nothing else is
    empty to it, so the schema refuses it (before: a 500 for the whole batch)."""
    before = _counts(rt)
    posts = [{"id": f"good-{i}", "text": TRUE_POST} for i in range(5)]
    posts.insert(3, {"id": "zw", "text": f" {invisible * 3} "})
    resp = _score(client, platform_key, posts)
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "empty_text"
    [detail] = error["details"]
    assert detail["loc"] == ["body", "posts", 3, "text"] and "'zw'" in detail["msg"]
    assert "zero-width" in detail["msg"]
    assert _counts(rt) == before


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b'{"posts": [{"id": "m1", "text": "unterminated', 400, "malformed_json"),
        (b"", 400, "malformed_json"),
        ('{"posts": [{"id": "m1", "text": "caf\xe9"}]}'.encode("latin-1"), 400, "bad_encoding"),
    ],
)
def test_malformed_and_wrongly_encoded_bodies_are_400(
    rt: Runtime, client: TestClient, platform_key: str, raw: bytes, status: int, code: str
) -> None:
    before = _counts(rt)
    headers = {**auth(platform_key), "content-type": "application/json"}
    resp = client.post("/v1/score", content=raw, headers=headers)
    assert resp.status_code == status
    assert resp.json()["error"]["code"] == code
    assert _counts(rt) == before


def test_oversized_body_is_413_before_parsing(
    rt: Runtime, client: TestClient, platform_key: str
) -> None:
    before = _counts(rt)
    huge = b'{"posts": [{"id": "o1", "text": "' + b"a" * (3 * 1024 * 1024) + b'"}]}'
    resp = client.post(
        "/v1/score",
        content=huge,
        headers={**auth(platform_key), "content-type": "application/json"},
    )
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "body_too_large"
    assert _counts(rt) == before


def test_hostile_text_is_stored_verbatim_and_scored(
    rt: Runtime, client: TestClient, platform_key: str
) -> None:
    # NUL is the one character refused (422 nul_character: PostgreSQL cannot store it; see
    # tests/api/test_hostile_input.py); everything else hostile is kept byte for byte.
    hostile = "<script>alert(1)</script>' OR 1=1; -- \u202eevil\u200b 🦠 مرحبا \x01\x7f"
    resp = _score(client, platform_key, [{"id": "h1", "text": hostile}])
    assert resp.status_code == 200
    with rt.sessions() as s:
        post = s.get(Post, "h1")
        assert post is not None and post.text == hostile
    refused = _score(client, platform_key, [{"id": "h2", "text": hostile + "\x00"}])
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "nul_character"
    with rt.sessions() as s:
        assert s.get(Post, "h2") is None


def test_post_status_shows_history(client: TestClient, platform_key: str) -> None:
    _score(client, platform_key, [{"id": "s1", "text": TRUE_POST}])
    resp = client.get("/v1/posts/s1", headers=auth(platform_key))
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "scored"
    assert [h["action"] for h in body["history"]] == ["post.scored"]
    unknown = client.get("/v1/posts/nope", headers=auth(platform_key))
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")


def test_author_name_is_kept_with_the_post(
    rt: Runtime, client: TestClient, platform_key: str
) -> None:
    resp = _score(client, platform_key, [{"id": "n1", "text": TRUE_POST, "author_name": "Jo Ng"}])
    assert resp.status_code == 200
    with rt.sessions() as s:
        post = s.get(Post, "n1")
        assert post is not None and post.author_name == "Jo Ng"


def test_a_region_is_kept_as_an_iso_code_and_anything_else_is_refused(
    rt: Runtime, client: TestClient, platform_key: str
) -> None:
    ok = _score(client, platform_key, [{"id": "g1", "text": TRUE_POST, "region": "US-CA"}])
    assert ok.status_code == 200
    for bad in ("Germany", "de", "D", "US_CA", "<b>"):
        refused = _score(client, platform_key, [{"id": "g2", "text": TRUE_POST, "region": bad}])
        assert refused.status_code == 422, bad
        assert "region" in refused.text
    with rt.sessions() as s:
        post = s.get(Post, "g1")
        assert post is not None and post.region == "US-CA"
        assert s.get(Post, "g2") is None  # nothing of a refused batch is kept


POST = {"id": "i1", "text": "Miracle cure: garlic beats the virus!!", "views": 10}


def test_resend_is_cached_changed_text_and_new_model_are_rescored(
    rt: Runtime, client: TestClient, platform_key: str
) -> None:
    headers = auth(platform_key)
    first = client.post("/v1/score", json={"posts": [POST]}, headers=headers).json()["results"][0]
    again = client.post("/v1/score", json={"posts": [POST]}, headers=headers).json()["results"][0]
    assert first["cached"] is False and again["cached"] is True
    assert again["score"] == first["score"] and first["reasons"]
    assert _counts(rt)[1] == 1, "a re-sent post is not scored again"
    edited = {**POST, "text": "According to the ministry, garlic is a food."}
    changed = client.post("/v1/score", json={"posts": [edited]}, headers=headers).json()
    assert changed["results"][0]["cached"] is False
    assert changed["results"][0]["score"] < first["score"]
    assert _counts(rt)[1] == 2

    newer = build_runtime(rt.settings, classifier=ReferenceClassifier(version="reference-1"))
    with TestClient(create_app(newer)) as other:
        rescored = other.post("/v1/score", json={"posts": [edited]}, headers=headers).json()
    assert rescored["results"][0]["cached"] is False
    assert rescored["results"][0]["model_version"] == "reference-1"
    newer.engine.dispose()
    assert _counts(rt)[1] == 3


def test_mixed_batch_keeps_order_and_reports_each(client: TestClient, platform_key: str) -> None:
    headers = auth(platform_key)
    client.post("/v1/score", json={"posts": [POST]}, headers=headers)
    batch = [{"id": f"m{i}", "text": f"post number {i}"} for i in range(5)] + [POST]
    results = client.post("/v1/score", json={"posts": batch}, headers=headers).json()["results"]
    assert [r["id"] for r in results] == [p["id"] for p in batch]
    assert [r["cached"] for r in results] == [False] * 5 + [True]
    assert {r["band"] for r in results} <= {"ignore", "review", "urgent"}
    status = client.get("/v1/posts/i1", headers=headers).json()
    assert (
        status["status"] in {"scored", "queued"} and status["history"][0]["action"] == "post.scored"
    )
