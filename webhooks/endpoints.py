"""Webhook routes: the platform registers callbacks (scope `webhooks`); admins read and replay.

A key sees and changes only the subscriptions it registered; anyone else's answer 404, as if
absent, so ids cannot be probed. Admins (people) list them all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from core.outbound import policy_from
from core.principal import Admin, Principal, require_scope
from core.web_deps import RuntimeDep, SessionDep
from core.web_schemas import refusals
from webhooks import repository, service
from webhooks.models import DeliveryStatus
from webhooks.schemas import (
    CreatedSubscriptionOut,
    DeliveryOut,
    OwnedSubscriptionOut,
    RotatedOut,
    RotateIn,
    SubscriptionIn,
    SubscriptionOut,
)

router = APIRouter(prefix="/v1", tags=["webhooks"])
HookKey = Annotated[Principal, Depends(require_scope("webhooks"))]
Id = Annotated[str, Path(min_length=1, max_length=32)]


def _owner(key: Principal) -> str:
    assert key.key_id is not None  # require_scope admits API keys only
    return key.key_id


@router.post(
    "/webhooks",
    status_code=201,
    summary="Register a callback URL; the signing secret is returned only here",
    responses=refusals(400, 401, 403, 422),
)
def subscribe(
    body: SubscriptionIn, session: SessionDep, key: HookKey, rt: RuntimeDep
) -> CreatedSubscriptionOut:
    sub = service.subscribe(
        session, body, key.actor, outbound=policy_from(rt.settings), owner_key_id=_owner(key)
    )
    return CreatedSubscriptionOut.model_validate(sub)


@router.get(
    "/webhooks", summary="List this key's callback registrations", responses=refusals(401, 403)
)
def list_subscriptions(session: SessionDep, key: HookKey) -> list[SubscriptionOut]:
    subs = repository.subscriptions_oldest_first(session, owner_key_id=_owner(key))
    return [SubscriptionOut.model_validate(s) for s in subs]


@router.get(
    "/webhooks/{subscription_id}",
    summary="One of this key's callback registrations",
    responses=refusals(401, 403, 404, 422),
)
def get_subscription(subscription_id: Id, session: SessionDep, key: HookKey) -> SubscriptionOut:
    sub = service.find_subscription(session, subscription_id, owned_by=_owner(key))
    return SubscriptionOut.model_validate(sub)


@router.delete(
    "/webhooks/{subscription_id}",
    summary="Stop sending to a callback",
    responses=refusals(401, 403, 404, 422),
)
def unsubscribe(subscription_id: Id, session: SessionDep, key: HookKey) -> SubscriptionOut:
    sub = service.unsubscribe(session, subscription_id, key.actor, owned_by=_owner(key))
    return SubscriptionOut.model_validate(sub)


@router.post(
    "/webhooks/{subscription_id}/rotate-secret",
    summary="A new signing secret; the old one also signs for grace_seconds (default a day)",
    responses=refusals(401, 403, 404, 422),
)
def rotate_secret(
    subscription_id: Id, session: SessionDep, key: HookKey, body: RotateIn | None = None
) -> RotatedOut:
    grace = timedelta(seconds=(body or RotateIn()).grace_seconds)
    sub = service.rotate_secret(session, subscription_id, key.actor, grace, owned_by=_owner(key))
    return RotatedOut(
        id=sub.id, secret=sub.secret, previous_secret_valid_until=sub.previous_secret_expires_at
    )


@router.get(
    "/admin/webhooks",
    summary="Every callback registration, with the API key that owns it",
    responses=refusals(401, 403),
)
def all_subscriptions(session: SessionDep, _: Admin) -> list[OwnedSubscriptionOut]:
    subs = repository.subscriptions_oldest_first(session)
    return [OwnedSubscriptionOut.model_validate(s) for s in subs]


@router.get(
    "/admin/webhooks/deliveries",
    summary="The delivery log, newest first",
    responses=refusals(401, 403, 422),
)
def deliveries(
    session: SessionDep,
    _: Admin,
    status: DeliveryStatus | None = None,
    event_id: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    found = repository.deliveries_newest_first(
        session, limit=limit, status=None if status is None else status.value, event_id=event_id
    )
    return [DeliveryOut.model_validate(d, from_attributes=True) for d in found]


@router.post(
    "/admin/webhooks/deliveries/{delivery_id}/replay",
    summary="Send a delivery again now",
    responses=refusals(401, 403, 404, 422),
)
def replay(delivery_id: Id, session: SessionDep, admin: Admin) -> DeliveryOut:
    delivery = service.replay(session, delivery_id, admin.actor)
    session.flush()
    return DeliveryOut.model_validate(delivery, from_attributes=True)
