"""The action log's operations bound to a runtime: which store answers, verify, retention."""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

from sqlalchemy.orm import Session

from audit import dsa
from audit.db_search import DatabaseSearch
from audit.es_search import ElasticsearchSearch
from audit.events import Action, Subject
from audit.process import AuditProcess
from audit.retention import Run, apply
from audit.schemas import SearchFilters
from audit.service import MAIN_CHAIN, record
from audit.shipping import ShippingLag, shipping_lag
from audit.store import LogStore
from audit.verify import DatabaseAnchor, Report, load_deletions, verify_chain
from core.actors import Actor
from core.db import transaction

VERIFY_PAGE = 5000


def log_reader(rt: AuditProcess) -> LogStore:
    """Elasticsearch when configured, else the database log (the embedded default)."""
    if rt.action_log is not None:
        return ElasticsearchSearch(rt.action_log)
    return DatabaseSearch(rt.sessions)


def outbox_lag(rt: AuditProcess) -> ShippingLag | None:
    """How far Elasticsearch trails the outbox; None on the embedded default, where the database
    is the log and nothing is shipped (every event there is unshipped and always will be).
    Decided from the settings, so /metrics does not open an Elasticsearch client in every
    server process (with one opened there, `serve --workers 2` took a minute to stop)."""
    return shipping_lag(rt.sessions) if rt.settings.elasticsearch.hosts else None


def verify(
    rt: AuditProcess, actor: Actor, *, chain: str = MAIN_CHAIN, log_result: bool = True
) -> Report:
    """Walk the chain where it is stored and anchor it to the database's own record."""
    reader = log_reader(rt)
    anchor = DatabaseAnchor(rt.sessions)
    through = anchor.last_shipped(chain) if rt.action_log is not None else anchor.head(chain)[0]
    report = verify_chain(
        reader.iter_chain(chain, page_size=VERIFY_PAGE),
        chain=chain,
        source=reader.name,
        deletions=load_deletions(rt.sessions, chain),
        anchor=anchor,
        expect_through=through,
    )
    if log_result:
        brk = report.first_break
        with transaction(rt.sessions) as session:
            record(
                session,
                Action.LOG_VERIFIED,
                actor,
                Subject(other={"chain": chain, "source": report.source}),
                reason="chain intact" if brk is None else f"{brk.kind.value}: {brk.detail}",
                after={
                    "ok": report.ok,
                    "checked": report.checked,
                    "last_seq": report.last_seq,
                    "lawfully_deleted": report.lawfully_deleted,
                    "break": None
                    if brk is None
                    else {"kind": brk.kind.value, "seq": brk.seq, "event_id": brk.event_id},
                },
            )
    return report


def apply_retention(
    rt: AuditProcess, actor: Actor, *, days: int | None = None, dry_run: bool = False
) -> Run:
    return apply(
        rt.sessions,
        rt.action_log,
        days or rt.settings.audit.retention_days,
        actor,
        dry_run=dry_run,
    )


def dsa_statement_lines(
    rt: AuditProcess, filters: SearchFilters, actor: Actor, **logged: Any
) -> Generator[bytes, None, None]:
    """DSA statements of reasons as NDJSON (one batch of at most 100 a line), the export
    logged once the last line is out, or when it stops early (`completed` false: a partial
    hand-over is still a hand-over); `logged` adds to the event's `after` (e.g. via="ui")."""
    total, completed = 0, False
    try:
        for batch in dsa.statement_batches(log_reader(rt), filters):
            line = json.dumps({"statements": batch}, ensure_ascii=False).encode() + b"\n"
            total += len(batch)
            yield line
        completed = True
    finally:
        log_statements_taken(rt, filters, actor, total, completed=completed, **logged)


def log_statements_taken(
    rt: AuditProcess,
    filters: SearchFilters,
    actor: Actor,
    total: int,
    *,
    completed: bool,
    **logged: Any,
) -> None:
    """`log.dsa_statements_exported`: who took `total` statements of reasons out, for what, and
    whether that was all of them (`completed`)."""
    with transaction(rt.sessions) as session:
        record(
            session,
            Action.DSA_STATEMENTS_EXPORTED,
            actor,
            Subject(),
            reason=f"{total} statements of reasons",
            after={
                "filters": filters.described(),
                "statements": total,
                "completed": completed,
                **logged,
            },
        )


def record_search(
    session: Session,
    filters: SearchFilters,
    actor: Actor,
    total: int,
    *,
    request_id: str | None = None,
    **logged: Any,
) -> None:
    """`log.searched`: who searched the log, for what, how many events matched; `logged` adds
    to the event's `after` (e.g. via="cli")."""
    record(
        session,
        Action.LOG_SEARCHED,
        actor,
        Subject(post_id=filters.post_id, case_id=filters.case_id, incident_id=filters.incident_id),
        after={"filters": filters.described(), "total": total, **logged},
        request_id=request_id,
    )
