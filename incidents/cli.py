"""`veracity incidents scan`: detect incidents, check clocks, deliver notifications."""

from __future__ import annotations

import argparse
import math
import time

from core.errors import Invalid
from core.messages import Msg
from core.outbound import gated_client, policy_from
from core.process import Process
from incidents.detection import library_lookup
from incidents.tasks import run_round


def incidents_scan(rt: Process, args: argparse.Namespace) -> int:
    if not (args.every >= 0 and math.isfinite(args.every)):  # nan and inf slept, then crashed
        raise Invalid(
            Msg("--every must be 0 (once) or a number of seconds, not {every}", every=args.every)
        )
    lookup, embed = None, None
    if not args.no_claims:
        from claims.index_select import make_index
        from claims.matching.model import default_parts

        parts = default_parts()
        embed = parts.embedder.embed  # the same encoder groups paraphrased narratives
        with rt.sessions() as session:
            index = make_index(rt.settings, parts.embedder.dimensions)
            lookup = library_lookup(session, parts, index)
    with gated_client(policy_from(rt.settings), timeout=10) as client:
        while True:
            result = run_round(rt, lookup, client, embed)
            print(
                f"scanned {result.scanned} posts, {result.clocks_missed} clocks missed, "
                f"{result.notifications_sent} notifications sent"
            )
            if not args.every:
                return 0
            time.sleep(args.every)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    inc = sub.add_parser("incidents", help="incident detection jobs")
    inc_sub = inc.add_subparsers(dest="action", required=True)
    s = inc_sub.add_parser("scan", help="detect, check clocks, deliver notifications (once)")
    s.add_argument(
        "--no-claims",
        action="store_true",
        help="near-duplicate clustering only (no claim matcher, no embeddings)",
    )
    s.add_argument("--every", type=float, default=0, help="repeat every N seconds")
    s.set_defaults(handler=incidents_scan)
