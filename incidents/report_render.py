"""Rendering a report as HTML (charts embedded as PNG) and as PDF (matplotlib PdfPages)."""

from __future__ import annotations

import base64
import html
import io
from datetime import datetime
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from incidents.report import PLAN, Report


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "not reached"
    minutes = seconds / 60
    return f"{minutes:.1f} min" if minutes < 120 else f"{minutes / 60:.1f} h"


def reach_chart(report: Report) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 3))
    if report.reach_series:
        xs = [(t - report.first_seen_at).total_seconds() / 60 for t, _ in report.reach_series]
        ax.step(xs, [r for _, r in report.reach_series], where="post")
    ax.set_xlabel("minutes since first post")
    ax.set_ylabel("cumulative reach")
    ax.set_title("Reach over time")
    fig.tight_layout()
    return fig


def response_chart(report: Report) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 2.6))
    labels = [PLAN[k] for k in PLAN]
    values = [(report.durations_s[k] or 0) / 60 for k in PLAN]
    ax.barh(labels, values, color=["#4c72b0" if report.durations_s[k] else "#ccc" for k in PLAN])
    ax.set_xlabel("minutes since first post")
    ax.set_title("Response times")
    fig.tight_layout()
    return fig


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in pairs
    )


def _fmt(value: Any) -> str:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else str(value)


def render_html(report: Report, title: str = "Post-incident report") -> str:
    inc = report.incident
    summary = _rows(
        [
            ("Incident", f"{inc['title']} ({inc['id']})"),
            ("Grade", f"{inc['grade_name']}"),
            ("Drill", "yes" if inc["is_drill"] else "no"),
            ("Posts / reach", f"{inc['posts']} / {inc['reach']}"),
            ("Regions", ", ".join(inc["regions"]) or "-"),
        ]
    )
    times = _rows([(PLAN[k], _duration(report.durations_s[k])) for k in PLAN])
    volumes = _rows(list(report.volumes.items()))
    quality = _rows(
        [
            ("SLA attainment", report.sla["attainment"]),
            ("Cases decided / within SLA", f"{report.sla['decided']} / {report.sla['within_sla']}"),
            ("Reviewer agreement", report.agreement["rate"]),
            ("Second reviews", report.agreement["second_reviews"]),
        ]
    )
    deadlines = _rows(
        [(d["name"], f"{d['status']} (due {_fmt(d['due_at'])})") for d in report.deadlines]
    )
    timeline = "".join(
        f"<li>{_fmt(e['at'])} {html.escape(e['action'])} by {html.escape(e['actor'])}</li>"
        for e in report.timeline
    )
    deviations = "".join(f"<li>{html.escape(d)}</li>" for d in report.deviations) or "<li>none</li>"
    lessons = (
        "".join(f"<li>{html.escape(text)}</li>" for text in report.lessons) or "<li>none yet</li>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:auto}}th{{text-align:left;padding-right:1em}}</style>
</head><body>
<h1>{html.escape(title)}</h1>
<table>{summary}</table>
<h2>Response times</h2><table>{times}</table>
<img alt="response times" src="data:image/png;base64,{_png(response_chart(report))}">
<h2>Reach</h2><img alt="reach over time" src="data:image/png;base64,{_png(reach_chart(report))}">
<h2>Volumes</h2><table>{volumes}</table>
<h2>Review quality</h2><table>{quality}</table>
<h2>Deadlines</h2><table>{deadlines}</table>
<h2>Deviations from the plan</h2><ul>{deviations}</ul>
<h2>Lessons</h2><ul>{lessons}</ul>
<h2>Timeline</h2><ol>{timeline}</ol>
</body></html>"""


def render_pdf(report: Report, title: str = "Post-incident report") -> bytes:
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        page = plt.figure(figsize=(8.27, 11.69))
        inc = report.incident
        lines = [
            title,
            "",
            f"Incident: {inc['title'][:80]}",
            f"Grade: {inc['grade_name']}   Drill: {'yes' if inc['is_drill'] else 'no'}",
            f"Posts: {inc['posts']}   Reach: {inc['reach']}",
            "",
            *(f"{PLAN[k]}: {_duration(report.durations_s[k])}" for k in PLAN),
            "",
            *(f"{k}: {v}" for k, v in report.volumes.items()),
            f"SLA attainment: {report.sla['attainment']}",
            f"Reviewer agreement: {report.agreement['rate']}",
            *(f"Deadline {d['name']}: {d['status']}" for d in report.deadlines),
            "",
            "Deviations:",
            *(f" - {d}" for d in report.deviations),
        ]
        page.text(0.06, 0.96, "\n".join(lines), va="top", family="monospace", fontsize=9)
        pdf.savefig(page)
        plt.close(page)
        for fig in (response_chart(report), reach_chart(report)):
            pdf.savefig(fig)
            plt.close(fig)
    return buffer.getvalue()
