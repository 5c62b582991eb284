"""Log lines are JSON with ECS fields, and each request's lines carry its X-Request-ID."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.logging import LogSettings, configure_logging
from runtime.container import Runtime
from tests.conftest import auth, new_api_key


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level, before = root.level, list(root.handlers)
    buf = io.StringIO()
    configure_logging(LogSettings(format="json"), stream=buf)
    yield buf
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
    root.setLevel(level)


def _parsed(buf: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]


def test_a_scored_request_logs_a_json_line_with_its_response_request_id(
    rt: Runtime, client: TestClient, log_lines: io.StringIO
) -> None:
    key = new_api_key(rt)
    resp = client.post(
        "/v1/score",
        json={"posts": [{"id": "p1", "text": "Garlic cures the flu"}]},
        headers=auth(key),
    )
    assert resp.status_code == 200, resp.text
    rid = resp.headers["x-request-id"]
    lines = _parsed(log_lines)
    access = [d for d in lines if d.get("url.path") == "/v1/score"]
    assert len(access) == 1, lines
    line = access[0]
    assert line["http.request.id"] == rid
    assert line["http.request.method"] == "POST"
    assert line["http.response.status_code"] == 200
    assert line["log.level"] == "info"
    assert line["service.name"] == "veracity"
    assert line["@timestamp"].endswith("Z")
    assert "/v1/score" in line["message"]
    assert isinstance(line["event.duration"], int)


def test_a_caller_request_id_is_kept_and_logged_also_for_a_refusal(
    client: TestClient, log_lines: io.StringIO
) -> None:
    resp = client.post("/v1/score", json={"posts": []}, headers={"X-Request-ID": "abc-123"})
    assert resp.status_code == 401
    assert resp.headers["x-request-id"] == "abc-123"
    access = [d for d in _parsed(log_lines) if d.get("url.path") == "/v1/score"]
    assert [(d["http.request.id"], d["http.response.status_code"]) for d in access] == [
        ("abc-123", 401)
    ]


def test_a_line_outside_any_request_has_no_request_id_and_an_exception_is_structured(
    log_lines: io.StringIO,
) -> None:
    log = logging.getLogger("veracity.test")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("it failed")
    (line,) = [d for d in _parsed(log_lines) if d["log.logger"] == "veracity.test"]
    assert "http.request.id" not in line
    assert line["log.level"] == "error"
    assert line["error.type"] == "ValueError"
    assert "boom" in line["error.stack_trace"]
