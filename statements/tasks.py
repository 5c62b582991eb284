"""Statement task bodies: deliver published statements to their channels (periodic; each
delivery retries with its own backoff, see `statements/delivery.py`)."""

from __future__ import annotations

from core.outbound import policy_from
from core.process import Process
from core.tasks import task
from statements.config import statement_settings_for
from statements.delivery import deliver_pending, sender_from


@task("statements.deliver_pending", every=30.0)
def deliver_statements(rt: Process) -> dict[str, int]:
    settings = statement_settings_for(rt.settings)  # links in payloads: PUBLIC__BASE_URL
    sender = sender_from(settings, outbound=policy_from(rt.settings))
    if sender is None:
        return {}
    try:
        return deliver_pending(rt.sessions, sender, settings)
    finally:
        sender.close()
