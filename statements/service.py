"""The statement workflow: draft → edit → approve (+ legal when severe) → publish → correct or
withdraw. Every version is kept; every step is logged in the same transaction."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.clock import utcnow
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.messages import Msg
from core.outbound import OutboundPolicy
from statements import hooks, repository
from statements.checks import CheckReport, check_draft
from statements.evidence import STRICT, Evidence, checked_sources, gather, post_language
from statements.generators import DraftBrief, Generator
from statements.models import Statement, StatementStatus, StatementVersion
from statements.publishers import Publisher
from statements.schemas import SEVERE, DraftIn, EditIn

# Drafts opened by the system (after a removal, on an incident's activation) are written by a
# machine: the two-person rule counts their author as nobody, so a person must check and save
# such a version (edited or not) before a second person approves it.
MACHINE_AUTHOR = "system:"


def machine_written(author: str) -> bool:
    return author.startswith(MACHINE_AUTHOR)


def draft(
    session: Session,
    draft_in: DraftIn,
    actor: Actor,
    generator: Generator,
    *,
    platform: str,
    reason: str | None = None,
    outbound: OutboundPolicy = STRICT,
) -> Statement:
    """`outbound`: the gate the sources and URL facts pass (the configured one, with its
    allow-list; by default none is allowed)."""
    evidence = gather(
        session,
        claim_id=draft_in.claim_id,
        case_id=draft_in.case_id,
        facts=draft_in.facts,
        extra_sources=[str(u) for u in draft_in.sources],
        outbound=outbound,
    )
    claim = evidence.claim
    if draft_in.kind == "counter_statement" and claim and not evidence.false_claim:
        raise Invalid(
            Msg(
                "claim is rated '{verdict}': a counter-statement answers a false or misleading claim",
                verdict=claim["verdict"],
            ),
            code="claim_not_false",
        )
    language = draft_in.language or post_language(session, draft_in.case_id)
    brief = DraftBrief(draft_in.kind.value, draft_in.channel, evidence, platform, language)
    text = generator.generate(brief)
    statement = Statement(
        kind=draft_in.kind.value,
        channel=draft_in.channel,
        status=StatementStatus.DRAFT,
        title=text.title[:300],
        body=text.body,
        claim_id=evidence.claim["id"] if evidence.claim else None,
        case_id=draft_in.case_id,
        incident_id=draft_in.incident_id,
        incident_severity=draft_in.incident_severity,
        requires_legal=draft_in.legal_review or draft_in.incident_severity in SEVERE,
        created_by=actor.name,
        version=1,
        sources=evidence.sources,
        evidence=evidence.as_dict(),
        generator=generator.name,
    )
    session.add(statement)
    session.flush()
    _add_version(session, statement, actor, note="drafted")
    report = checks_for(statement)
    record(
        session,
        Action.STATEMENT_DRAFTED,
        actor,
        _subject(statement),
        reason=reason,
        after={
            "kind": statement.kind,
            "channel": statement.channel,
            "generator": statement.generator,
            "sources": statement.sources,
            "checks_passed": report.passed,
            "requires_legal": statement.requires_legal,
        },
    )
    return statement


def edit(
    session: Session,
    statement_id: str,
    edit_in: EditIn,
    actor: Actor,
    *,
    outbound: OutboundPolicy = STRICT,
) -> Statement:
    """A new version; approvals given to an earlier version no longer count. New sources pass
    the outbound gate as a draft's do."""
    sources = None if edit_in.sources is None else [str(u) for u in edit_in.sources]
    if sources is not None:
        checked_sources(sources, outbound)
    statement = get(session, statement_id, for_update=True)
    if statement.status == StatementStatus.WITHDRAWN:
        raise Conflict(Msg("a withdrawn statement cannot be edited"), code="withdrawn")
    _as_read(statement, edit_in.base_version)
    correcting = statement.published_version is not None
    before = {"version": statement.version, "status": statement.status}
    statement.title = edit_in.title
    statement.body = edit_in.body
    if sources is not None:
        statement.sources = sources
    statement.version += 1
    statement.status = StatementStatus.DRAFT
    statement.approved_by = statement.legal_approved_by = None
    statement.approved_version = statement.legal_approved_version = None
    _add_version(session, statement, actor, note=edit_in.note)
    record(
        session,
        Action.STATEMENT_CORRECTED if correcting else Action.STATEMENT_EDITED,
        actor,
        _subject(statement),
        reason=edit_in.note or None,
        before=before,
        after={"version": statement.version, "checks_passed": checks_for(statement).passed},
    )
    return statement


def approve(
    session: Session, statement_id: str, actor: Actor, *, version: int | None = None
) -> Statement:
    """`version`: the one the approver read (the API and the PR page always say); None only
    for a caller that has just read the statement itself in this transaction."""
    return _sign_off(session, statement_id, actor, version, legal=False)


def legal_approve(
    session: Session, statement_id: str, actor: Actor, *, version: int | None = None
) -> Statement:
    return _sign_off(session, statement_id, actor, version, legal=True)


def _sign_off(
    session: Session, statement_id: str, actor: Actor, version: int | None, *, legal: bool
) -> Statement:
    """The approver's (or legal's) sign-off on the current version; signing twice changes nothing."""
    statement = _approvable(session, statement_id, actor, version)
    signed = statement.legal_approved_version if legal else statement.approved_version
    if signed == statement.version:
        return statement
    if legal:
        statement.legal_approved_by = actor.name
        statement.legal_approved_version = statement.version
    else:
        statement.approved_by = actor.name
        statement.approved_version = statement.version
    _maybe_approved(statement)
    record(
        session,
        Action.STATEMENT_LEGAL_APPROVED if legal else Action.STATEMENT_APPROVED,
        actor,
        _subject(statement),
        after={"version": statement.version, "status": statement.status},
    )
    return statement


def publish(
    session: Session, statement_id: str, actor: Actor, publishers: Sequence[Publisher]
) -> Statement:
    """Idempotent: publishing the version already out changes nothing."""
    statement = get(session, statement_id, for_update=True)
    if (
        statement.status == StatementStatus.PUBLISHED
        and statement.published_version == statement.version
    ):
        return statement
    if statement.status != StatementStatus.APPROVED or not _signed_off(statement):
        missing = (
            "legal approval" if statement.approved_version == statement.version else "approval"
        )
        raise Conflict(
            Msg(
                "statement is {status}; it needs {missing} of version {version} before publishing",
                status=statement.status,
                missing=missing,
                version=statement.version,
            ),
            code="not_approved",
        )
    report = checks_for(statement)
    if not report.passed:  # approval checked this; a guard against a changed rule set
        raise Invalid(_failure_text(report), code="checks_failed")
    before = {"status": statement.status, "published_version": statement.published_version}
    statement.status = StatementStatus.PUBLISHED
    statement.published_version = statement.version
    statement.published_at = utcnow()
    statement.first_published_at = statement.first_published_at or statement.published_at
    for publisher in publishers:
        publisher.publish(session, statement, actor)
    after = {
        "version": statement.version,
        "channels": [p.channel for p in publishers],
        "approved_by": statement.approved_by,
        "legal_approved_by": statement.legal_approved_by,
    }
    record(
        session, Action.STATEMENT_PUBLISHED, actor, _subject(statement), before=before, after=after
    )
    hooks.published(session, statement)  # incidents stop the statement clock now
    return statement


def withdraw(
    session: Session,
    statement_id: str,
    reason: str,
    actor: Actor,
    publishers: Sequence[Publisher],
) -> Statement:
    statement = get(session, statement_id, for_update=True)
    if statement.status == StatementStatus.WITHDRAWN:
        return statement
    if statement.published_version is None:
        raise Conflict(Msg("only a published statement can be withdrawn"), code="not_published")
    before = {"status": statement.status}
    statement.status = StatementStatus.WITHDRAWN
    statement.withdrawn_at = utcnow()
    statement.withdrawn_reason = reason
    for publisher in publishers:
        publisher.withdraw(session, statement, actor)
    record(
        session,
        Action.STATEMENT_WITHDRAWN,
        actor,
        _subject(statement),
        reason=reason,
        before=before,
        after={"status": statement.status, "channels": [p.channel for p in publishers]},
    )
    return statement


def get(session: Session, statement_id: str, *, for_update: bool = False) -> Statement:
    """The statement; `for_update` locks its row until the transaction ends (edits, sign-offs
    and publishing of one statement then take turns) and re-reads it, so a copy this session
    loaded earlier is not acted on stale."""
    found = session.get(
        Statement, statement_id, with_for_update=for_update, populate_existing=for_update
    )
    if found is None:
        raise NotFound(Msg("no statement '{statement_id}'", statement_id=statement_id))
    return found


def versions(session: Session, statement_id: str) -> list[StatementVersion]:
    get(session, statement_id)
    return repository.versions_in_order(session, statement_id)


def version(session: Session, statement_id: str, number: int) -> StatementVersion:
    found = repository.version_numbered(session, statement_id, number)
    if found is None:
        raise NotFound(
            Msg(
                "statement '{statement_id}' has no version {number}",
                statement_id=statement_id,
                number=number,
            )
        )
    return found


def diff(session: Session, statement_id: str, old: int, new: int) -> str:
    a, b = version(session, statement_id, old), version(session, statement_id, new)
    return "".join(
        difflib.unified_diff(
            f"{a.title}\n\n{a.body}\n".splitlines(keepends=True),
            f"{b.title}\n\n{b.body}\n".splitlines(keepends=True),
            fromfile=f"version {old}",
            tofile=f"version {new}",
        )
    )


def checks_for(statement: Statement) -> CheckReport:
    evidence = Evidence(claim=statement.evidence.get("claim"))  # type: ignore[arg-type]
    return check_draft(
        statement.title,
        statement.body,
        channel=statement.channel,
        sources=list(statement.sources),
        false_claim=evidence.false_claim,
    )


def _approvable(
    session: Session, statement_id: str, actor: Actor, version: int | None
) -> Statement:
    statement = get(session, statement_id, for_update=True)
    if version is not None:
        _as_read(statement, version)
    if statement.status not in {StatementStatus.DRAFT, StatementStatus.APPROVED}:
        raise Conflict(
            Msg("statement is {status}; nothing to approve", status=statement.status),
            code="not_draft",
        )
    latest = _latest_editor(session, statement)
    if machine_written(latest):
        raise Conflict(
            Msg(
                "this version was drafted automatically: a person must check and save it first "
                "(Save new version, edited or not), then someone else approves it"
            ),
            code="unreviewed_draft",
        )
    authors = {statement.created_by, latest}
    if actor.name in authors:
        raise Forbidden(
            Msg("approval needs a second person: you drafted or last edited this statement"),
            code="own_draft",
        )
    report = checks_for(statement)
    if not report.passed:
        raise Invalid(_failure_text(report), code="checks_failed")
    return statement


def _as_read(statement: Statement, seen: int) -> None:
    """Refuse a change made on a version that is no longer the current one."""
    if seen != statement.version:
        raise Conflict(
            Msg(
                "this statement changed since you opened it (now version {version}); "
                "read the new version, then try again",
                version=statement.version,
            ),
            code="stale_version",
        )


def _signed_off(statement: Statement) -> bool:
    """The current version carries every approval it needs (legal's too, when required)."""
    approved = statement.approved_version == statement.version
    legal_ok = not statement.requires_legal or statement.legal_approved_version == statement.version
    return approved and legal_ok


def _maybe_approved(statement: Statement) -> None:
    statement.status = StatementStatus.APPROVED if _signed_off(statement) else StatementStatus.DRAFT


def _latest_editor(session: Session, statement: Statement) -> str:
    return version(session, statement.id, statement.version).edited_by


def _add_version(session: Session, statement: Statement, actor: Actor, *, note: str) -> None:
    session.add(
        StatementVersion(
            statement_id=statement.id,
            number=statement.version,
            title=statement.title,
            body=statement.body,
            sources=list(statement.sources),
            edited_by=actor.name,
            note=note,
        )
    )
    session.flush()


def _subject(statement: Statement) -> Subject:
    return Subject(
        statement_id=statement.id,
        case_id=statement.case_id,
        incident_id=statement.incident_id,
        claim_id=statement.claim_id,
    )


def _failure_text(report: CheckReport) -> str:
    failures = "; ".join(f.message for f in report.failures)
    return Msg("draft fails its checks: {failures}", failures=failures)
