"""Scoring through the HTTP path: idempotency by post id, text and model version."""

from __future__ import annotations

from fastapi.testclient import TestClient

from classifier.reference import ReferenceClassifier
from runtime.container import Runtime, build_runtime
from runtime.web import create_app
from tests.conftest import auth

POST = {"id": "i1", "text": "Miracle cure: garlic beats the virus!!", "views": 10}


def test_resend_is_cached_changed_text_and_new_model_are_rescored(
    rt: Runtime, client: TestClient, platform_key: str
) -> None:
    headers = auth(platform_key)
    first = client.post("/v1/score", json={"posts": [POST]}, headers=headers).json()["results"][0]
    again = client.post("/v1/score", json={"posts": [POST]}, headers=headers).json()["results"][0]
    assert first["cached"] is False and again["cached"] is True
    assert again["score"] == first["score"] and first["reasons"]
    edited = {**POST, "text": "According to the ministry, garlic is a food."}
    changed = client.post("/v1/score", json={"posts": [edited]}, headers=headers).json()
    assert changed["results"][0]["cached"] is False
    assert changed["results"][0]["score"] < first["score"]

    newer = build_runtime(rt.settings, classifier=ReferenceClassifier(version="reference-1"))
    with TestClient(create_app(newer)) as other:
        rescored = other.post("/v1/score", json={"posts": [edited]}, headers=headers).json()
    assert rescored["results"][0]["cached"] is False
    assert rescored["results"][0]["model_version"] == "reference-1"
    newer.engine.dispose()


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
