"""What a program (or an order count event) is saved with: each field checked, and the
definition kept with each version."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from milepost.domain.actions import Action, validate_actions
from milepost.domain.aggregates import METRICS
from milepost.domain.records import Store
from milepost.domain.rules import RULE_KINDS, validate_conditions, validate_threshold
from milepost.errors import ValidationError
from milepost.service import aggregate_values
from milepost.service.endpoints import ensure_endpoint
from milepost.service.ports import (
    AggregatesTx,
    EndpointsTx,
    PoolsTx,
    RulesTx,
    StoresTx,
    TemplatesTx,
    UrlCheck,
    UsersTx,
)
from milepost.service.rendering import TemplateProblem, render
from milepost.service.templates import sample_context


def definition(rule_values: dict[str, Any]) -> dict[str, Any]:
    keys = ("kind", "name", "metric", "threshold", "active", "conditions", "actions")
    found = {k: rule_values[k] for k in keys}
    for k in ("starts_at", "ends_at"):
        if rule_values.get(k) is not None:
            found[k] = rule_values[k].isoformat()
    if rule_values.get("repeat_every") is not None:
        found["every"] = rule_values["repeat_every"]
    if rule_values.get("steps"):
        found["steps"] = json.loads(rule_values["steps"])
    if rule_values.get("clawback_days") is not None:
        found["clawback_days"] = rule_values["clawback_days"]
    return found


MAX_CLAWBACK_DAYS = 3650


def clawback_policy(days: Any) -> int | None:
    """A clawback policy: None or 0 keeps the rewards (the default); N days takes them back
    when the order that crossed the threshold is fully refunded or cancelled within N days."""
    if days is None or days == 0:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= MAX_CLAWBACK_DAYS:
        reason = f"must be a whole number of days from 0 (keep) to {MAX_CLAWBACK_DAYS}"
        raise ValidationError(f"clawback_days {reason}", {"clawback_days": reason})
    return days


def repeat_every(every: Any, kind: str, metric: str) -> int | None:
    if every is None:
        return None
    if kind != "program":
        raise ValidationError("only milestone programs repeat", {"every": "not for order count events"})
    try:
        return validate_threshold(every, metric)
    except ValidationError as exc:
        reason = next(iter(exc.problems.values()), str(exc))
        raise ValidationError(f"every: {reason}", {"every": reason}) from None


def noun(kind: str) -> str:
    return "order count event" if kind == "order_count" else "milestone program"


def active_window(starts_at: Any, ends_at: Any) -> tuple[datetime | None, datetime | None]:
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise ValidationError(f"{field} must be a time with its UTC offset", {field: "not an aware time"})
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValidationError("ends_at must be after starts_at", {"ends_at": "not after starts_at"})
    return starts_at, ends_at


class EditTx(StoresTx, RulesTx, TemplatesTx, UsersTx, EndpointsTx, PoolsTx, AggregatesTx, Protocol):
    """Saving a program: the store locked, its rules, the templates its emails name, the
    users its alerts go to, the endpoints its webhooks send to, the pools it gives codes of
    and the aggregates its texts may show."""


def checked_fields(
    tx: EditTx,
    store_id: int,
    name: Any,
    threshold: Any,
    actions: Any,
    conditions: Any,
    kind: str,
    now: datetime,
    check_url: UrlCheck,
    metric: Any = None,
) -> dict[str, Any]:
    if kind not in RULE_KINDS:
        raise ValidationError(f"unknown kind {kind!r}", {"kind": f"must be one of {', '.join(RULE_KINDS)}"})
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ValidationError(f"the {noun(kind)} needs a name of 1 to 200 characters", {"name": "is required"})
    metric = RULE_KINDS[kind] or metric
    if metric not in METRICS:
        reason = f"must be one of {', '.join(METRICS)}"
        raise ValidationError(f"metric {reason}; got {metric!r}", {"metric": reason})
    store = tx.lock_store(store_id, exclusive=True)
    parsed = validate_actions(actions, store.currency, tx.template_keys(store_id))
    check_external(tx, store, parsed, now, check_url)
    _check_pools(tx, store_id, parsed)
    return {
        "kind": kind,
        "name": name.strip(),
        "metric": metric,
        "threshold": validate_threshold(threshold, metric),
        "conditions": tx.dumps([c.as_dict() for c in validate_conditions(conditions)]),
        "actions": tx.dumps([a.as_dict() for a in parsed]),
    }


def check_external(tx: EditTx, store: Store, actions: tuple[Action, ...], now: datetime, check_url: UrlCheck) -> None:
    """Text messages must render for a sample customer; an alert's agent must be a user; a
    webhook action's URL becomes a webhook endpoint of the store (unless it is one), whose
    secret signs what it gets."""
    for i, action in enumerate(actions):
        if action.type == "send_sms":
            try:
                sample = sample_context(store, aggregate_values.known(tx, store.id))
                render({"subject": "", "body_text": action.param("text")}, sample)
            except TemplateProblem as exc:
                reason = next(iter(exc.problems.values()), str(exc))
                raise ValidationError(f"actions[{i}].text: {reason}", {f"actions[{i}].text": reason}) from None
        elif action.type == "alert" and action.param("assignee"):
            found = tx.user_by_email(action.param("assignee"))
            if found is None or found[0].disabled_at is not None:
                reason = "no active user has this email: add them under Settings > Users first"
                raise ValidationError(f"actions[{i}].assignee: {reason}", {f"actions[{i}].assignee": reason})
        elif action.type == "webhook":
            try:
                ensure_endpoint(tx, now, store.id, action.param("url"), check_url)
            except ValidationError as exc:
                reason = exc.problems.get("url", str(exc))
                raise ValidationError(f"actions[{i}].url: {reason}", {f"actions[{i}].url": reason}) from None


def _check_pools(tx: EditTx, store_id: int, actions: tuple[Action, ...]) -> None:
    """A `pool_code` action names a pool of the store."""
    named = {i: a.param("pool") for i, a in enumerate(actions) if a.type == "pool_code"}
    if not named:
        return
    pools = {p.key for _, p in tx.pools(store_id)}
    problems = {f"actions[{i}].pool": f"no coupon pool {key!r}" for i, key in named.items() if key not in pools}
    if problems:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
