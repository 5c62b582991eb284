"""The incident forms' fields turned into the API's own shapes, so the UI and `/v1/incidents`
refuse the same things with the same reasons."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from incidents.response import Report
from incidents.schemas import ReportIn
from review_ui.form_errors import field_problem, joined

FLAGS = ("personal_data", "ongoing", "regulator")
NUMBERS = ("affected_users", "records", "reach")


def _listed(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _number(text: str) -> int | str:
    cleaned = text.replace(",", "").replace("_", "").strip()
    return int(cleaned) if cleaned.isdigit() else (cleaned or 0)


def report_from(form: dict[str, str]) -> Report:
    """A report from the form (raises ValidationError with each field's reason)."""
    when = form.get("when", "").strip()
    body: dict[str, Any] = {
        "type": form.get("type", ""),
        "title": form.get("title", ""),
        "what": form.get("what", ""),
        "where": form.get("where", ""),
        "when": f"{when}:00+00:00" if len(when) == 16 else (when or None),  # datetime-local, UTC
        "scope": {
            **{name: _number(form.get(name, "")) for name in NUMBERS},
            "regions": _listed(form.get("regions", "")),
            "services": _listed(form.get("services", "")),
            **{name: form.get(name) == "on" for name in FLAGS},
        },
    }
    # Drills run through `veracity drill`, never through this form.
    return Report.from_input(ReportIn.model_validate(body), is_drill=False)


def reasons(error: ValidationError) -> str:
    """Each refused field with its reason, on one line."""
    return joined(field_problem(item, drop=("body", "scope")) for item in error.errors())
