"""The report's charts (matplotlib, rendered to PNG for the HTML page and the PDF)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from core.messages import Msg
from incidents.report import Report

BLUE, GREY = "#1d4ed8", "#d1d5db"


def duration_text(seconds: float | None) -> Msg:
    if seconds is None:
        return Msg("not reached")
    minutes = seconds / 60
    if minutes < 120:
        return Msg("{minutes} min", minutes=f"{minutes:.1f}")
    return Msg("{hours} h", hours=f"{minutes / 60:.1f}")


def _tidy(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#e5e7eb", linewidth=0.6)
    ax.set_axisbelow(True)


def reach_chart(report: Report) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 3))
    if report.reach_series:
        xs = [(t - report.first_seen_at).total_seconds() / 60 for t, _ in report.reach_series]
        ax.step(xs, [r for _, r in report.reach_series], where="post", color=BLUE)
        ax.fill_between(xs, [r for _, r in report.reach_series], step="post", alpha=0.12)
    ax.set_xlabel("minutes since first post")
    ax.set_ylabel("cumulative reach")
    ax.set_title("Reach over time", loc="left", fontsize=10)
    _tidy(ax)
    fig.tight_layout()
    return fig


def response_chart(report: Report) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 2.6))
    steps = report.steps
    labels = list(steps.values())
    values = [(report.durations_s[k] or 0) / 60 for k in steps]
    ax.barh(labels, values, color=[BLUE if report.durations_s[k] else GREY for k in steps])
    ax.invert_yaxis()
    ax.set_xlabel("minutes since first post")
    ax.set_title("Response times (grey: not reached)", loc="left", fontsize=10)
    _tidy(ax)
    fig.tight_layout()
    return fig


def png(fig: Figure, dpi: int = 90) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()
