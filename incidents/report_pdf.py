"""The post-incident report as a designed PDF (reportlab platypus): a title block, the
sign-off box, numbered sections with tables, wrapped text, the charts inline, the timeline and
the lessons; a running header and footer with the page number on every page."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
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

from core.messages import Msg
from incidents.report import Report
from incidents.report_charts import duration_text, png, reach_chart, response_chart
from incidents.report_fonts import BOLD, REGULAR, draw_string, markup, runs
from incidents.report_steps import time_from

INK = colors.HexColor("#1f2937")
ACCENT = colors.HexColor("#1d4ed8")
MUTED = colors.HexColor("#6b7280")
RULE = colors.HexColor("#d1d5db")
BAND = colors.HexColor("#eef2ff")
OK, BAD, WAIT = colors.HexColor("#047857"), colors.HexColor("#b91c1c"), colors.HexColor("#b45309")
WIDTH = A4[0] - 36 * mm  # the text column

# A report is written in English; given a reader's catalogue (`gettext`, the review UI's), its
# headings, labels and the words for the incident's codes (type, status, clocks, events) read
# in the reader's language. What people wrote (titles, reasons, lessons) stays as written.
Gettext = Callable[[str], str]


def english(text: str) -> str:
    return text


# The codes whose words are not the code's own (`review_ui.incidents.words.EVENT` words them).
WORDED = {"statement.legal_approved": "statement approved by legal"}


def coded(tr: Gettext, code: str, words: str | None = None) -> str:
    """A code as the report prints it: in English the code itself (as it always printed it),
    else its words (`words`, or the code without "incident.", its "_" and "." as spaces) in the
    reader's language; a code the catalogue has no words for stays a code."""
    derived = code.removeprefix("incident.").replace("_", " ").replace(".", " ")
    words = words or WORDED.get(code) or derived
    if tr is english:
        return code
    shown = tr(words)
    return shown if shown != words or words == code else code


# The words each report shows, in English, for the catalogue (pybabel extracts these): the plan
# steps' labels (`report_steps.py`), their column heading, the volumes and an untimed step.
STEP_NAMES = (
    Msg("detected (incident opened)"),
    Msg("first enforcement action"),
    Msg("first public statement"),
    Msg("contained"),
    Msg("first internal report"),
    Msg("public statement"),
    Msg("users notified"),
    Msg("regulator notified (breach notice)"),
    Msg("legal review done"),
    Msg("recovered"),
    Msg("reported"),
    Msg("response activated"),
    Msg("service restored"),
    Msg("Time from first post"),
    Msg("Time from start"),
)
VOLUMES = {
    "posts": Msg("Posts"),
    "removed": Msg("Removed"),
    "labelled": Msg("Labelled"),
    "restored": Msg("Restored"),
    "decided": Msg("Decided"),
}
NOT_REACHED = Msg("not reached")


def duration(tr: Gettext, seconds: float | None) -> str:
    return NOT_REACHED.render(tr) if seconds is None else duration_text(seconds).render(tr)


def rendered(tr: Gettext, text: str) -> str:
    """What the report wrote itself (a `Msg`: a deviation, an event's detail) in the reader's
    language; what people wrote (a reason) as written."""
    return text.render(tr) if isinstance(text, Msg) else text


def volumes(tr: Gettext, report: Report) -> list[list[Any]]:
    """The volume counts, each with its name, then the review quality figures."""
    named = [
        [VOLUMES[k].render(tr) if k in VOLUMES else k.capitalize(), v]
        for k, v in report.volumes.items()
    ]
    return [
        *named,
        [Msg("Review SLA attainment").render(tr), report.sla["attainment"]],
        [
            Msg("Cases decided / within SLA").render(tr),
            f"{report.sla['decided']} / {report.sla['within_sla']}",
        ],
        [Msg("Reviewer agreement").render(tr), report.agreement["rate"]],
        [Msg("Second reviews").render(tr), report.agreement["second_reviews"]],
    ]


def facts(tr: Gettext, report: Report) -> list[tuple[str, Any]]:
    """The incident's facts at the head of the report, each with its label."""
    inc = report.incident
    kind = str(inc.get("type", "misinformation"))
    return [
        (Msg("Type").render(tr), coded(tr, kind, str(inc.get("type_label") or kind))),
        (Msg("Grade").render(tr), tr(inc["grade_name"])),
        (Msg("Status").render(tr), coded(tr, inc["status"])),
        (Msg("Drill").render(tr), (Msg("yes") if inc["is_drill"] else Msg("no")).render(tr)),
    ]


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


def headings(tr: Gettext, *labels: Msg) -> list[str]:
    """A table's column heads in the reader's words."""
    return [label.render(tr) for label in labels]


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


def _facts(report: Report, tr: Gettext) -> Table:
    inc = report.incident
    pairs = [
        *facts(tr, report),
        (Msg("Posts").render(tr), inc["posts"]),
        (Msg("Reach").render(tr), f"{inc['reach']:,}"),
        (Msg("First seen (UTC)").render(tr), report.first_seen_at),
        (Msg("Regions").render(tr), ", ".join(inc["regions"]) or "-"),
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


def _signoff_box(signoff: SignOff | None, tr: Gettext) -> Table:
    if signoff is None:
        label, rest = Msg("Leadership sign-off:"), Msg("awaiting review.")
        colour = WAIT
    else:
        label = Msg("Signed off")
        rest = Msg("by {by} on {at} UTC", by=signoff.by, at=_fmt(signoff.at))
        colour = OK
    text = f"<b>{markup(label.render(tr))}</b> {markup(rest.render(tr))}"
    if signoff is not None and signoff.comment:
        text += f"<br/>{markup(signoff.comment)}"
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


def _status_cell(status: str, tr: Gettext) -> Paragraph:
    colour = {"met": OK, "missed": BAD}.get(status, WAIT)
    shown = markup(coded(tr, status))
    return Paragraph(f'<font color="{colour.hexval()}"><b>{shown}</b></font>', S["cell"])


def _deadline(clock: dict[str, Any], tr: Gettext) -> list[Any]:
    name = coded(tr, clock["name"], clock["name"])
    return [name, _status_cell(str(clock["status"]), tr), clock["due_at"], clock["resolved_at"]]


def _section(number: int, title: str, *parts: Flowable) -> list[Flowable]:
    """A numbered heading kept on the page of what follows it."""
    heading = _p(f"{number}. {title}", "h2")
    return [KeepTogether([heading, parts[0]]), *parts[1:]]


def _story(report: Report, signoff: SignOff | None, title: str, tr: Gettext) -> list[Flowable]:
    inc = report.incident
    half = [WIDTH * 0.6, WIDTH * 0.4]
    deadlines = [_deadline(d, tr) for d in report.deadlines]
    timeline = [
        [e["at"], coded(tr, e["action"]), e["actor"], rendered(tr, e.get("detail", ""))]
        for e in report.timeline
    ]
    kind = str(inc.get("type", "misinformation"))
    charted = None if tr is english else tr  # English charts as they always were
    charted = None if tr is english else tr  # English charts as they always were
    return [
        _p(
            Msg("{title}  ·  INCIDENT {id}", title=title.upper(), id=inc["id"]).render(tr), "kicker"
        ),
        _p(inc["title"], "title"),
        _facts(report, tr),
        Spacer(0, 4 * mm),
        _signoff_box(signoff, tr),
        *_section(
            1,
            Msg("Response against the plan").render(tr),
            _table(
                [Msg("Plan step").render(tr), tr(time_from(kind))],
                [
                    [tr(label), duration(tr, report.durations_s[k])]
                    for k, label in report.steps.items()
                ],
                half,
            ),
            Spacer(0, 3 * mm),
            _chart(response_chart(report, charted), 64),
        ),
        *_section(2, Msg("Reach").render(tr), _chart(reach_chart(report, charted), 74)),
        *_section(
            3,
            Msg("Volumes and review quality").render(tr),
            _table(headings(tr, Msg("Measure"), Msg("Value")), volumes(tr, report), half),
        ),
        *_section(
            4,
            Msg("Deadlines").render(tr),
            _table(
                headings(tr, Msg("Clock"), Msg("Status"), Msg("Due (UTC)"), Msg("Resolved (UTC)")),
                deadlines or [[Msg("no clocks started").render(tr), "", "", ""]],
                [WIDTH * 0.34, WIDTH * 0.14, WIDTH * 0.26, WIDTH * 0.26],
            ),
        ),
        *_section(
            5,
            Msg("Deviations from the plan").render(tr),
            _bullets([rendered(tr, d) for d in report.deviations], Msg("None.").render(tr)),
        ),
        *_section(
            6,
            Msg("Lessons").render(tr),
            _bullets(report.lessons, Msg("None recorded yet.").render(tr), numbered=True),
        ),
        *_section(
            7,
            Msg("Timeline").render(tr),
            _table(
                headings(tr, Msg("Time (UTC)"), Msg("Event"), Msg("By"), Msg("Detail")),
                timeline or [["-", Msg("no events").render(tr), "", ""]],
                [WIDTH * 0.2, WIDTH * 0.24, WIDTH * 0.18, WIDTH * 0.38],
            ),
        ),
    ]


def _draw_right(canvas: Any, x: float, y: float, text: str, font: str, size: float) -> None:
    """`draw_string` ending at `x`."""
    width = sum(pdfmetrics.stringWidth(run, f, size) for f, run in runs(text, base=font))
    draw_string(canvas, x - width, y, text, font, size)


def _decorate(title: str, incident_id: str, tr: Gettext) -> Any:
    def draw(canvas: Any, doc: BaseDocTemplate) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, height - 9 * mm, width, 9 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        draw_string(canvas, 18 * mm, height - 6 * mm, "veracity  ·  " + title, BOLD, 9)
        confidential = Msg("Internal · confidential").render(tr)
        _draw_right(canvas, width - 18 * mm, height - 6 * mm, confidential, REGULAR, 8)
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        canvas.line(18 * mm, 14 * mm, width - 18 * mm, 14 * mm)
        incident = Msg("Incident {id}", id=incident_id).render(tr)
        draw_string(canvas, 18 * mm, 9 * mm, incident, REGULAR, 8)
        page = Msg("Page {page}", page=doc.page).render(tr)
        _draw_right(canvas, width - 18 * mm, 9 * mm, page, REGULAR, 8)
        canvas.restoreState()

    return draw


def render_pdf(
    report: Report,
    title: str = Msg("Post-incident report"),
    signoff: SignOff | None = None,
    *,
    gettext: Gettext = english,
) -> bytes:
    """The report as a PDF; `gettext` (a reader's catalogue) gives it in the reader's language."""
    title = gettext(title)
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
    decorate = _decorate(title, report.incident["id"], gettext)
    doc.build(_story(report, signoff, title, gettext), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
