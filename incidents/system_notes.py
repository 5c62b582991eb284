"""What the incidents domain writes, on its own, as an event's reason or a milestone's note.

The log keeps the English, as it keeps every reason. Each note is a `Msg` template here, so
the incident pages can read a stored note back into its template and fields and show it in
the reader's language (`review_ui/incidents/detail.py`).
"""

from __future__ import annotations

from core.actors import Actor
from core.messages import Msg

SYSTEM = Actor.system("incidents")

SURGE = Msg("incident surge")
FROM_LOG = Msg("from log")
PUBLISHED = Msg("statement {statement_id} published")
SELF_ACTIVATED = Msg("grade {grade}: activates without a decision under the plan")
NOTES = (SURGE, FROM_LOG, PUBLISHED, SELF_ACTIVATED)
