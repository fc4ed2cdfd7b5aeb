"""What a firing writes: the milestone record, ledger entries, alerts, outbox rows: the
effects step of the firing pipeline (service/pipeline.py).

Keys are natural and stable, milestone:<rule>:<customer>:<occurrence>:<action>,
so a ledger entry or a message can never be written twice for one firing. The
same key is the message's id for its receiver (`webhook-id`, the email's
Message-ID), so a receiver can drop a message it got twice.

Webhook endpoints subscribed to internal events get one outbox row per event and
endpoint: `milestone.reached` per firing, `customer.rewarded` per credit, points or discount
code given (a code also sends `reward.issued`), `alert.created` per alert raised. Every
body names the customer and the milestone alike (`milestone_data`), here and in a
clawback's messages (service/clawback.py).

A code is drawn here (`secrets.SystemRandom()`), in the batch: two codes alike in one
store break the batch's unique key (store, code) and ingest runs the batch again, with
new codes.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import orjson

from milepost.domain.codes import Discount, Pattern
from milepost.domain.construct import Decided, Firing, Intent
from milepost.domain.delivery import WEBHOOK_EVENT_TYPES
from milepost.domain.events import OrderEvent, TrackEvent
from milepost.domain.ids import format_id
from milepost.domain.records import CustomerState, Store
from milepost.service.internal_events import emit
from milepost.service.pool_claims import Claims, Taken
from milepost.service.ports import POINTS_UNIT, BatchWrite, CodeRow, FiredMilestone, FiringRow, LedgerRow, OutboxRow
from milepost.service.rendering import TemplateProblem, render


def milestone_data(store_key: str, m: FiredMilestone) -> dict[str, Any]:
    """What every webhook about a firing holds: the store, the customer, the milestone, the order."""
    return {
        "store": store_key,
        "customer": {"id": m.customer_ext, "email": m.email, "name": m.name},
        "milestone": {
            "id": format_id("milestone", m.firing_id),
            "name": m.rule_name,
            "program_id": format_id("program", m.rule_id),
            "order_count_event_id": format_id("order_count_event", m.rule_id) if m.rule_kind == "order_count" else None,
            "metric": m.metric,
            "version": m.version,
            "count": m.value,
            "occurrence": m.occurrence,
        },
        "order_id": m.order_id,
    }


class Subscriptions(NamedTuple):
    """A store's webhook endpoints as a batch needs them."""

    events: Sequence[tuple[int, frozenset[str]]] = ()  # enabled endpoint id, the event types it wants
    urls: Mapping[str, int] = {}  # every endpoint by URL: where a webhook action goes


NO_SUBSCRIPTIONS = Subscriptions()


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def effects_of(
    batch: BatchWrite,
    decided: list[Decided],
    firing_ids: list[int],
    store: Store,
    subscriptions: Subscriptions = NO_SUBSCRIPTIONS,
    alert_ids: Callable[[int], list[int]] = lambda n: [],
    rng: random.Random | None = None,
    claims: Claims | None = None,
    hold: Mapping[int, datetime] | None = None,
) -> None:
    """Append every internal effect and outbox row of `decided` to `batch`.
    Tags are not written here: the caller writes each customer's net change.
    `alert_ids(n)` hands out ids for the alerts, so their webhooks can name them; `rng`
    draws the codes (default `secrets.SystemRandom()`); `claims` are the codes the firings
    took from pools (service/pool_claims.py); `hold`, by customer id, when their emails and
    texts may go (an automation's local hour)."""
    rng, claims, hold = rng or secrets.SystemRandom(), claims or {}, hold or {}
    wanted = subscribers(subscriptions.events)
    alerts_needed = sum(1 for d in decided for i in d.firing.intents if i.type == "alert")
    fresh_alert_ids = iter(alert_ids(alerts_needed) if alerts_needed else [])
    for d, firing_id in zip(decided, firing_ids, strict=True):
        f, a = d.firing, d.applied
        customer = a.customer
        order_id = a.event.order_id if isinstance(a.event, OrderEvent) else None
        codes = _draw_codes(f, rng)
        taken = {p: c for (fid, p), c in claims.items() if fid == firing_id} if claims else {}
        batch.firings.append(
            FiringRow(
                firing_id,
                f.rule.id,
                f.rule.version,
                customer.id,
                f.occurrence,
                f.value,
                order_id,
                a.event.key,
                _json(_with_codes(f.outcomes, codes, taken)),
            )
        )
        base_key = f"milestone:{f.rule.id}:{customer.id}:{f.occurrence}"
        data = milestone_data(store.key, _fired(d, firing_id, order_id))
        who = (customer.id, firing_id)
        emit(batch, wanted, "milestone.reached", base_key, who, data)
        for intent in f.intents:
            key = f"{base_key}:{intent.position}"
            kind = intent.type
            if kind == "credit":
                amount, currency = intent.get("amount"), intent.get("currency")
                batch.ledger.append(
                    LedgerRow(customer.id, amount, currency, "milestone", key, firing_id, order_id, f.rule.name)
                )
                reward = {"type": "credit", "amount": amount, "currency": currency}
                emit(batch, wanted, "customer.rewarded", key, who, {**data, "reward": reward})
            elif kind == "points":
                points = intent.get("points")
                batch.ledger.append(
                    LedgerRow(customer.id, points, POINTS_UNIT, "milestone", key, firing_id, order_id, f.rule.name)
                )
                reward = {"type": "points", "points": points}
                emit(batch, wanted, "customer.rewarded", key, who, {**data, "reward": reward})
            elif kind == "alert":
                alert_id, message, assignee = next(fresh_alert_ids), intent.get("message"), intent.get("assignee")
                batch.alerts.append((alert_id, customer.id, firing_id, message, assignee))
                alert = {"id": format_id("alert", alert_id), "message": message, "assignee": assignee}
                emit(batch, wanted, "alert.created", key, who, {**data, "alert": alert})
                if assignee:  # the agent who must act hears of it by email
                    payload = _json({**data, "agent_alert": alert})
                    batch.outbox.append(OutboxRow(f"{key}:agent", "email", customer.id, firing_id, payload))
            elif kind == "code":
                code, days, discount = codes[intent.position], intent.get("expires_in_days"), intent.get("discount")
                expires_at = batch.now + timedelta(days=days) if days else None
                batch.codes.append(CodeRow(customer.id, code, _json(discount), firing_id, expires_at))
                issued = {"code": code, "discount": discount, "expires_at": expires_at}
                emit(batch, wanted, "reward.issued", key, who, {**data, **issued})
                reward = {"type": "code", **issued}
                emit(batch, wanted, "customer.rewarded", key, who, {**data, "reward": reward})
            elif kind == "pool_code" and taken[intent.position].code is not None:
                code, discount = taken[intent.position].code or "", taken[intent.position].discount
                expires_at = taken[intent.position].expires_at
                batch.codes.append(CodeRow(customer.id, code, discount, firing_id, expires_at))
                issued = {"code": code, "discount": orjson.loads(discount), "expires_at": expires_at}
                emit(
                    batch, wanted, "coupon.assigned", key, who, {**data, **issued, "pool": taken[intent.position].pool}
                )
                emit(batch, wanted, "reward.issued", key, who, {**data, **issued})
                emit(batch, wanted, "customer.rewarded", key, who, {**data, "reward": {"type": "code", **issued}})
            elif kind == "trigger_workflow":
                batch.workflow_runs.append((intent.get("workflow"), customer.id, firing_id))
            elif kind == "send_email":
                payload = _json({**data, "template": intent.get("template")})
                batch.outbox.append(
                    OutboxRow(key, "email", customer.id, firing_id, payload, None, hold.get(customer.id))
                )
            elif kind == "send_sms":
                payload = _json({**data, "text": intent.get("text")})
                batch.outbox.append(OutboxRow(key, "sms", customer.id, firing_id, payload, None, hold.get(customer.id)))
            elif kind == "record_event":
                code = next((c.code for c in taken.values() if c.code), "")
                batch.events.append(recorded_event(key, intent, customer, batch.now, {**data, "code": code}))
            elif kind == "internal_email":
                agent = {k: intent.get(k) for k in ("to", "subject", "body")}
                batch.outbox.append(
                    OutboxRow(f"{key}:agent", "email", customer.id, firing_id, _json({**data, "agent_email": agent}))
                )
            elif kind == "webhook":
                url = intent.get("url")
                payload = _json({"url": url, "type": "milestone.reached", "data": data})
                endpoint_id = subscriptions.urls.get(url)
                batch.outbox.append(OutboxRow(key, "webhook", customer.id, firing_id, payload, endpoint_id))


def recorded_event(
    key: str, intent: Intent, customer: CustomerState, now: datetime, context: dict[str, Any]
) -> tuple[TrackEvent, str, int, str]:
    """An automation's `record_event`: a custom event in the customer's history (source
    "automation"), its properties' templates filled in (`{{ code }}`: the pool code the
    branch took; a template that does not render is kept as written)."""
    properties = {name: _filled(text, context) for name, text in intent.get("properties")}
    event = TrackEvent(key, "custom", customer.external_id, now, intent.get("event"), properties)
    raw = {"id": key, "type": "custom", "customer_id": customer.external_id, "name": event.name}
    return event, "automation", customer.id, _json({**raw, "occurred_at": now.isoformat(), "properties": properties})


def _filled(text: str, context: dict[str, Any]) -> str:
    try:
        return render({"subject": "", "body_text": text}, context).text
    except TemplateProblem:
        return text


def _fired(d: Decided, firing_id: int, order_id: str | None) -> FiredMilestone:
    f, customer = d.firing, d.applied.customer
    return FiredMilestone(
        firing_id,
        customer.id,
        customer.external_id,
        customer.email,
        customer.name,
        f.rule.id,
        f.rule.name,
        f.rule.kind,
        f.rule.metric,
        f.rule.version,
        f.value,
        f.occurrence,
        order_id,
    )


def _draw_codes(f: Firing, rng: random.Random) -> dict[int, str]:
    """A fresh code for each code action of the firing, by its position."""
    return {i.position: Pattern(i.get("pattern")).generate(rng) for i in f.intents if i.type == "code"}


def _with_codes(
    outcomes: Sequence[dict[str, Any]], codes: dict[int, str], taken: dict[int, Taken]
) -> Sequence[dict[str, Any]]:
    """The firing's outcomes, each code action's naming the code it issued, or skipped
    when its pool had none left."""
    if not codes and not taken:
        return outcomes
    return [
        {**o, "detail": f"issued {codes[o['position']]}: {o['detail'].removeprefix('code issued: ')}"}
        if o["position"] in codes
        else _pool_outcome(o, taken[o["position"]])
        if o["position"] in taken
        else o
        for o in outcomes
    ]


def _pool_outcome(outcome: dict[str, Any], taken: Taken) -> dict[str, Any]:
    if taken.code is None:
        return {**outcome, "status": "skipped", "detail": f"pool {taken.pool} has no code left"}
    gives = Discount.of(orjson.loads(taken.discount)).describe()
    return {**outcome, "detail": f"issued {taken.code} from pool {taken.pool}: {gives}"}


def subscribers(events: Sequence[tuple[int, frozenset[str]]]) -> dict[str, list[int]]:
    """The endpoints subscribed to each internal event, from (endpoint id, its event types)."""
    return {kind: [e for e, kinds in events if kind in kinds] for kind in WEBHOOK_EVENT_TYPES}
