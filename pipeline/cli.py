"""`veracity export-labels`: reviewer (and machine) verdicts as JSONL for retraining."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from core.errors import Invalid
from core.messages import Msg
from core.process import Process
from core.user_files import output_file, writing
from pipeline import triage_rates
from pipeline.labels import SOURCES, export_labels


def run_export(rt: Process, args: argparse.Namespace) -> int:
    since = _aware(args.since) if args.since else None
    out = output_file(Path(args.out))
    with writing(out), rt.sessions() as session:
        written = export_labels(
            session,
            out,
            source=args.source,
            since=since,
            include_drills=args.include_drills,
        )
    print(f"wrote {written} labelled examples to {args.out}")
    return 0


def _aware(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise Invalid(
            Msg(
                "--since must be an ISO time with a timezone, e.g. 2026-11-01T00:00:00+00:00, "
                "not '{value}'",
                value=text,
            )
        )
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    triage_rates.register(sub)
    p = sub.add_parser("export-labels", help="export verdicts as labelled examples (JSONL)")
    p.add_argument("--out", required=True, help="the JSONL file to write")
    p.add_argument("--source", choices=SOURCES, default="human")
    p.add_argument("--since", help="only verdicts from this ISO time on")
    p.add_argument(
        "--include-drills", action="store_true", help="also drill posts (left out by default)"
    )
    p.set_defaults(handler=run_export)
