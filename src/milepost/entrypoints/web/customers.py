"""Customers: a list to search (by id, email or name) and filter (by tag, order count and
spend), exported as CSV, and a customer's page (their counts and totals, tags, credit and
points ledgers, discount codes, milestones reached and what each did, the emails and
texts sent, their latest events, and how far they are from the next milestones).
Agents and Administrators alike; what they do on the page is in customer_actions.py."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from markupsafe import Markup

from milepost.domain.aggregates import METRICS
from milepost.domain.codes import check
from milepost.domain.delivery import Delivery
from milepost.domain.progress import ahead
from milepost.domain.records import CustomerLine, MilestoneReached, Store
from milepost.domain.users import WebSession
from milepost.entrypoints.web import auth, forms, logs, render
from milepost.entrypoints.web.auth import SignedIn
from milepost.entrypoints.web.logs import customer_url
from milepost.errors import ValidationError
from milepost.formatting import money, units
from milepost.service.ports.customers import CustomerFilter, EventLine

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
def customer_list(request: Request, store: str, session: SignedIn) -> Response:
    found = auth.store_of(request, store)
    form, where = _filters(request.query_params, found)
    cells: list[list[Any]] = []
    next_url = None
    after = forms.text(request.query_params, "after")[:200] or None
    rows = _page(request, store, where, after, form)
    if rows:
        shown = rows[:PAGE]
        if len(rows) > PAGE:
            next_url = _list_url(found, form.values, "customers", after=shown[-1].external_id)
        cells = [_cells(c, found) for c in shown]
    return render.page(
        request,
        "customers.html",
        session,
        status_code=400 if form.errors else 200,
        store=found,
        form=form,
        rows=cells,
        filtered=any(form.values.values()),
        next_url=next_url,
        export_url=_list_url(found, form.values, "customers.csv"),
        section="customers",
    )


@router.get("/{store}/customers.csv")
def customer_export(request: Request, store: str, session: SignedIn) -> Response:
    """The list's customers as CSV, every page of them, streamed as they are read."""
    found = auth.store_of(request, store)
    form, where = _filters(request.query_params, found)
    lines = None
    try:
        lines = auth.mp_of(request).customers.export(store, **asdict(where)) if where is not None else None
    except ValidationError as e:
        form.errors.update(e.problems)
    if lines is None or form.errors:
        problems = "; ".join(f"{k}: {v}" for k, v in form.errors.items())
        return Response(f"error: {problems}\n", status_code=400, media_type="text/plain")
    headers = {**render.HEADERS, "Content-Disposition": f'attachment; filename="customers-{found.key}.csv"'}
    return StreamingResponse(_csv(lines, found), media_type="text/csv; charset=utf-8", headers=headers)


CSV_COLUMNS = ("customer_id", "name", "email", "order_count", "amount_spent", "currency", "last_order_at")


def _csv(lines: Iterable[CustomerLine], store: Store) -> Iterator[str]:
    """A header row, then one row per customer (spend in major units, times in UTC ISO
    8601), written out a thousand rows at a time."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for n, c in enumerate(lines, start=1):
        last = c.last_order_at.isoformat() if c.last_order_at else ""
        spent = units(c.amount_spent, store.currency)
        writer.writerow((c.external_id, _cell(c.name), _cell(c.email), c.order_count, spent, store.currency, last))
        if n % 1000 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _cell(value: str | None) -> str:
    """A name or email as typed by customers; one a spreadsheet would run as a formula
    gets a leading apostrophe, so it stays text."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value or ""


def _page(
    request: Request, store: str, where: CustomerFilter | None, after: str | None, form: forms.Form
) -> list[CustomerLine]:
    """A page of the customers `where` picks, and one more if there is a next page; none
    when a filter does not parse or makes no sense (the form says why)."""
    if where is None:
        return []
    try:
        return auth.mp_of(request).customers.list(store, after=after, limit=PAGE + 1, **asdict(where))
    except ValidationError as e:
        form.errors.update(e.problems)
        return []


def _cells(c: CustomerLine, store: Store) -> list[Any]:
    return [
        render.link(customer_url(store, c.external_id), c.external_id),
        c.name or "",
        c.email or "",
        c.order_count,
        money(c.amount_spent, store.currency),
        render.when(c.last_order_at, store),
    ]


FILTERS = ("q", "tag", "min_orders", "max_orders", "min_spent", "max_spent")


def _filters(query: Mapping[str, Any], store: Store) -> tuple[forms.Form, CustomerFilter | None]:
    """The list's filters as typed (amounts as people write them) and what they pick; None
    with the form's errors when one does not parse."""
    form = forms.Form({k: forms.text(query, k)[:320] for k in FILTERS})
    parsed: dict[str, Any] = {"q": form.values["q"], "tag": form.values["tag"] or None}
    for name in FILTERS[2:]:
        try:
            if name.endswith("orders"):
                parsed[name] = forms.whole(form.values, name, required=False)
            else:
                parsed[name] = forms.money(form.values, name, store.currency)
        except forms.FormError as e:
            form.errors[name] = str(e)
    return form, None if form.errors else CustomerFilter(**parsed)


def _list_url(store: Store, values: Mapping[str, str], path: str, after: str | None = None) -> str:
    given = {k: v for k, v in values.items() if v}
    if after is not None:
        given["after"] = after
    query = f"?{urlencode(given)}" if given else ""
    return f"/admin/{quote(store.key, safe='')}/{path}{query}"


@router.get("/{store}/customers/{customer_id:path}")
def customer_page(request: Request, store: str, customer_id: str, session: SignedIn, done: str = "") -> Response:
    return customer_view(request, session, store, customer_id, notice=NOTICES.get(done, ""))


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
) -> Response:
    """The customer's page, with what an action on it did (`notice`) or why it did not
    (`problem`, and the adjustment form as typed, with its errors)."""
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
        events=[_event(e, found) for e in mp.customers.events(store, customer_id)],
        tag_changes=mp.customers.tag_changes(store, customer_id),
        page_url=customer_url(found, customer_id),
        notice=notice,
        problem=problem,
        adjust=adjust or forms.Form({"unit": "credit", "key": uuid.uuid4().hex}),
        section="customers",
        status_code=status,
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


def _event(e: EventLine, store: Store) -> list[Any]:
    """A row of the customer's events: when, what (a custom event's name), amount, order."""
    try:
        payload = orjson.loads(e.payload)
    except orjson.JSONDecodeError:
        payload = {}
    payload = payload if isinstance(payload, dict) else {}
    name = payload.get("name") if e.type == "custom" else None
    what = f"{e.type}: {name}" if isinstance(name, str) else e.type
    amount = payload.get("refund_amount", payload.get("total"))
    currency = payload.get("currency")
    currency = currency if isinstance(currency, str) else store.currency
    shown = money(amount, currency) if type(amount) is int else ""
    return [render.when(e.occurred_at, store), what, shown, e.order_id or ""]


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
