"""Imports every domain's models, listeners and tasks: Alembic and `create_all` see all tables,
every process has the same reactions between domains (`pipeline.hooks`, `statements.hooks`)
and the same lookups for the layers below them (`audit.holds.subject_lookup`), and the runners
(`runtime/worker.py`, `runtime/inprocess.py`) see every task (`core.tasks`).

The app wiring (runtime/) is the layer that may name every domain; migrations and
`runtime.container` import this.
"""

from __future__ import annotations

import accounts.models
import accounts.session_models
import audit.models
import audit.tasks  # ship the outbox
import claims.models  # the claim library
import incidents.listeners  # a published statement stops a clock; narrative incidents
import incidents.material_models  # report reviews, attachments, policies
import incidents.models  # incidents, clocks, response plan
import incidents.narrative_store  # narrative embedding centroids
import incidents.tasks  # the scan
import pipeline.console_models  # reviewer settings, note drafts, QA samples
import pipeline.models
import pipeline.tasks  # route, enforce, sweep
import statements.listeners  # a removal of a false claim opens a counter-statement draft
import statements.models
import statements.tasks  # deliveries
import webhooks.hooks  # decisions and enforcement reach the platform
import webhooks.models  # subscriptions and deliveries
import webhooks.tasks  # deliver, sweep the due ones
from audit.holds import HoldSubject, subject_lookup
from incidents.repository.incidents import incident_by_id
from pipeline.repository.cases import case_by_id
from pipeline.repository.posts import post_by_id

# A legal hold must name a real case, incident or post (drill posts too); audit, below the
# domains that own them, asks through these.
subject_lookup(HoldSubject.CASE, case_by_id)
subject_lookup(HoldSubject.INCIDENT, incident_by_id)
subject_lookup(HoldSubject.POST, post_by_id)

__all__ = ["accounts", "audit", "claims", "incidents", "pipeline", "statements", "webhooks"]
