"""The post-incident report as a designed PDF (reportlab platypus): a title block, the
sign-off box, numbered sections with tables, wrapped text, the charts inline, the timeline and
the lessons; a running header and footer with the page number on every page."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import BaseDocTemplate

from incidents.report import Report
from incidents.report_charts import duration_text, png, reach_chart, response_chart
from incidents.report_fonts import BOLD, REGULAR, draw_string, markup
from incidents.report_steps import time_from

INK = colors.HexColor("#1f2937")
ACCENT = colors.HexColor("#1d4ed8")
MUTED = colors.HexColor("#6b7280")
RULE = colors.HexColor("#d1d5db")
BAND = colors.HexColor("#eef2ff")
OK, BAD, WAIT = colors.HexColor("#047857"), colors.HexColor("#b91c1c"), colors.HexColor("#b45309")
WIDTH = A4[0] - 36 * mm  # the text column


@dataclass(frozen=True)
class SignOff:
    """Leadership's sign-off as printed on the report (None on the report: not yet)."""

    by: str
    at: datetime
    comment: str


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=base["BodyText"], fontName=REGULAR, fontSize=9.5, leading=13, textColor=INK
    )
    return {
        "title": _bold("title", base["Title"], 20, 24, INK, alignment=TA_LEFT, spaceAfter=2 * mm),
        "kicker": ParagraphStyle("kicker", parent=body, fontSize=8.5, textColor=ACCENT),
        "h2": _bold("h2", base["Heading2"], 13, 16, ACCENT, spaceBefore=6 * mm, spaceAfter=2 * mm),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11),
        "head": _bold("head", body, 8.5, 11, colors.white),
        "muted": ParagraphStyle("muted", parent=body, fontSize=8.5, textColor=MUTED),
    }


def _bold(
    name: str, parent: ParagraphStyle, size: float, leading: float, color: Color, **more: Any
) -> ParagraphStyle:
    return ParagraphStyle(
        name, parent=parent, fontName=BOLD, fontSize=size, leading=leading, textColor=color, **more
    )


S = _styles()


def _p(text: Any, style: str = "cell") -> Paragraph:
    return Paragraph(markup(str(text)), S[style])


def _fmt(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return "-" if value is None else str(value)


def _table(
    header: list[str] | None, rows: list[list[Any]], widths: list[float], zebra: bool = True
) -> Table:
    data: list[list[Any]] = [[_p(h, "head") for h in header]] if header else []
    data += [[c if isinstance(c, Flowable) else _p(_fmt(c)) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), ACCENT))
    first = 1 if header else 0
    if zebra:
        for i in range(first, len(data)):
            if (i - first) % 2:
                style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f9fafb")))
    table.setStyle(TableStyle(style))
    return table


def _facts(report: Report) -> Table:
    inc = report.incident
    pairs = [
        ("Type", inc.get("type", "misinformation")),
        ("Grade", inc["grade_name"]),
        ("Status", inc["status"]),
        ("Drill", "yes" if inc["is_drill"] else "no"),
        ("Posts", inc["posts"]),
        ("Reach", f"{inc['reach']:,}"),
        ("First seen (UTC)", report.first_seen_at),
        ("Regions", ", ".join(inc["regions"]) or "-"),
    ]
    rows = [
        [
            _p(pairs[i][0], "muted"),
            _p(_fmt(pairs[i][1])),
            _p(pairs[i + 1][0], "muted"),
            _p(_fmt(pairs[i + 1][1])),
        ]
        for i in range(0, len(pairs), 2)
    ]
    table = Table(rows, colWidths=[28 * mm, WIDTH / 2 - 28 * mm] * 2, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), BAND),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _signoff_box(signoff: SignOff | None) -> Table:
    if signoff is None:
        text = "<b>Leadership sign-off:</b> awaiting review."
        colour = WAIT
    else:
        text = f"<b>Signed off</b> by {markup(signoff.by)} on {_fmt(signoff.at)} UTC" + (
            f"<br/>{markup(signoff.comment)}" if signoff.comment else ""
        )
        colour = OK
    box = Table([[Paragraph(text, S["body"])]], colWidths=[WIDTH], hAlign="LEFT")
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, colour),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return box


def _chart(fig: Any, height_mm: float) -> Image:
    image = Image(io.BytesIO(png(fig, dpi=160)), width=WIDTH, height=height_mm * mm)
    image.hAlign = "LEFT"
    return image


def _bullets(items: list[str], empty: str, numbered: bool = False) -> Flowable:
    if not items:
        return _p(empty, "muted")
    return ListFlowable(
        [ListItem(_p(text, "body"), leftIndent=12) for text in items],
        bulletType="1" if numbered else "bullet",
        start="1" if numbered else None,
        leftIndent=12,
        bulletFontSize=8,
    )


def _status_cell(status: str) -> Paragraph:
    colour = {"met": OK, "missed": BAD}.get(status, WAIT)
    return Paragraph(f'<font color="{colour.hexval()}"><b>{escape(status)}</b></font>', S["cell"])


def _section(number: int, title: str, *parts: Flowable) -> list[Flowable]:
    """A numbered heading kept on the page of what follows it."""
    heading = _p(f"{number}. {title}", "h2")
    return [KeepTogether([heading, parts[0]]), *parts[1:]]


def _story(report: Report, signoff: SignOff | None, title: str) -> list[Flowable]:
    inc = report.incident
    half = [WIDTH * 0.6, WIDTH * 0.4]
    quality = [[k.capitalize(), v] for k, v in report.volumes.items()] + [
        ["Review SLA attainment", report.sla["attainment"]],
        ["Cases decided / within SLA", f"{report.sla['decided']} / {report.sla['within_sla']}"],
        ["Reviewer agreement", report.agreement["rate"]],
        ["Second reviews", report.agreement["second_reviews"]],
    ]
    deadlines = [
        [d["name"], _status_cell(str(d["status"])), d["due_at"], d["resolved_at"]]
        for d in report.deadlines
    ]
    timeline = [[e["at"], e["action"], e["actor"], e.get("detail", "")] for e in report.timeline]
    return [
        _p(f"{title.upper()}  ·  INCIDENT {inc['id']}", "kicker"),
        _p(inc["title"], "title"),
        _facts(report),
        Spacer(0, 4 * mm),
        _signoff_box(signoff),
        *_section(
            1,
            "Response against the plan",
            _table(
                ["Plan step", time_from(str(inc.get("type", "misinformation")))],
                [
                    [label, duration_text(report.durations_s[k])]
                    for k, label in report.steps.items()
                ],
                half,
            ),
            Spacer(0, 3 * mm),
            _chart(response_chart(report), 64),
        ),
        *_section(2, "Reach", _chart(reach_chart(report), 74)),
        *_section(3, "Volumes and review quality", _table(["Measure", "Value"], quality, half)),
        *_section(
            4,
            "Deadlines",
            _table(
                ["Clock", "Status", "Due (UTC)", "Resolved (UTC)"],
                deadlines or [["no clocks started", "", "", ""]],
                [WIDTH * 0.34, WIDTH * 0.14, WIDTH * 0.26, WIDTH * 0.26],
            ),
        ),
        *_section(5, "Deviations from the plan", _bullets(report.deviations, "None.")),
        *_section(6, "Lessons", _bullets(report.lessons, "None recorded yet.", numbered=True)),
        *_section(
            7,
            "Timeline",
            _table(
                ["Time (UTC)", "Event", "By", "Detail"],
                timeline or [["-", "no events", "", ""]],
                [WIDTH * 0.2, WIDTH * 0.24, WIDTH * 0.18, WIDTH * 0.38],
            ),
        ),
    ]


def _decorate(title: str, incident_id: str) -> Any:
    def draw(canvas: Any, doc: BaseDocTemplate) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, height - 9 * mm, width, 9 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        draw_string(canvas, 18 * mm, height - 6 * mm, "veracity  ·  " + title, BOLD, 9)
        canvas.setFont(REGULAR, 8)
        canvas.drawRightString(width - 18 * mm, height - 6 * mm, "Internal · confidential")
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        canvas.line(18 * mm, 14 * mm, width - 18 * mm, 14 * mm)
        canvas.drawString(18 * mm, 9 * mm, f"Incident {incident_id}")
        canvas.drawRightString(width - 18 * mm, 9 * mm, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def render_pdf(
    report: Report, title: str = "Post-incident report", signoff: SignOff | None = None
) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=20 * mm,
        title=f"{title}: {report.incident['title'][:80]}",
        author="veracity",
        subject=f"incident {report.incident['id']}",
        invariant=1,  # the same report renders to the same bytes, so its SHA-256 is stable
    )
    decorate = _decorate(title, report.incident["id"])
    doc.build(_story(report, signoff, title), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
