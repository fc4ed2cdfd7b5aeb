"""A customer's page: their counts and totals, tags, credit and points ledgers, discount
codes, milestones reached and what each did, the emails and texts sent, their latest
events, and how far they are from the next milestones. Agents and Administrators alike
(Administrators also see the automations they may start for the customer); the list is
in customer_list.py, what they do on the page in customer_actions.py."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from milepost.bootstrap import Milepost
from milepost.domain.aggregates import METRICS
from milepost.domain.codes import check
from milepost.domain.delivery import Delivery
from milepost.domain.progress import ahead
from milepost.domain.records import MilestoneReached, Store
from milepost.domain.users import WebSession
from milepost.entrypoints.web import auth, customer_events, forms, logs, render
from milepost.entrypoints.web.aggregates import describe
from milepost.entrypoints.web.auth import SignedIn
from milepost.entrypoints.web.logs import customer_url
from milepost.formatting import store_money

router = APIRouter()
_UNITS = {
    "order_count": ("order", "orders"),
    "review_count": ("review", "reviews"),
    "referral_count": ("referral", "referrals"),
    "billing_cycles": ("renewal", "renewals"),
    "points_earned": ("point", "points"),
}


@router.get("/{store}/customers/{customer_id:path}")
def customer_page(
    request: Request, store: str, customer_id: str, session: SignedIn, done: str = "", events: str = ""
) -> Response:
    return customer_view(request, session, store, customer_id, notice=NOTICES.get(done, ""), events=events)


#: What the page says after an action on it (`?done=...`).
NOTICES = {
    "tags": "Tags saved. No milestone fires for it: conditions on tags see the change at the customer's next event.",
    "credit": "Credit adjusted.",
    "points": "Points adjusted.",
    "resent": "Queued to be sent again now, with a fresh schedule: the worker picks it up within moments.",
}


def customer_view(
    request: Request,
    session: WebSession,
    store: str,
    customer_id: str,
    notice: str = "",
    problem: str = "",
    status: int = 200,
    adjust: forms.Form | None = None,
    events: str = "",
) -> Response:
    """The customer's page, with what an action on it did (`notice`) or why it did not
    (`problem`, and the adjustment form as typed, with its errors); `events`: where its
    event history's page starts (customer_events.py)."""
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
        messages=[_message(d, found, session) for d in mp.customers.messages(store, customer_id)],
        fired=_fired(found, report.milestones),
        next_up=next_up,
        metrics=METRICS,
        events=customer_events.history(mp, found, customer_id, customer_url(found, customer_id), events),
        tag_changes=mp.customers.tag_changes(store, customer_id),
        aggregates=_aggregates(mp, store, customer_id),
        page_url=customer_url(found, customer_id),
        notice=notice,
        problem=problem,
        adjust=adjust or forms.Form({"unit": "credit", "key": uuid.uuid4().hex}),
        startable=_startable(mp, store, session),
        start_key=uuid.uuid4().hex,
        section="customers",
        status_code=status,
    )


def _startable(mp: Milepost, store: str, session: WebSession) -> dict[str, str]:
    """The automations an Administrator may start for the customer (a manual, event or
    milestone trigger), by key; none for an Agent."""
    if not session.user.is_administrator:
        return {}
    found = [a.automation for a in mp.automations.list(store)]
    return {a.key: a.name + ("" if a.active else " (off)") for a in found if not a.trigger.daily}


def _left(metric: str, remaining: int, store: Store) -> str:
    if metric == "amount_spent":
        return f"{store_money(store, remaining)} to spend"
    one, many = _UNITS.get(metric, ("", ""))
    return f"{remaining:,} {one if remaining == 1 else many}"


def _fired(store: Store, milestones: Sequence[MilestoneReached]) -> list[dict[str, Any]]:
    """The customer's milestones, newest first, as the log shows them (each action's
    outcome, its message as its delivery stands now)."""
    return [logs.firing_row(m, store) for m in reversed(milestones)]


def _message(d: Delivery, store: Store, session: WebSession) -> list[Any]:
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
    cells = [
        render.when(d.created_at, store),
        what,
        status,
        render.when(d.sent_at, store),
        render.link(url, "attempts"),
    ]
    return [*cells, _resend(d, store, session) if d.status != "sent" else ""]


def _resend(d: Delivery, store: Store, session: WebSession) -> Markup:
    """The message's Re-send button: the retry capability says whether it may be sent again."""
    action = f"{customer_url(store, d.customer_id or '')}/messages/{d.id}/resend"
    return Markup(
        '<form method="post" action="{}" class="inline"><input type="hidden" name="csrf_token" value="{}">'
        '<button type="submit">Re-send</button></form>'
    ).format(action, session.csrf_token)


def _aggregates(mp: Milepost, store: str, customer_id: str) -> dict[str, Any]:
    """The store's aggregates with the customer's value of each as of today (store-local)."""
    defined = mp.aggregates.list(store)
    if not defined:
        return {"today": None, "rows": []}
    values = mp.aggregates.values(store, customer_id)
    rows = [{"key": a.key, "name": a.name, "describe": describe(a), "value": values.get(a.key, 0)} for a in defined]
    return {"today": mp.aggregates.today(store), "rows": rows}
