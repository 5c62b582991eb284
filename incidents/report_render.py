"""Rendering a report as a standalone HTML page (charts embedded as PNG) and as a designed PDF
(`incidents.report_pdf`). Both show leadership's sign-off, or that it is awaited."""

from __future__ import annotations

import base64
import html
from datetime import datetime
from typing import Any

from core.messages import Msg
from incidents.report import Report
from incidents.report_charts import png, reach_chart, response_chart
from incidents.report_pdf import (
    Gettext,
    SignOff,
    coded,
    duration,
    english,
    facts,
    headings,
    render_pdf,
    rendered,
    volumes,
)
from incidents.report_steps import time_from

__all__ = ["SignOff", "english", "render_html", "render_pdf"]

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


def _signoff(signoff: SignOff | None, tr: Gettext) -> str:
    if signoff is None:
        label, rest = Msg("Leadership sign-off:"), Msg("awaiting review.")
        return f'<p class="signoff"><b>{_t(label, tr)}</b> {_t(rest, tr)}</p>'
    comment = f"<br>{html.escape(signoff.comment)}" if signoff.comment else ""
    by = Msg("by {by} on {at}", by=signoff.by, at=_fmt(signoff.at))
    return f'<p class="signoff done"><b>{_t(Msg("Signed off"), tr)}</b> {_t(by, tr)}{comment}</p>'


def _t(message: Msg, tr: Gettext) -> str:
    """A message in the reader's language, escaped for HTML."""
    return html.escape(message.render(tr))


def render_html(
    report: Report,
    title: str = Msg("Post-incident report"),
    signoff: SignOff | None = None,
    *,
    gettext: Gettext = english,
    lang: str = "en",
) -> str:
    """The report as a standalone page; `gettext` (a reader's catalogue) and `lang` (its BCP 47
    tag) give it in the reader's language."""
    tr, title = gettext, gettext(title)
    inc = report.incident
    head = _rows(
        [
            (Msg("Incident").render(tr), f"{inc['title']} ({inc['id']})"),
            *facts(tr, report),
            (Msg("Posts / reach").render(tr), f"{inc['posts']} / {inc['reach']}"),
            (Msg("Regions").render(tr), ", ".join(inc["regions"]) or "-"),
        ]
    )
    times = _table(
        [Msg("Plan step").render(tr), tr(time_from(str(inc.get("type", "misinformation"))))],
        [[tr(label), duration(tr, report.durations_s[k])] for k, label in report.steps.items()],
    )
    quality = _rows([(str(name), value) for name, value in volumes(tr, report)])
    deadlines = _table(
        headings(tr, Msg("Clock"), Msg("Status"), Msg("Due"), Msg("Resolved")),
        [
            [coded(tr, d["name"], d["name"]), coded(tr, d["status"]), d["due_at"], d["resolved_at"]]
            for d in report.deadlines
        ],
    )
    timeline = _table(
        headings(tr, Msg("Time (UTC)"), Msg("Event"), Msg("By"), Msg("Detail")),
        [
            [e["at"], coded(tr, e["action"]), e["actor"], rendered(tr, e.get("detail", ""))]
            for e in report.timeline
        ],
    )
    kicker = Msg("{title} · incident {id}", title=title, id=inc["id"])
    said = {
        key: _t(message, tr)
        for key, message in {
            "plan": Msg("Response against the plan"),
            "times": Msg("response times"),
            "reach": Msg("Reach"),
            "over_time": Msg("reach over time"),
            "quality": Msg("Volumes and review quality"),
            "deadlines": Msg("Deadlines"),
            "deviations": Msg("Deviations from the plan"),
            "lessons": Msg("Lessons"),
            "timeline": Msg("Timeline"),
        }.items()
    }
    no_deviation, no_lesson = _t(Msg("none"), tr), _t(Msg("none recorded yet"), tr)
    deviations = [rendered(tr, d) for d in report.deviations]
    charted = None if tr is english else tr  # English charts as they always were
    return f"""<!doctype html>
<html lang="{html.escape(lang)}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_CSS}</style></head><body>
<div class="kicker">{_t(kicker, tr)}</div>
<h1>{html.escape(inc["title"])}</h1>
<table class="facts">{head}</table>
{_signoff(signoff, tr)}
<h2>1. {said["plan"]}</h2>{times}
<img alt="{said["times"]}" src="{_png_src(response_chart(report, charted))}">
<h2>2. {said["reach"]}</h2><img alt="{said["over_time"]}" src="{_png_src(reach_chart(report, charted))}">
<h2>3. {said["quality"]}</h2><table>{quality}</table>
<h2>4. {said["deadlines"]}</h2>{deadlines}
<h2>5. {said["deviations"]}</h2><ul>{_items(deviations, no_deviation)}</ul>
<h2>6. {said["lessons"]}</h2><ol>{_items(report.lessons, no_lesson)}</ol>
<h2>7. {said["timeline"]}</h2>{timeline}
</body></html>"""
