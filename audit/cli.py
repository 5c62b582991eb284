"""`veracity audit verify|export|search|retention|hold|dsa`: the action log for legal."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError
from tqdm import tqdm  # type: ignore[import-untyped]

from audit import anchors, dsa
from audit.events import Action, action_named
from audit.export import Export
from audit.holds import HoldSubject, active_holds, release_hold, set_hold
from audit.operations import (
    apply_retention,
    log_reader,
    log_statements_taken,
    outbox_lag,
    record_search,
    verify,
)
from audit.process import AuditProcess
from audit.retention import MAX_RETENTION_DAYS
from audit.schemas import MAX_PAGE, ExportFormat, SearchFilters
from core.actors import Actor, ActorType
from core.cli_args import int_in
from core.db import transaction
from core.errors import DomainError
from core.user_files import output_file


def _operator(args: argparse.Namespace) -> Actor:
    return Actor(name=f"cli:{args.operator}", type=ActorType.HUMAN, roles=("admin",))


def _time(text: str | None, option: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{option} must be an ISO time with a timezone, e.g. 2026-01-01T00:00:00Z, not {text!r}"
        ) from None


def _action(text: str) -> Action:
    try:
        return action_named(text)
    except ValueError as exc:
        raise ValueError(f"--action {exc}") from None


def _filters(args: argparse.Namespace) -> SearchFilters:
    try:
        return SearchFilters(
            since=_time(args.since, "--since"),
            until=_time(args.until, "--until"),
            post_id=args.post,
            case_id=args.case,
            incident_id=args.incident,
            actor=args.actor,
            actions=tuple(_action(a) for a in args.action or ()),
            policy_version=args.policy,
            text=args.text,
            include_drills=args.include_drills,
        )
    except ValidationError as exc:  # a ValueError too, but pydantic's text runs to lines
        raise ValueError(f"bad search filter: {exc.errors()[0]['msg']}") from exc


@contextmanager
def _writing(path: Path | str) -> Iterator[None]:
    """A path the operator named that cannot be written: one line naming it and the reason."""
    try:
        yield
    except OSError as exc:
        raise ValueError(f"cannot write {path}: {exc.strerror or exc}") from exc


def run_anchor(rt: AuditProcess, args: argparse.Namespace) -> int:
    anchor = anchors.issue(rt, _operator(args))
    text = json.dumps(anchor, indent=2) + "\n"
    if args.out:
        with _writing(args.out):
            Path(args.out).write_text(text, encoding="utf-8")
        print(f"anchor of seq {anchor['seq']} written to {args.out}; keep it outside the system")
    else:
        print(text, end="")
    return 0


def _check_anchors(rt: AuditProcess, paths: list[str]) -> bool:
    intact = True
    for path in paths:
        try:
            anchor = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: not a readable anchor ({exc})") from exc
        result = anchors.check(rt, log_reader(rt), anchor if isinstance(anchor, dict) else {})
        print(f"anchor {path}: {'ok' if result.ok else 'FAILED'}: {result.detail}")
        intact = intact and result.ok
    return intact


def run_verify(rt: AuditProcess, args: argparse.Namespace) -> int:
    anchored = _check_anchors(rt, args.anchor or [])
    report = verify(rt, _operator(args))
    print(
        f"checked {report.checked} events in {report.source} (through seq {report.last_seq}); "
        f"{report.lawfully_deleted} removed lawfully by retention"
    )
    for note in report.notes:
        print(f"note: {note}")
    brk = report.first_break
    if brk is None and anchored:
        print("chain intact")
        return 0
    if brk is not None:
        print(f"BREAK ({brk.kind.value}) at seq {brk.seq} id {brk.event_id}: {brk.detail}")
    return 1


def run_export(rt: AuditProcess, args: argparse.Namespace) -> int:
    reader = log_reader(rt)
    filters = _filters(args)
    job = Export(
        reader,
        rt.sessions,
        filters,
        ExportFormat(args.format),
        _operator(args),
        page_size=rt.settings.audit.export_page_size,
    )
    # Both files are checked before the export starts (and logs itself): a manifest that
    # cannot be written must not cost a finished export its checksum.
    out = output_file(Path(args.out))
    manifest_path = output_file(out.with_name(out.name + ".manifest.json"))
    total = reader.count(filters)
    with _writing(args.out):
        fh = out.open("wb")
    with (
        fh,
        tqdm(total=total, unit="ev", disable=args.quiet, file=sys.stderr) as bar,
    ):
        seen = 0
        for chunk in job.chunks():
            fh.write(chunk)
            bar.update(job.count - seen)
            seen = job.count
    assert job.manifest is not None
    with _writing(manifest_path):
        manifest_path.write_text(job.manifest.model_dump_json(indent=2) + "\n")
    print(f"{job.manifest.count} events, sha256 {job.manifest.sha256}")
    print(f"wrote {out} and {manifest_path}")
    return 0


def run_search(rt: AuditProcess, args: argparse.Namespace) -> int:
    filters = _filters(args)
    page = log_reader(rt).search(filters, size=args.size, cursor=None)
    with transaction(rt.sessions) as session:
        record_search(session, filters, _operator(args), page.total, via="cli")
    print(f"{page.total} events match; newest {len(page.events)}:")
    for doc in page.events:
        v = doc["veracity"]
        print(
            f"{doc['@timestamp']}  {doc['event']['action']:<28} {doc['user']['name']:<24} "
            f"post={v.get('post_id') or '-'} {v.get('reason') or ''}"
        )
    return 0


def run_retention(rt: AuditProcess, args: argparse.Namespace) -> int:
    run = apply_retention(rt, _operator(args), days=args.days, dry_run=not args.apply)
    verb = "removed" if run.applied else "would remove"
    print(
        f"retention {run.retention_days} days (before {run.cutoff.isoformat()}): {verb} "
        f"{run.deleted} events in {len(run.ranges)} ranges; {run.held} kept under legal hold"
    )
    if not args.apply:
        print("dry run: pass --apply to delete")
    return 0


def _hold_request(args: argparse.Namespace) -> None:
    """Refuse a hold command that names only part of what it asks: setting a hold (--type or
    --reason) without the subject's id, or a subject and --release together."""
    if args.release is not None and args.subject_id is not None:
        raise ValueError("give either a SUBJECT_ID to hold or --release HOLD_ID, not both")
    if args.release is not None or args.subject_id is not None:
        return  # an empty id or reason: set_hold and release_hold refuse it themselves
    if args.type or args.reason is not None:
        option = f"--type {args.type}" if args.type else "--reason"
        raise ValueError(
            f"hold {option} needs the SUBJECT_ID to hold (veracity audit hold --type case "
            "CASE_ID --reason ...); with no arguments it lists the holds in force"
        )


def run_hold(rt: AuditProcess, args: argparse.Namespace) -> int:
    _hold_request(args)
    with transaction(rt.sessions) as session:
        if args.release is not None:
            hold = release_hold(session, args.release, args.reason or "", _operator(args))
            print(f"released hold {hold.id}")
        elif args.subject_id is not None:
            kind = HoldSubject(args.type or HoldSubject.CASE)
            hold = set_hold(session, kind, args.subject_id, args.reason or "", _operator(args))
            print(f"hold {hold.id} on {hold.subject_type} {hold.subject_id}")
        else:
            for hold in active_holds(session):
                print(f"{hold.id}  {hold.subject_type:<8} {hold.subject_id}  {hold.reason}")
    return 0


def run_dsa(rt: AuditProcess, args: argparse.Namespace) -> int:
    out = Path(args.out)
    with _writing(args.out):
        out.mkdir(parents=True, exist_ok=True)
    if next(out.glob("statements-*.json"), None) is not None:
        # Batches are numbered from 1: mixed with an earlier run's, nobody could tell them apart.
        raise ValueError(f"{out} already holds statements of reasons: name an empty folder")
    total, completed = 0, False
    filters = _filters(args)
    try:
        for number, batch in enumerate(dsa.statement_batches(log_reader(rt), filters), 1):
            path = out / f"statements-{number:05d}.json"
            path.write_text(json.dumps({"statements": batch}, ensure_ascii=False, indent=1))
            total += len(batch)
        completed = True
    finally:
        log_statements_taken(rt, filters, _operator(args), total, completed=completed, via="cli")
    print(f"{total} statements of reasons in batches of ≤{dsa.BATCH_LIMIT} under {out}")
    return 0


def run_lag(rt: AuditProcess, _: argparse.Namespace) -> int:
    lag = outbox_lag(rt)
    if lag is None:
        print(
            "the action log is kept in the database (no Elasticsearch configured): nothing is shipped"
        )
    else:
        print(f"unshipped {lag.unshipped}, oldest waiting {lag.oldest_age_seconds:.1f}s")
    return 0


Handler = Callable[[AuditProcess, argparse.Namespace], int]


def _guarded(handler: Handler) -> Handler:
    def run(rt: AuditProcess, args: argparse.Namespace) -> int:
        try:
            return handler(rt, args)
        except (DomainError, ValueError) as exc:
            print(f"veracity: {getattr(exc, 'message', exc)}", file=sys.stderr)
            return 2

    return run


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", help="ISO time with timezone, e.g. 2026-01-01T00:00:00Z")
    p.add_argument("--until")
    p.add_argument("--post")
    p.add_argument("--case")
    p.add_argument("--incident")
    p.add_argument("--actor")
    p.add_argument("--action", action="append", help="repeatable; e.g. case.decided")
    p.add_argument("--policy")
    p.add_argument("--text", help="full text of reasons and notes")
    p.add_argument("--include-drills", action="store_true")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser("audit", help="the legal action log: verify, search, export, retention")
    audit.add_argument("--operator", default="operator", help="who is running this (logged)")
    cmds = audit.add_subparsers(dest="audit_command", required=True)
    v = cmds.add_parser("verify", help="walk the hash chain, report the first break")
    v.add_argument("--anchor", action="append", help="an anchor file to check too (repeatable)")
    v.set_defaults(handler=_guarded(run_verify))
    a = cmds.add_parser("anchor", help="a signed statement of the chain's head, to keep outside")
    a.add_argument("--out", help="write it here (default: print it)")
    a.set_defaults(handler=_guarded(run_anchor))
    e = cmds.add_parser("export", help="stream matching events to a file with a manifest")
    e.add_argument("--format", choices=[f.value for f in ExportFormat], default="ndjson")
    e.add_argument("--out", required=True)
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_filters(e)
    e.set_defaults(handler=_guarded(run_export))
    s = cmds.add_parser("search", help="newest matching events")
    s.add_argument("--size", type=int_in(1, MAX_PAGE), default=20, help=f"1 to {MAX_PAGE}")
    _add_filters(s)
    s.set_defaults(handler=_guarded(run_search))
    r = cmds.add_parser("retention", help="delete events past retention, except held ones")
    r.add_argument(
        "--days",
        type=int_in(1, MAX_RETENTION_DAYS),
        help=f"1 to {MAX_RETENTION_DAYS}; default: AUDIT__RETENTION_DAYS",
    )
    r.add_argument("--apply", action="store_true", help="without it, only report")
    r.set_defaults(handler=_guarded(run_retention))
    h = cmds.add_parser("hold", help="list, set (--type, SUBJECT_ID) or --release legal holds")
    h.add_argument("subject_id", nargs="?")
    h.add_argument(
        "--type", choices=[t.value for t in HoldSubject], help="what SUBJECT_ID is (default: case)"
    )
    h.add_argument("--reason")
    h.add_argument("--release", metavar="HOLD_ID")
    h.set_defaults(handler=_guarded(run_hold))
    d = cmds.add_parser("dsa", help="DSA statements of reasons as JSON batches of ≤100")
    d.add_argument("--out", required=True, help="directory")
    _add_filters(d)
    d.set_defaults(handler=_guarded(run_dsa))
    cmds.add_parser("lag", help="how far Elasticsearch trails the outbox").set_defaults(
        handler=run_lag
    )
