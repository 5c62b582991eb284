"""The periodic incident job as a plain function: detect, sync milestones from the log, check
clocks, deliver notifications (webhook, Slack, e-mail through `SMTP__*`).

Run it from one place at a time (`veracity incidents scan --every N`, or the periodic task
`incidents.scan`, exclusive across workers): the scan cursor and the unique (key, post) index
make a repeated or overlapping run harmless, but not faster.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import httpx

from core.db import transaction
from core.outbound import gated_client, policy_from
from core.process import Process
from core.tasks import task
from incidents.channels import mailer_from
from incidents.clocks import check_overdue
from incidents.detection import ClaimLookup, library_lookup, scan
from incidents.narratives import TextEmbedder
from incidents.notify import deliver_pending
from incidents.sync import sync_milestones


@dataclass(frozen=True)
class RoundResult:
    scanned: int
    clocks_missed: int
    notifications_sent: int


def run_round(
    rt: Process,
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


class IncidentWatch:
    """Incident detection for this process, its claim lookup rebuilt now and then.

    Building the lookup embeds the claim library, so it is cached and refreshed every
    `refresh_seconds` to pick up newly added claims.
    """

    def __init__(self, refresh_seconds: float = 600.0) -> None:
        self.refresh_seconds = refresh_seconds
        self._lookup: ClaimLookup | None = None
        self._built_at = float("-inf")
        self._lock = threading.Lock()

    def lookup(self, rt: Process) -> ClaimLookup | None:
        with self._lock:
            if time.monotonic() - self._built_at > self.refresh_seconds:
                from claims.index_select import make_index
                from claims.matching.model import default_parts

                parts = default_parts()
                with rt.sessions() as session:
                    index = make_index(rt.settings, parts.embedder.dimensions)
                    self._lookup = library_lookup(session, parts, index)
                self._built_at = time.monotonic()
            return self._lookup

    def __call__(self, rt: Process) -> RoundResult:
        from claims.matching.model import default_parts

        lookup = self.lookup(rt)  # loads the matcher's encoder, which also groups narratives
        with gated_client(policy_from(rt.settings), timeout=10) as client:
            return run_round(rt, lookup, client, default_parts().embedder.embed)


_WATCH = IncidentWatch()


@task("incidents.scan", every=15.0, exclusive=True)  # the scan cursor expects one scanner
def incident_round(rt: Process) -> RoundResult:
    return _WATCH(rt)
