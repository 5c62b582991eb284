"""Rendering a report as a standalone HTML page (charts embedded as PNG) and as a designed PDF
(`incidents.report_pdf`). Both show leadership's sign-off, or that it is awaited."""

from __future__ import annotations

import base64
import html
from datetime import datetime
from typing import Any

from incidents.report import Report
from incidents.report_charts import duration_text, png, reach_chart, response_chart
from incidents.report_pdf import SignOff, render_pdf
from incidents.report_steps import time_from

__all__ = ["SignOff", "render_html", "render_pdf"]

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;color:#1f2937;max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{margin:.2rem 0 1rem}h2{color:#1d4ed8;border-bottom:1px solid #d1d5db;padding-bottom:.2rem}
.kicker{color:#1d4ed8;font-size:.8rem;letter-spacing:.05em;text-transform:uppercase}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.3rem .5rem;
border-bottom:1px solid #e5e7eb;vertical-align:top}thead th{background:#1d4ed8;color:#fff}
.facts{background:#eef2ff}.signoff{border:2px solid #b45309;padding:.5rem .8rem}
.signoff.done{border-color:#047857}img{max-width:100%}
"""


def _png_src(fig: Any) -> str:
    return "data:image/png;base64," + base64.b64encode(png(fig)).decode()


def _fmt(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return "-" if value is None else str(value)


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_fmt(v))}</td></tr>" for k, v in pairs
    )


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _items(items: list[str], empty: str) -> str:
    return "".join(f"<li>{html.escape(x)}</li>" for x in items) or f"<li>{empty}</li>"


def _signoff(signoff: SignOff | None) -> str:
    if signoff is None:
        return '<p class="signoff"><b>Leadership sign-off:</b> awaiting review.</p>'
    comment = f"<br>{html.escape(signoff.comment)}" if signoff.comment else ""
    return (
        f'<p class="signoff done"><b>Signed off</b> by {html.escape(signoff.by)} on '
        f"{_fmt(signoff.at)}{comment}</p>"
    )


def render_html(
    report: Report, title: str = "Post-incident report", signoff: SignOff | None = None
) -> str:
    inc = report.incident
    facts = _rows(
        [
            ("Incident", f"{inc['title']} ({inc['id']})"),
            ("Type", inc.get("type", "misinformation")),
            ("Grade", inc["grade_name"]),
            ("Status", inc["status"]),
            ("Drill", "yes" if inc["is_drill"] else "no"),
            ("Posts / reach", f"{inc['posts']} / {inc['reach']}"),
            ("Regions", ", ".join(inc["regions"]) or "-"),
        ]
    )
    times = _table(
        ["Plan step", time_from(str(inc.get("type", "misinformation")))],
        [[label, duration_text(report.durations_s[k])] for k, label in report.steps.items()],
    )
    quality = _rows(
        [
            *((k.capitalize(), v) for k, v in report.volumes.items()),
            ("Review SLA attainment", report.sla["attainment"]),
            ("Cases decided / within SLA", f"{report.sla['decided']} / {report.sla['within_sla']}"),
            ("Reviewer agreement", report.agreement["rate"]),
            ("Second reviews", report.agreement["second_reviews"]),
        ]
    )
    deadlines = _table(
        ["Clock", "Status", "Due", "Resolved"],
        [[d["name"], d["status"], d["due_at"], d["resolved_at"]] for d in report.deadlines],
    )
    timeline = _table(
        ["Time (UTC)", "Event", "By", "Detail"],
        [[e["at"], e["action"], e["actor"], e.get("detail", "")] for e in report.timeline],
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_CSS}</style></head><body>
<div class="kicker">{html.escape(title)} · incident {html.escape(inc["id"])}</div>
<h1>{html.escape(inc["title"])}</h1>
<table class="facts">{facts}</table>
{_signoff(signoff)}
<h2>1. Response against the plan</h2>{times}
<img alt="response times" src="{_png_src(response_chart(report))}">
<h2>2. Reach</h2><img alt="reach over time" src="{_png_src(reach_chart(report))}">
<h2>3. Volumes and review quality</h2><table>{quality}</table>
<h2>4. Deadlines</h2>{deadlines}
<h2>5. Deviations from the plan</h2><ul>{_items(report.deviations, "none")}</ul>
<h2>6. Lessons</h2><ol>{_items(report.lessons, "none recorded yet")}</ol>
<h2>7. Timeline</h2>{timeline}
</body></html>"""
