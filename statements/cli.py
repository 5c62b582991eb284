"""`veracity statements deliver`: retry statement deliveries still pending (run it on a timer)."""

from __future__ import annotations

import argparse

from core.outbound import OutboundRefused, policy_from
from core.process import Process
from statements.config import check_outbound, statement_settings_for
from statements.delivery import deliver_pending, sender_from


def statements_deliver(rt: Process, _: argparse.Namespace) -> int:
    settings, outbound = statement_settings_for(rt.settings), policy_from(rt.settings)
    try:
        check_outbound(settings, outbound)
    except OutboundRefused as exc:
        print(exc.message)
        return 2
    sender = sender_from(settings, outbound=outbound)
    if sender is None:
        print("STATEMENTS__WEBHOOK_URL is not set: nothing to deliver to")
        return 0
    counts = deliver_pending(rt.sessions, sender, settings)
    sender.close()
    print("statement deliveries: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "none"))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    statements = sub.add_parser("statements", help="public statements")
    statements_sub = statements.add_subparsers(dest="action", required=True)
    deliver = statements_sub.add_parser("deliver", help="retry pending webhook deliveries")
    deliver.set_defaults(handler=statements_deliver)
