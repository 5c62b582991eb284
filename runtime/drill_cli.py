"""`veracity drill`: a drill plays the whole chain (the API over HTTP, the pipeline, simulated
people), so it is wired here, above every domain."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

import httpx

from core.errors import Invalid
from core.outbound import gated_client, policy_from
from core.user_files import output_file, writing
from incidents.drill import read_posts, with_prefix
from incidents.types import IncidentType
from runtime.container import Runtime
from runtime.drill_run import run_chain_drill, run_drill
from runtime.inprocess import start_inprocess_pipeline


def drill(rt: Runtime, args: argparse.Namespace) -> int:
    output_file(args.report, make_folder=True, inputs=[args.input])  # not after the drill
    if args.input is None:
        return chain_drill(rt, args)
    if args.type not in (None, IncidentType.MISINFORMATION.value):
        raise Invalid("--input replays a misinformation wave; leave it out for --type " + args.type)
    if args.skip:  # it would be ignored, and the operator think the task was left undone
        raise Invalid(
            f"--skip leaves a task of --type's chain undone; a wave (--input) has no chain to "
            f"skip {', '.join(args.skip)} in"
        )
    posts = with_prefix(read_posts(args.input), args.id_prefix)
    if args.url is not None and not args.url.startswith(("http://", "https://")):
        raise Invalid(f"--url must be an http:// or https:// address, not '{args.url}'")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise here
    try:
        if args.url is None:
            start_inprocess_pipeline(rt)
        result, page = run_drill(
            rt,
            posts,
            args.rate,
            base_url=args.url,
            api_key=args.api_key,
            reviewers=not args.no_reviewers,
            statement=not args.no_statement,
        )
    except httpx.TransportError as exc:  # the API at --url is down or not there
        raise Invalid(f"cannot reach {args.url}: {exc}") from exc
    except KeyboardInterrupt:
        print(
            "veracity drill: interrupted (logged as drill.finished, outcome interrupted)",
            file=sys.stderr,
        )
        return 130
    with writing(args.report):
        args.report.write_text(page, encoding="utf-8")
    print(json.dumps(asdict(result), indent=2))
    print(f"drill report -> {args.report}")
    return 0


def chain_drill(rt: Runtime, args: argparse.Namespace) -> int:
    """Any type without a wave: the plan's chain by simulated people, scored (drill data only)."""
    if args.type is None:
        raise Invalid("give --type TYPE (the plan's chain) or --input POSTS.csv (a wave)")
    with gated_client(policy_from(rt.settings), timeout=10) as client:
        score, page = run_chain_drill(
            rt, IncidentType(args.type), skip=set(args.skip), client=client
        )
    with writing(args.report):
        args.report.write_text(page, encoding="utf-8")
    print(json.dumps(score.as_dict(), indent=2))
    print(f"drill report -> {args.report}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "drill", help="a drill: replay a labelled wave (--input) or play any type's chain (--type)"
    )
    p.add_argument("--input", type=Path, help="CSV: id,text,label[,views,...] (a wave)")
    p.add_argument(
        "--type",
        choices=[t.value for t in IncidentType],
        help="play the plan's chain for this incident type (report to close), scored",
    )
    p.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="TASK",
        help="with --type: leave this task kind undone (contain, user_notice, ...), repeatable",
    )
    p.add_argument(
        "--id-prefix",
        default="",
        metavar="PREFIX",
        help="put PREFIX before every post id of --input (to run a wave again as a new drill)",
    )
    p.add_argument("--rate", type=float, default=50.0, help="posts per second")
    p.add_argument("--url", help="a running veracity API (default: serve one in-process)")
    p.add_argument("--api-key", help="an API key with the 'drill' scope (default: make one)")
    p.add_argument("--no-reviewers", action="store_true", help="do not simulate reviewers")
    p.add_argument("--no-statement", action="store_true", help="do not simulate a statement")
    p.add_argument("--report", type=Path, default=Path("var/drill-report.html"))
    p.set_defaults(handler=drill)
