"""The action log in real Elasticsearch: idempotent shipping, tamper evidence, exact exports."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from audit.chain import event_hash, strip_hash
from audit.events import Action
from audit.models import AuditEvent
from audit.operations import apply_retention, verify
from audit.tasks import ship_outbox
from audit.verify import BreakKind
from core.actors import Actor
from core.clock import utcnow
from core.db import transaction
from core.settings import AuditSettings
from runtime.container import Runtime
from runtime.web import create_app
from tests.audit.factories import LEGAL, first_break, write_around_a_held_case, write_events
from tests.conftest import auth, es_runtime, new_user_token

pytestmark = pytest.mark.services


@pytest.fixture
def es_rt(sqlite_url: str, elasticsearch_url: str, es_prefix: str) -> Iterator[Runtime]:
    yield from es_runtime(
        sqlite_url, elasticsearch_url, es_prefix, audit=AuditSettings(export_page_size=100)
    )


def _ship(rt: Runtime) -> None:
    result = ship_outbox(rt)
    assert result is not None and result.error is None and result.remaining == 0
    assert rt.action_log is not None
    rt.action_log.refresh()


def _hit(rt: Runtime, seq: int) -> dict[str, Any]:
    assert rt.action_log is not None
    resp = rt.action_log.client.search(
        index=rt.action_log.pattern, query={"term": {"veracity.chain.seq": seq}}
    )
    hit: dict[str, Any] = resp["hits"]["hits"][0]
    return hit


def _put(rt: Runtime, index: str, doc_id: str, doc: dict[str, Any]) -> None:
    assert rt.action_log is not None
    rt.action_log.client.index(index=index, id=doc_id, document=doc, refresh=True)


def test_a_retried_shipment_never_duplicates(es_rt: Runtime) -> None:
    write_events(es_rt, 40)
    _ship(es_rt)
    # A crash after Elasticsearch stored the batch but before the outbox was marked shipped:
    with transaction(es_rt.sessions) as s:
        s.execute(update(AuditEvent).values(shipped_at=None))
    again = ship_outbox(es_rt)
    assert again is not None
    assert (again.shipped, again.failed, again.remaining, again.error) == (40, 0, 0, None)
    _ship(es_rt)
    store = es_rt.action_log
    assert store is not None
    assert store.count() == 40
    hits = store.client.search(index=store.pattern, size=100)["hits"]["hits"]
    with es_rt.sessions() as s:
        assert {hit["_id"] for hit in hits} == set(s.scalars(select(AuditEvent.id)))
    assert verify(es_rt, LEGAL, log_result=False).ok


def _edit_a_reason(rt: Runtime) -> None:
    hit = _hit(rt, 4)
    hit["_source"]["veracity"]["reason"] = "no_action: nothing happened"
    _put(rt, hit["_index"], hit["_id"], hit["_source"])


def _edit_and_recompute_the_hash(rt: Runtime) -> None:
    hit = _hit(rt, 6)
    doc = hit["_source"]
    doc["user"]["name"] = "somebody-else"
    body, _ = strip_hash(doc)
    doc["veracity"]["chain"]["hash"] = event_hash(body, doc["veracity"]["chain"]["prev_hash"])
    _put(rt, hit["_index"], hit["_id"], doc)


def _delete_a_document(rt: Runtime) -> None:
    hit = _hit(rt, 3)
    assert rt.action_log is not None
    rt.action_log.client.delete(index=hit["_index"], id=hit["_id"], refresh=True)


def _insert_a_copy(rt: Runtime) -> None:
    # A forged copy of seq 5 under a new id: the sequence appears twice.
    hit = _hit(rt, 5)
    _put(rt, hit["_index"], "forged-duplicate", hit["_source"])


def _forge_a_continuation(rt: Runtime) -> None:
    last = _hit(rt, 10)
    forged = json.loads(json.dumps(last["_source"]))
    forged["event"]["id"] = "forged-11"
    forged["veracity"]["chain"] = {
        "name": "main",
        "seq": 11,
        "prev_hash": last["_source"]["veracity"]["chain"]["hash"],
    }
    forged["veracity"]["chain"]["hash"] = event_hash(
        forged, forged["veracity"]["chain"]["prev_hash"]
    )
    _put(rt, last["_index"], "forged-11", forged)


@pytest.mark.parametrize(
    ("tamper", "kind", "seq", "detail"),
    [
        (_edit_a_reason, BreakKind.EDITED, 4, "does not match its recorded hash"),
        # A hash recomputed over the edit: only the database's copy gives it away.
        (_edit_and_recompute_the_hash, BreakKind.EDITED, 6, "database"),
        (_delete_a_document, BreakKind.DELETED, 3, "sequence 3 is missing"),
        (_insert_a_copy, BreakKind.INSERTED, 5, "sequence 5 appears again"),
        # Well forged: a valid hash over the head of the chain, in the right index.
        (_forge_a_continuation, BreakKind.INSERTED, 11, "the database never wrote this event"),
    ],
    ids=["edited", "edited-with-its-own-hash", "deleted", "inserted-copy", "forged-continuation"],
)
def test_verify_catches_tampering_with_the_stored_documents(
    es_rt: Runtime, tamper: Callable[[Runtime], None], kind: BreakKind, seq: int, detail: str
) -> None:
    write_events(es_rt, 10)
    _ship(es_rt)
    tamper(es_rt)
    brk = first_break(es_rt)
    assert (brk.kind, brk.seq) == (kind, seq)
    assert detail in brk.detail


def test_exports_match_source_counts_and_are_logged(es_rt: Runtime) -> None:
    write_events(es_rt, 230)
    write_events(es_rt, 20, action=Action.POST_SCORED, actor=Actor.system("scorer"))
    write_events(es_rt, 9, is_drill=True)
    _ship(es_rt)
    with TestClient(create_app(es_rt)) as client:
        headers = auth(new_user_token(es_rt, "legal", username="lena"))
        _ship(es_rt)  # the user's creation is an event too
        wanted = {"action": ["case.decided", "post.scored"]}
        ndjson = client.get("/v1/audit/export", params=wanted, headers=headers)
        assert len(ndjson.content.splitlines()) == 250  # pages of 100: crosses page boundaries
        seqs = [
            json.loads(line)["veracity"]["chain"]["seq"] for line in ndjson.content.splitlines()
        ]
        assert len(set(seqs)) == 250
        csv_resp = client.get(
            "/v1/audit/export", params={**wanted, "format": "csv"}, headers=headers
        )
        assert len(csv_resp.text.splitlines()) == 251  # header + rows (no newlines in reasons)
        manifest = client.get(ndjson.headers["x-export-manifest"], headers=headers).json()
        assert manifest["source"] == "elasticsearch"
        assert manifest["count"] == 250
        assert manifest["sha256"] == hashlib.sha256(ndjson.content).hexdigest()
        search = client.get(
            "/v1/audit/events", params={"q": "microchip", "size": 5}, headers=headers
        ).json()
        assert search["total"] == 250 and len(search["events"]) == 5
        aggs = client.get("/v1/audit/aggregations", params=wanted, headers=headers).json()
        assert (aggs["total"], aggs["automated"], aggs["human"]) == (250, 20, 230)
    _ship(es_rt)
    assert es_rt.action_log is not None
    exported = es_rt.action_log.count({"term": {"event.action": "log.exported"}})
    assert exported == 2, "each export is itself in the log"
    assert verify(es_rt, LEGAL, log_result=False).ok


def test_retention_deletes_old_documents_but_keeps_held_ones_and_verify_accepts_it(
    es_rt: Runtime,
) -> None:
    write_around_a_held_case(es_rt, days_ago=800, old=6, fresh=4)
    _ship(es_rt)
    run = apply_retention(es_rt, LEGAL)  # the default: AUDIT__RETENTION_DAYS = 730
    assert (run.deleted, run.held, len(run.ranges)) == (12, 1, 2)
    _ship(es_rt)
    assert es_rt.action_log is not None
    posts = es_rt.action_log.client.search(
        index=es_rt.action_log.pattern,
        query={"term": {"event.action": "case.decided"}},
        size=50,
    )["hits"]["hits"]
    assert sorted(h["_source"]["veracity"]["post_id"] for h in posts) == [
        "held0",
        "new0",
        "new1",
        "new2",
        "new3",
    ]
    report = verify(es_rt, LEGAL, log_result=False)
    assert report.ok, report.first_break
    assert report.lawfully_deleted == 12
    with es_rt.sessions() as s:
        logged = s.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.RETENTION_APPLIED)
        ).one()
    assert logged.document["veracity"]["after"]["ranges_total"] == 2  # type: ignore[index]


def test_an_anchor_checks_the_stored_documents_too(es_rt: Runtime) -> None:
    from audit import anchors
    from audit.operations import log_reader

    write_events(es_rt, 8)
    anchor = anchors.issue(es_rt, LEGAL)
    early = anchors.check(es_rt, log_reader(es_rt), anchor)
    assert early.ok and "not in elasticsearch yet" in early.detail
    _ship(es_rt)
    assert anchors.check(es_rt, log_reader(es_rt), anchor).ok
    hit = _hit(es_rt, anchor["seq"])
    hit["_source"]["veracity"]["chain"]["hash"] = "e" * 64  # the database still agrees
    _put(es_rt, hit["_index"], hit["_id"], hit["_source"])
    result = anchors.check(es_rt, log_reader(es_rt), anchor)
    assert not result.ok and "stored seq" in result.detail


def test_statements_take_the_posts_own_date_from_elasticsearch(es_rt: Runtime) -> None:
    from audit import dsa
    from audit.operations import log_reader
    from audit.schemas import SearchFilters

    posted = utcnow() - timedelta(days=12)
    write_events(
        es_rt,
        1,
        action=Action.POST_SCORED,
        post_prefix="es",
        after={"posted_at": posted.isoformat()},
    )
    write_events(es_rt, 1, post_prefix="es")  # its removal
    _ship(es_rt)
    reader = log_reader(es_rt)
    assert reader.name == "elasticsearch"
    (batch,) = list(dsa.statement_batches(reader, SearchFilters()))
    assert [s["content_date"] for s in batch] == [posted.date().isoformat()]


def test_counts_before_anything_is_shipped_are_zero_not_an_error(es_rt: Runtime) -> None:
    """A fresh deployment (or one whose indices retention emptied): no index matches yet."""
    with TestClient(create_app(es_rt)) as client:
        resp = client.get("/v1/audit/aggregations", headers=auth(new_user_token(es_rt, "legal")))
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "total": 0,
        "by_action": [],
        "by_policy": [],
        "by_actor_type": [],
        "automated": 0,
        "human": 0,
    }
