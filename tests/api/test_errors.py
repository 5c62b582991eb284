"""An unexpected failure is answered in the error shape, `{"error": {"code": "internal", ...}}`
with the request id, and logged with its traceback under that id; never a plain-text 500. It is
answered inside the middleware stack, so the 500 carries the security headers and is counted
like any other answer, and the exception does not escape to the server (which would log it a
second time)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import Response

from api.security_headers import API_CSP
from core.logging import EcsJsonFormatter
from core.migrate import upgrade
from runtime.container import Runtime, build_runtime
from runtime.web import create_app
from tests.api.test_batcher import FailingOn
from tests.conftest import auth, make_settings, new_api_key


@pytest.fixture
def api_log() -> Iterator[io.StringIO]:
    """The API's own log lines, as the JSON formatter writes them when they are logged."""
    buf, logger = io.StringIO(), logging.getLogger("veracity.api")
    handler = logging.StreamHandler(buf)
    handler.setFormatter(EcsJsonFormatter())
    logger.addHandler(handler)
    yield buf
    logger.removeHandler(handler)


@pytest.fixture
def failing(sqlite_url: str) -> Iterator[Runtime]:
    upgrade(sqlite_url)
    rt = build_runtime(make_settings(sqlite_url), classifier=FailingOn("boom"))
    yield rt
    rt.engine.dispose()


def test_an_unexpected_error_is_a_json_500_with_the_request_id_and_logged_with_its_traceback(
    failing: Runtime, api_log: io.StringIO
) -> None:
    with TestClient(create_app(failing), raise_server_exceptions=False) as client:
        resp = client.post(
            "/v1/score",
            json={"posts": [{"id": "b1", "text": "boom"}]},
            headers={**auth(new_api_key(failing)), "X-Request-ID": "req-boom-1"},
        )
    assert resp.status_code == 500
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["x-request-id"] == "req-boom-1"
    error = resp.json()["error"]
    assert error["code"] == "internal" and "req-boom-1" in error["message"]
    assert error["details"] == {"request_id": "req-boom-1"}
    assert "cannot score" not in resp.text, "the exception's text stays in the log"
    [logged] = [json.loads(line) for line in api_log.getvalue().splitlines()]
    assert logged["error.type"] == "ValueError"
    assert logged["http.request.id"] == "req-boom-1" and logged["log.level"] == "error"
    assert "cannot score 'boom'" in logged["error.stack_trace"]


def _boom(request: Request) -> Response:
    raise RuntimeError("the page broke")


def _failing_app(rt: Runtime) -> FastAPI:
    app = create_app(rt)
    app.router.add_route("/ui/boom", _boom)  # a review UI page that fails
    return app


def test_an_unexpected_error_does_not_escape_the_app_and_is_logged_once(
    failing: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    app = _failing_app(failing)
    with TestClient(app) as client:  # raise_server_exceptions: an escaping error raises here
        caplog.set_level(logging.INFO)
        api = client.post(
            "/v1/score",
            json={"posts": [{"id": "b1", "text": "boom"}]},
            headers={**auth(new_api_key(failing)), "X-Request-ID": "req-boom-2"},
        )
        page = client.get("/ui/boom", headers={"X-Request-ID": "req-boom-3"})
        metrics = client.get("/metrics").text
    for resp, rid in ((api, "req-boom-2"), (page, "req-boom-3")):
        assert resp.status_code == 500 and resp.json()["error"]["details"] == {"request_id": rid}
        assert resp.headers.get_list("x-request-id") == [rid]
        assert resp.headers["content-security-policy"] == API_CSP
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert resp.headers["x-frame-options"] == "DENY"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [(r.name, str(r.exc_info and r.exc_info[1])) for r in errors] == [
        ("veracity.api", "cannot score 'boom'"),
        ("veracity.api", "the page broke"),
    ]
    access = [r.getMessage() for r in caplog.records if r.name == "veracity.access"]
    assert [line.rsplit(" ", 2)[0] for line in access[:2]] == [
        "POST /v1/score 500",
        "GET /ui/boom 500",
    ]
    assert 'method="POST",route="/v1/score",status="500"} 1.0' in metrics
