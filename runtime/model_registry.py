"""Imports every domain's models so Alembic and `create_all` see all tables.

The app wiring (runtime/) is the layer that may name every domain; migrations read this.
"""

from __future__ import annotations

import accounts.models
import accounts.session_models
import audit.models
import claims.models  # noqa: F401 - the claim library (claims/, statements/)
import incidents.material_models  # report reviews, attachments, policies
import incidents.models  # incidents, clocks, response plan
import incidents.narrative_store  # noqa: F401 - narrative embedding centroids
import pipeline.console_models  # reviewer settings, note drafts, QA samples
import pipeline.models
import statements.models
import webhooks.models  # noqa: F401 - webhook subscriptions and deliveries

__all__ = ["accounts", "audit", "pipeline", "statements"]
