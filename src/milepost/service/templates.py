"""Email templates, stored per store, rendered in a sandbox (service/rendering.py).

A template is checked when it is saved: it must render for a sample customer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypedDict

from milepost.domain.aggregates import Aggregates
from milepost.domain.records import CustomerReport, Store
from milepost.errors import Conflict, NotFound, ValidationError
from milepost.service import aggregate_values
from milepost.service.existing import existing, find_customer
from milepost.service.ports import Storage
from milepost.service.rendering import Rendered, render
from milepost.service.reports import customer_report

_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")


class Parts(TypedDict):
    """What a template renders: the subject, the text body and the optional HTML body."""

    subject: str
    body_text: str
    body_html: str | None


def save_template(db: Storage, now: datetime, store_id: int, key: str, parts: Parts, name: str | None = None) -> bool:
    """Create or replace the template `key`; True when it is new."""
    problems = {}
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        problems["key"] = "lowercase letters, digits, '.', '-' or '_', at most 100"
    for part in ("subject", "body_text"):
        if not parts[part] or not parts[part].strip():
            problems[part] = "is required"
    if problems:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
    with db.write() as tx:
        store = tx.lock_store(store_id)
        render(
            parts, sample_context(store, aggregate_values.known(tx, store_id))
        )  # refused, with the line and the reason, unless it renders
        return tx.upsert_template(store_id, {"key": key, "name": name or key, **parts}, now)


def list_templates(
    db: Storage, store_id: int, after_key: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """The store's templates by key; `after_key` (the last key seen) and `limit` give one page."""
    with db.read() as tx:
        return tx.list_templates(store_id, after_key, limit)


def get_template(db: Storage, store_id: int, key: str) -> dict[str, Any]:
    with db.read() as tx:
        return existing(tx.template(store_id, key), f"no email template {key!r} in this store")


def delete_template(db: Storage, store_id: int, key: str) -> None:
    """Delete a template no order count event sends; one still in use is a conflict."""
    with db.write() as tx:
        tx.lock_store(store_id, exclusive=True)
        users = [r.name for r in tx.rule_rows(store_id) if _sends(r.actions, key)]
        if users:
            names = ", ".join(repr(n) for n in users)
            raise Conflict(f"the template {key!r} is sent by the order count events {names}; change them first")
        automations = tx.automations_naming(store_id, "template", key)
        if automations:
            names = ", ".join(repr(n) for n in automations)
            raise Conflict(f"the template {key!r} is sent by the automations {names}; change them first")
        if not tx.delete_template(store_id, key):
            raise NotFound(f"no email template {key!r} in this store")


def _sends(actions_json: str, key: str) -> bool:
    return any(a.get("type") == "send_email" and a.get("template") == key for a in json.loads(actions_json))


# -- what a template may use -----------------------------------------------------------


def template_context(
    store: Store,
    customer: CustomerReport,
    milestone: dict[str, Any] | None = None,
    order: dict[str, Any] | None = None,
    reward: dict[str, Any] | None = None,
    aggregates: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The variables of a message: customer, milestone, order, store, reward, and the
    store's aggregates (`{{ aggregates.orders_365d }}`: the customer's value as of the
    day the message is composed, over the whole days before it).
    Amounts are minor units; `{{ x|money(store.currency) }}` shows one as the store's locale
    writes it: "$10.00" (en_US), "10,00 €" (de_DE)."""
    return {
        "customer": {
            "id": customer.external_id,
            "name": customer.name or "",
            "email": customer.email or "",
            "order_count": customer.order_count,
            "amount_spent": customer.amount_spent,
            "credit_balance": customer.balances.get(store.currency, 0),
            "points": customer.points_balance,  # the balance, as `points_balance`
            "points_balance": customer.points_balance,
            "points_earned": customer.points_earned,
            "tags": list(customer.tags),
        },
        "milestone": milestone or {"name": "", "count": customer.order_count},
        "order": order or {"id": "", "total": 0, "currency": store.currency},
        "store": {
            "key": store.key,
            "name": store.name,
            "currency": store.currency,
            "logo_url": store.logo_url or "",
            "locale": store.locale,  # how `money` writes amounts: en_US $10.00, de_DE 10,00 €
        },
        "reward": {"credit_amount": 0, "points": 0, "coupon_code": "", **(reward or {})},
        "aggregates": dict(aggregates or {}),
    }


def sample_context(store: Store, aggregates: Iterable[str] = ()) -> dict[str, Any]:
    """A made-up customer at their 5th order, who just got credit, points and a code, with
    a value for each of the store's `aggregates`: what a template must render for to be
    saved (a template naming an aggregate the store does not define is refused)."""
    sample = CustomerReport(
        external_id="sample-customer",
        email="ada@example.com",
        name="Ada Lovelace",
        email_consent=True,
        sms_consent=False,
        attributes={},
        aggregates=Aggregates(5, 12_500, None, None, points_earned=125),
        tags=("VIP",),
        balances={store.currency: 1_000},
        ledger=(),
        milestones=(),
        created_at=datetime(2026, 1, 1),
        points_balance=625,
    )
    return template_context(
        store,
        sample,
        {"name": "5-Order Club", "count": 5},
        {"id": "sample-order-5", "total": 2_500, "currency": store.currency},
        {"credit_amount": 1_000, "points": 500, "coupon_code": "SAMPLE-CODE"},
        dict.fromkeys(aggregates, 2),
    )


def preview_template(db: Storage, store: Store, key: str, customer_id: str, now: datetime) -> Rendered:
    """`key` rendered for the customer `customer_id`, with their last milestone (if any)
    and the credit, points and code it gave, and their aggregates as of `now`."""
    template = get_template(db, store.id, key)
    return render(template, customer_context(db, store, customer_id, now))


def preview_draft(db: Storage, store: Store, draft: Parts, now: datetime, customer_id: str | None = None) -> Rendered:
    """A template not saved yet (an editor's draft) as the customer `customer_id` would get
    it at `now`; without a customer, as the sample customer every template must render for."""
    if customer_id is None:
        with db.read() as tx:
            return render(draft, sample_context(store, aggregate_values.known(tx, store.id)))
    return render(draft, customer_context(db, store, customer_id, now))


def customer_context(db: Storage, store: Store, customer_id: str, now: datetime) -> dict[str, Any]:
    """The variables of a message to `customer_id` at `now`: their last milestone (if any),
    the credit, points and code it gave, and their aggregates."""
    customer = customer_report(db, store.id, customer_id)
    last = customer.milestones[-1] if customer.milestones else None
    milestone = {"name": last.rule_name, "count": last.value} if last else None
    order = {"id": last.order_id or "", "total": 0, "currency": store.currency} if last else None
    credit = sum(e.amount for e in customer.ledger if last and e.firing_id == last.id)
    points, code = 0, ""
    with db.read() as tx:
        if last is not None:
            points = tx.firing_points(store.id, customer_id, last.id)
            code = tx.firing_code(store.id, customer_id, last.id)
        aggregates = aggregate_values.of_customer(tx, store, find_customer(tx, store.id, customer_id), now)
    reward = {"credit_amount": credit, "points": points, "coupon_code": code}
    return template_context(store, customer, milestone, order, reward, aggregates)
