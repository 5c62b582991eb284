"""Admin: webhook subscriptions (list, add, remove, test-send) and the delivery log with replay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from core.errors import DomainError
from core.outbound import OutboundRefused, policy_from
from core.web_deps import RuntimeDep
from review_ui.auth import UiRefused
from review_ui.i18n import Msg
from review_ui.page import AdminPage, UiPage
from webhooks import repository, service
from webhooks.models import DeliveryStatus
from webhooks.schemas import EventType, SubscriptionIn
from webhooks.tasks import deliver_webhook

router = APIRouter(prefix="/admin/webhooks")
LOG_SIZE = 100
NOTICES = {
    "removed": "Subscription removed; nothing more is sent to it.",
    "replayed": "Delivery queued again; it is sent once the replay is committed.",
}
PING_OUTCOME = {
    "delivered": "Test ping delivered: the endpoint answered {code}.",
    "failed": "Test ping not delivered: {why}.",
}


def _page(page: UiPage, *, status: int = 200, **extra: object) -> Response:
    wanted = page.query("status")
    known = wanted in {s.value for s in DeliveryStatus}
    subs = repository.subscriptions_newest_first(page.session)
    return page.render(
        "admin/webhooks.html",
        status,
        subscriptions=subs,
        urls={s.id: s.url for s in subs},
        deliveries=repository.deliveries_newest_first(
            page.session, limit=LOG_SIZE, status=wanted if known else None
        ),
        statuses=[s.value for s in DeliveryStatus],
        wanted=wanted,
        events=[e.value for e in EventType],
        ping=_ping_result(page.session, page.query("ping")),
        notice=page.notice(NOTICES),
        **extra,
    )


@router.get("", summary="Webhook subscriptions and the delivery log")
def webhooks_page(page: AdminPage) -> Response:
    return _page(page)


@router.post("", summary="Subscribe a URL (its signing secret is shown once)")
def add(
    page: AdminPage,
    rt: RuntimeDep,
    url: Annotated[str, Form(max_length=2048)],
    events: Annotated[list[str] | None, Form()] = None,
) -> Response:
    try:
        body = SubscriptionIn.model_validate({"url": url.strip(), "events": events or []})
        sub = service.subscribe(page.session, body, page.actor, outbound=policy_from(rt.settings))
    except ValidationError as exc:
        return _page(page, status=422, add_error=_reason(exc), url=url)
    except OutboundRefused as exc:
        return _page(page, status=422, add_error=exc.message, url=url)
    page.session.flush()
    return _page(page, new_secret=sub.secret, new_url=sub.url)


def _reason(exc: ValidationError) -> str:
    for err in exc.errors():
        if err["loc"] and err["loc"][0] == "events":
            return Msg("Choose at least one event.")
        if err["loc"] and err["loc"][0] == "url":
            return Msg("The URL must start with http:// or https:// and contain no spaces.")
    return Msg("The subscription is incomplete.")


@router.post("/{subscription_id}/remove", summary="Stop sending to a subscription")
def remove(subscription_id: str, page: AdminPage) -> Response:
    try:
        service.unsubscribe(page.session, subscription_id[:32], page.actor)
    except DomainError as exc:
        raise UiRefused(exc.status, exc.message) from exc
    return RedirectResponse("/ui/admin/webhooks?notice=removed", status_code=303)


@router.post("/deliveries/{delivery_id}/replay", summary="Send a delivery again now")
def replay(delivery_id: str, page: AdminPage) -> Response:
    try:
        service.replay(page.session, delivery_id[:32], page.actor)  # sent after commit
    except DomainError as exc:
        raise UiRefused(exc.status, exc.message) from exc
    return RedirectResponse("/ui/admin/webhooks?notice=replayed", status_code=303)


@router.post("/{subscription_id}/test", summary="Send a signed ping now and show the answer")
def test_send(subscription_id: str, rt: RuntimeDep, page: AdminPage) -> Response:
    session = page.session
    try:
        delivery = service.queue_ping(session, subscription_id[:32], page.actor)
    except DomainError as exc:
        raise UiRefused(exc.status, exc.message) from exc
    delivery_id = delivery.id
    session.commit()  # the real delivery path reads the row in its own transaction
    deliver_webhook(rt, delivery_id)
    session.expire_all()
    sent = service.settle_ping(session, delivery_id)
    session.commit()
    assert sent is not None
    return RedirectResponse(f"/ui/admin/webhooks?ping={delivery_id}#subscriptions", status_code=303)


def _ping_result(session: Session, delivery_id: str) -> tuple[str, bool]:
    """The answer to a test ping, read back from its delivery row (not from the URL)."""
    sent = repository.delivery(session, delivery_id[:32]) if delivery_id else None
    if sent is None or sent.event != service.PING_EVENT:
        return "", False
    if sent.status == DeliveryStatus.DELIVERED:
        return PING_OUTCOME["delivered"].format(code=sent.response_code), True
    why = f"HTTP {sent.response_code}" if sent.response_code else (sent.last_error or "no answer")
    return PING_OUTCOME["failed"].format(why=why[:200]), False
