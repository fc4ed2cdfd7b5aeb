"""Customers: a list to search by id prefix or by email, and a customer's page (their
counts and totals, tags, credit and points ledgers, discount codes, milestones reached
and what each did, the emails and texts sent, and how far they are from the next
milestones). Agents and Administrators alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from milepost.domain.aggregates import METRICS
from milepost.domain.codes import check
from milepost.domain.delivery import Delivery
from milepost.domain.progress import ahead
from milepost.domain.records import MilestoneReached, Store
from milepost.entrypoints.web import auth, logs, render
from milepost.entrypoints.web.auth import SignedIn
from milepost.formatting import money

router = APIRouter()
PAGE = 50
_UNITS = {
    "order_count": ("order", "orders"),
    "review_count": ("review", "reviews"),
    "referral_count": ("referral", "referrals"),
    "billing_cycles": ("renewal", "renewals"),
    "points_earned": ("point", "points"),
}


@router.get("/{store}/customers")
def customer_list(request: Request, store: str, session: SignedIn, q: str = "", after: str | None = None) -> Response:
    found = auth.store_of(request, store)
    q = q.strip()[:320]
    mp = auth.mp_of(request)
    if "@" in q:  # an email address: exact (an index lookup), never paged past 50
        rows = mp.customers.by_email(store, q, limit=PAGE)
    else:
        rows = mp.customers.list(store, prefix=q[:200], after=after, limit=PAGE + 1)
    more = rows[PAGE].external_id if len(rows) > PAGE else None
    shown = rows[:PAGE]
    next_after = shown[-1].external_id if more else None
    cells = [
        [
            render.link(f"/admin/{quote(store, safe='')}/customers/{quote(c.external_id, safe='')}", c.external_id),
            c.name or "",
            c.email or "",
            c.order_count,
            money(c.amount_spent, found.currency),
            render.when(c.last_order_at, found),
        ]
        for c in shown
    ]
    return render.page(
        request, "customers.html", session, store=found, rows=cells, q=q, next_after=next_after, section="customers"
    )


@router.get("/{store}/customers/{customer_id:path}")
def customer_page(request: Request, store: str, customer_id: str, session: SignedIn) -> Response:
    mp = auth.mp_of(request)
    found = auth.store_of(request, store)
    report = mp.customers.get(store, customer_id)
    now = mp.clock()
    rules = [d.rule for d in mp.programs.list(store)]
    reached = {(m.rule_id, m.occurrence) for m in report.milestones}
    next_up = [
        {
            "name": a.rule.name,
            "left": _left(a.rule.metric, a.remaining, found),
            "value": a.value,
            "mark": a.value + a.remaining,
        }
        for a in ahead(rules, report.aggregates, reached, now)
    ]
    codes = [{"issued": c, "status": check(c.code, c.code.customer_id, now).status} for c in report.codes]
    return render.page(
        request,
        "customer.html",
        session,
        store=found,
        c=report,
        points=mp.ledgers.entries(store, customer_id, unit="points"),
        codes=codes,
        messages=[_message(d, found) for d in mp.customers.messages(store, customer_id)],
        fired=_fired(found, report.milestones),
        next_up=next_up,
        metrics=METRICS,
        section="customers",
    )


def _left(metric: str, remaining: int, store: Store) -> str:
    if metric == "amount_spent":
        return f"{money(remaining, store.currency)} to spend"
    one, many = _UNITS.get(metric, ("", ""))
    return f"{remaining:,} {one if remaining == 1 else many}"


def _fired(store: Store, milestones: Sequence[MilestoneReached]) -> list[dict[str, Any]]:
    """The customer's milestones, newest first, as the log shows them (each action's
    outcome, its message as its delivery stands now)."""
    return [logs.firing_row(m, store) for m in reversed(milestones)]


def _message(d: Delivery, store: Store) -> list[Any]:
    """A row of the customer's messages: when, what, to whom, status (and why not sent), link to its attempts."""
    try:
        payload = orjson.loads(d.payload)
    except orjson.JSONDecodeError:
        payload = {}
    if "agent_alert" in payload:
        what = f"alert email to {payload['agent_alert'].get('assignee')}"
    elif d.channel == "email":
        what = f"email {payload.get('template')!r}"
    else:
        text = str(payload.get("text", ""))
        what = f"text: {text[:60]}{'…' if len(text) > 60 else ''}"
    status = d.shown_status
    if status in ("skipped", "dead", "failing") and d.last_error:
        status = f"{status}: {d.last_error}"  # why it was not sent
    url = f"/admin/{quote(store.key, safe='')}/log/deliveries/{d.id}"
    return [render.when(d.created_at, store), what, status, render.when(d.sent_at, store), render.link(url, "attempts")]
