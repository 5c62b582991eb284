"""Dashboards for senior reviewers and admins: queue, SLA, throughput, removals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from core.errors import DomainError
from pipeline import qa
from review_ui.auth import UiRefused
from review_ui.i18n import Msg
from review_ui.page import DashboardPage
from review_ui.supervisor import dashboard_data as data
from review_ui.supervisor import data as supervise_data
from review_ui.supervisor.charts import bar_chart

router = APIRouter(prefix="/dashboards")


@router.get("", summary="Queue, SLA and enforcement dashboards")
def dashboards(page: DashboardPage, include_drills: bool = False) -> Response:
    session = page.session
    # Drill data stays out unless asked for (?include_drills=true), e.g. to review a drill.
    depth = data.queue_depth(session, include_drills=include_drills)
    bands = ["urgent", "review", *sorted(set(depth) - {"urgent", "review"})]
    hourly = data.decisions_per_hour(session, include_drills=include_drills)
    daily = data.removals_and_restorations(session, include_drills=include_drills)
    overall, per_reviewer = qa.agreement(session)
    return page.render(
        "dashboards.html",
        notice=page.notice({"qa": Msg("QA sampling saved.")}),
        qa_overall=overall,
        qa_per_reviewer=sorted(per_reviewer.items()),
        qa_fraction=qa.sampling_fraction(session),
        oldest=supervise_data.age_text(supervise_data.oldest_age(session)),
        depth=depth,
        sla=data.sla_attainment(session, include_drills=include_drills),
        depth_chart=bar_chart(
            Msg("Queue depth by band"), bands, [[depth.get(b, 0) for b in bands]]
        ),
        hourly_chart=bar_chart(
            Msg("Decisions per hour (24 h)"), [h for h, _ in hourly], [[c for _, c in hourly]]
        ),
        daily_chart=bar_chart(
            Msg("Removals and restorations (14 days)"),
            [d for d, _, _ in daily],
            [[r for _, r, _ in daily], [s for _, _, s in daily]],
            legend=(Msg("removals"), Msg("restorations")),
        ),
        totals={
            "decisions_24h": sum(c for _, c in hourly),
            "removals_14d": sum(r for _, r, _ in daily),
            "restorations_14d": sum(s for _, _, s in daily),
        },
    )


@router.post("/qa-sampling", summary="Set the fraction of decisions drawn for blind QA")
def set_qa_sampling(
    page: DashboardPage, percent: Annotated[str, Form(max_length=8)] = ""
) -> Response:
    try:
        fraction = float(percent) / 100.0
    except ValueError:
        raise UiRefused(422, Msg("The QA sample is a percentage from 0 to 100.")) from None
    try:
        qa.set_sampling_fraction(page.session, fraction, page.actor)
    except DomainError:
        raise UiRefused(422, Msg("The QA sample is a percentage from 0 to 100.")) from None
    return RedirectResponse("/ui/dashboards?notice=qa", status_code=303)
