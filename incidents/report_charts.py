"""The report's charts (matplotlib, rendered to PNG for the HTML page and the PDF)."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import cache
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from core.messages import Msg
from incidents.report import Report
from incidents.report_fonts import CANDIDATES

BLUE, GREY = "#1d4ed8", "#d1d5db"
Gettext = Callable[[str], str]


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


@cache
def _cjk_family() -> str | None:
    """The CJK font's family for matplotlib (the report PDF's, `report_fonts.CANDIDATES`)."""
    for path in CANDIDATES:
        if path.exists():
            font_manager.fontManager.addfont(str(path))
            return str(font_manager.FontProperties(fname=str(path)).get_name())
    return None


def _lettering(gettext: Gettext | None) -> AbstractContextManager[Any]:
    """For a reader's language, text falls back to the CJK font for glyphs DejaVu lacks; in
    English the chart is drawn as it always was."""
    family = _cjk_family() if gettext is not None else None
    if family is None:
        return nullcontext()
    return plt.rc_context({"font.family": ["DejaVu Sans", family]})


def _said(message: Msg, gettext: Gettext | None) -> str:
    return message if gettext is None else message.render(gettext)


def reach_chart(report: Report, gettext: Gettext | None = None) -> Figure:
    """The cumulative reach; `gettext` (a reader's catalogue) words it in the reader's language."""
    with _lettering(gettext):
        fig, ax = plt.subplots(figsize=(7, 3))
        if report.reach_series:
            xs = [(t - report.first_seen_at).total_seconds() / 60 for t, _ in report.reach_series]
            ax.step(xs, [r for _, r in report.reach_series], where="post", color=BLUE)
            ax.fill_between(xs, [r for _, r in report.reach_series], step="post", alpha=0.12)
        ax.set_xlabel(_said(Msg("minutes since first post"), gettext))
        ax.set_ylabel(_said(Msg("cumulative reach"), gettext))
        ax.set_title(_said(Msg("Reach over time"), gettext), loc="left", fontsize=10)
        _tidy(ax)
        fig.tight_layout()
    return fig


def response_chart(report: Report, gettext: Gettext | None = None) -> Figure:
    """The time to each plan step; `gettext` words it in the reader's language."""
    with _lettering(gettext):
        fig, ax = plt.subplots(figsize=(7, 2.6))
        steps = report.steps
        labels = [_said(Msg(label), gettext) for label in steps.values()]
        values = [(report.durations_s[k] or 0) / 60 for k in steps]
        ax.barh(labels, values, color=[BLUE if report.durations_s[k] else GREY for k in steps])
        ax.invert_yaxis()
        ax.set_xlabel(_said(Msg("minutes since first post"), gettext))
        title = Msg("Response times (grey: not reached)")
        ax.set_title(_said(title, gettext), loc="left", fontsize=10)
        _tidy(ax)
        fig.tight_layout()
    return fig


def png(fig: Figure, dpi: int = 90) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()
