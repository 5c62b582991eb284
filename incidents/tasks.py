"""The periodic incident job as a plain function: detect, sync milestones from the log, check
clocks, deliver notifications (webhook, Slack, e-mail through `SMTP__*`).

Run it from one place at a time (`veracity incidents scan --every N`, or a scheduler): the
scan cursor and the unique (key, post) index make a repeated or overlapping run harmless,
but not faster.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from core.db import transaction
from incidents.channels import mailer_from
from incidents.clocks import check_overdue
from incidents.detection import ClaimLookup, scan
from incidents.narratives import TextEmbedder
from incidents.notify import deliver_pending
from incidents.sync import sync_milestones
from runtime.container import Runtime


@dataclass(frozen=True)
class RoundResult:
    scanned: int
    clocks_missed: int
    notifications_sent: int


def run_round(
    rt: Runtime,
    lookup: ClaimLookup | None,
    client: httpx.Client,
    embed: TextEmbedder | None = None,
) -> RoundResult:
    """`embed` (the claim matcher's encoder) groups paraphrases of one narrative."""
    scanned = 0
    while True:
        with transaction(rt.sessions) as session:
            read = scan(session, lookup, embed=embed)
        scanned += read
        if read == 0:
            break
    with transaction(rt.sessions) as session:
        sync_milestones(session)  # also when no post arrived (the scan syncs only after posts)
        missed = check_overdue(session)
    sent = deliver_pending(rt.sessions, client, mailer=mailer_from(rt.settings))
    return RoundResult(scanned, missed, sent)
