"""Logs: the milestone log (who reached which milestone, when, on which order, and what each
action did: the credit given, the tag added, the code issued, the email queued or sent),
filtered by customer, program and dates and paged from the newest; and the deliveries
(emails, texts, webhooks) with their status and every attempt, where a dead or failing one
is sent again. For Agents and Administrators alike: retrying a delivery is operations,
not configuration."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from milepost.domain.actions import ACTION_TYPES
from milepost.domain.delivery import CHANNELS, Delivery
from milepost.domain.records import MilestoneReached, Store
from milepost.domain.users import WebSession
from milepost.entrypoints.output import money
from milepost.entrypoints.web import auth, forms, render
from milepost.entrypoints.web.auth import SignedIn
from milepost.errors import Conflict, NotFound

router = APIRouter()
PAGE = 50
MAX_ID = 2**63 - 1  # the largest id a database column holds
LOG = "/{store}/log/milestones"  # under the UI's /admin
DELIVERIES = "/{store}/log/deliveries"
STATUSES = ("pending", "failing", "sent", "skipped", "dead")
CHANNEL_NAMES = {"email": "Email", "sms": "Text message", "webhook": "Webhook"}
_CREDITED = re.compile(r"^credited (-?\d+) ([A-Z]{3})$")


# -- the milestone log ------------------------------------------------------------------------------


@router.get(LOG)
def milestone_log(request: Request, store: str, session: SignedIn) -> Response:
    mp = auth.mp_of(request)
    found = auth.store_of(request, store)
    programs = mp.programs(store, include_deleted=True)
    form, filters = _log_filters(request.query_params, found, {d.rule.id for d in programs})
    rows: list[dict[str, Any]] = []
    older = None
    if not form.errors:
        fetched = mp.milestone_log(store, **filters, limit=PAGE + 1)
        shown = fetched[:PAGE]
        sent = mp.firing_deliveries(store, [m.id for m in shown])
        rows = [firing_row(m, found, sent) for m in shown]
        if len(fetched) > PAGE:
            older = _log_url(found, form.values, before=shown[-1].id)
    return render.page(
        request,
        "log_milestones.html",
        session,
        status_code=400 if form.errors else 200,
        store=found,
        form=form,
        rows=rows,
        programs=[(d.rule.id, _program_name(d.rule.name, d.deleted_at is not None)) for d in programs],
        older=older,
        newest=_log_url(found, form.values) if filters.get("before_id") else None,
        section="milestone-log",
    )


def _log_filters(query: Mapping[str, str], store: Store, rule_ids: set[int]) -> tuple[forms.Form, dict[str, Any]]:
    """The filters as typed (to show them again) and as the log takes them; a value that
    does not parse is an error next to its field."""
    keys = ("customer", "program", "since", "until")
    form = forms.Form({k: forms.text(query, k)[:400] for k in keys})
    v, filters = form.values, {}
    if v["customer"]:
        if len(v["customer"]) > 200 or any(ord(ch) < 32 for ch in v["customer"]):
            form.errors["customer"] = "is not a customer id (at most 200 characters)"
        filters["customer_id"] = v["customer"]
    if v["program"]:
        number = _number(v["program"])
        if number not in rule_ids:
            form.errors["program"] = "choose a program from the list"
        filters["rule_id"] = number
    zone = ZoneInfo(store.timezone)
    since, until = _day(form, "since"), _day(form, "until")
    if since and until and until < since:
        form.errors["until"] = "must not be before the start date"
    filters["since"] = _start_of(since, zone) if since else None
    filters["until"] = _start_of(until + timedelta(days=1), zone) if until and until < date.max else None
    before = forms.text(query, "before")
    if before:
        filters["before_id"] = _number(before)
        if filters["before_id"] is None:
            form.errors[""] = "This page's address is damaged: start again from the newest milestones."
    return form, filters


def _day(form: forms.Form, name: str) -> date | None:
    raw = form.values[name]
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        form.errors[name] = "must be a date like 2026-03-01"
        return None
    form.values[name] = day.isoformat()  # as a date field shows it
    return day


def _start_of(day: date, zone: ZoneInfo) -> datetime | None:
    """The first moment of `day` in the store's time zone, in UTC (None: before or after
    any time there is, so no bound)."""
    try:
        return datetime.combine(day, time(), zone).astimezone(UTC)
    except OverflowError:
        return None


def _number(raw: str) -> int | None:
    """A positive id, `12` or a public one like `dlv_12`; None if it is not one."""
    digits = raw.strip().rpartition("_")[2]
    if not re.fullmatch(r"\d{1,19}", digits) or not 0 < int(digits) <= MAX_ID:
        return None
    return int(digits)


def _log_url(store: Store, values: Mapping[str, str], before: int | None = None) -> str:
    params = {k: v for k, v in values.items() if v}
    if before is not None:
        params["before"] = str(before)
    base = f"/admin/{quote(store.key, safe='')}/log/milestones"
    return f"{base}?{urlencode(params)}" if params else base


def _program_name(name: str, deleted: bool) -> str:
    return f"{name} (deleted)" if deleted else name


def firing_row(m: MilestoneReached, store: Store, sent: Mapping[tuple[int, int], Delivery]) -> dict[str, Any]:
    return {
        "id": m.id,
        "when": render.when(m.fired_at, store),
        "customer": m.customer_id,
        "customer_url": _customer_url(store, m.customer_id),
        "name": m.rule_name,
        "kind": "Order count event" if m.rule_kind == "order_count" else "Program",
        "version": m.rule_version,
        "occurrence": m.occurrence,
        "count": m.value if m.rule_kind == "order_count" else None,
        "order": m.order_id or "",
        "actions": [outcome(a, store, sent.get((m.id, a.get("position", -1)))) for a in m.actions],
    }


def outcome(action: Mapping[str, Any], store: Store, delivery: Delivery | None) -> dict[str, Any]:
    """What one action did, in words; for an email, text or webhook, how its delivery went."""
    kind = str(action.get("type", ""))
    spec = ACTION_TYPES.get(kind)
    detail = str(action.get("detail") or "")
    credited = _CREDITED.match(detail)
    if credited:
        detail = f"credited {money(int(credited.group(1)), credited.group(2))}"
    return {
        "label": spec.label if spec else kind,
        "status": str(action.get("status", "")),
        "detail": detail,
        "delivery": _delivery_status(delivery) if delivery else None,
        "delivery_url": _delivery_url(store, delivery.id) if delivery else None,
    }


def _customer_url(store: Store, customer_id: str) -> str:
    return f"/admin/{quote(store.key, safe='')}/customers/{quote(customer_id, safe='')}"


# -- deliveries ---------------------------------------------------------------------------------------


@router.get(DELIVERIES)
def delivery_list(request: Request, store: str, session: SignedIn) -> Response:
    mp = auth.mp_of(request)
    found = auth.store_of(request, store)
    query = request.query_params
    form = forms.Form({k: forms.text(query, k)[:100] for k in ("status", "channel")})
    before = _deliveries_filters(form, forms.text(query, "before_id"))
    rows: list[dict[str, Any]] = []
    older = None
    if not form.errors:
        status, channel = form.values["status"] or None, form.values["channel"] or None
        fetched = mp.deliveries(store, status, channel, before, PAGE + 1)
        urls = {e.id: e.url for e in mp.webhook_endpoints(store)}
        rows = [_delivery_row(d, found, urls) for d in fetched[:PAGE]]
        if len(fetched) > PAGE:
            older = _deliveries_url(found, form.values, fetched[PAGE - 1].id)
    return render.page(
        request,
        "log_deliveries.html",
        session,
        status_code=400 if form.errors else 200,
        store=found,
        form=form,
        rows=rows,
        older=older,
        newest=_deliveries_url(found, form.values) if before else None,
        any_dead=bool(mp.deliveries(store, "dead", limit=1)),
        retried=_count(forms.text(query, "retried")),
        statuses=[(s, s.capitalize()) for s in STATUSES],
        channels=[(c, CHANNEL_NAMES.get(c, c)) for c in CHANNELS],
        section="deliveries",
    )


def _deliveries_filters(form: forms.Form, before: str) -> int | None:
    if form.values["status"] and form.values["status"] not in STATUSES:
        form.errors["status"] = "choose a status from the list"
    if form.values["channel"] and form.values["channel"] not in CHANNELS:
        form.errors["channel"] = "choose a channel from the list"
    if not before:
        return None
    number = _number(before)
    if number is None:
        form.errors[""] = "This page's address is damaged: start again from the newest deliveries."
    return number


def _count(raw: str) -> int | None:
    """How many dead deliveries the last "Retry all dead" queued (None: not just after one)."""
    return int(raw) if re.fullmatch(r"\d{1,9}", raw) else None


def _deliveries_url(store: Store, values: Mapping[str, str], before: int | None = None) -> str:
    params = {k: v for k, v in values.items() if v}
    if before is not None:
        params["before_id"] = str(before)
    base = f"/admin/{quote(store.key, safe='')}/log/deliveries"
    return f"{base}?{urlencode(params)}" if params else base


@router.post(DELIVERIES + "/retry-dead")
async def retry_dead(request: Request, store: str, session: SignedIn) -> Response:
    found = auth.store_of(request, store)
    await auth.checked_form(request, session)
    count = auth.mp_of(request).retry_dead_deliveries(store)
    return render.redirect(_deliveries_url(found, {"retried": str(count)}))


@router.get(DELIVERIES + "/{delivery_id}")
def delivery_page(request: Request, store: str, delivery_id: str, session: SignedIn, retried: str = "") -> Response:
    return _delivery_page(request, session, store, _id_or_404(delivery_id), retried=retried == "1")


@router.post(DELIVERIES + "/{delivery_id}/retry")
async def retry_delivery(request: Request, store: str, delivery_id: str, session: SignedIn) -> Response:
    mp, number = auth.mp_of(request), _id_or_404(delivery_id)
    found = auth.store_of(request, store)
    mp.delivery(store, number)  # another store's: a 404
    await auth.checked_form(request, session)
    try:
        mp.retry_delivery(store, number)
    except Conflict as e:
        return _delivery_page(request, session, store, number, problem=str(e), status=409)
    return render.redirect(_delivery_url(found, number) + "?retried=1")


def _delivery_page(
    request: Request,
    session: WebSession,
    store: str,
    delivery_id: int,
    retried: bool = False,
    problem: str = "",
    status: int = 200,
) -> Response:
    mp = auth.mp_of(request)
    found = auth.store_of(request, store)
    delivery, attempts = mp.delivery(store, delivery_id)
    urls = {e.id: e.url for e in mp.webhook_endpoints(store)}
    return render.page(
        request,
        "log_delivery.html",
        session,
        status_code=status,
        store=found,
        d=_delivery_row(delivery, found, urls),
        attempts=[{**asdict(a), "started": _to_the_second(a.started_at, found)} for a in attempts],
        payload=_pretty(delivery.payload),
        retried=retried,
        problem=problem,
        section="deliveries",
    )


def _to_the_second(value: datetime, store: Store) -> str:
    return value.astimezone(ZoneInfo(store.timezone)).strftime("%Y-%m-%d %H:%M:%S")


def _id_or_404(raw: str) -> int:
    number = _number(raw)
    if number is None:
        raise NotFound("there is no such delivery")
    return number


def _delivery_row(d: Delivery, store: Store, urls: Mapping[int, str]) -> dict[str, Any]:
    status = _delivery_status(d)
    return {
        "id": d.id,
        "url": _delivery_url(store, d.id),
        "key": d.key,
        "created": render.when(d.created_at, store),
        "channel": CHANNEL_NAMES.get(d.channel, d.channel),
        "status": status,
        "target": _target(d, urls),
        "customer": d.customer_id,
        "customer_url": _customer_url(store, d.customer_id) if d.customer_id else None,
        "milestone_url": _log_url(store, {"customer": d.customer_id}) if d.customer_id and d.firing_id else None,
        "firing_id": d.firing_id,
        "attempts": d.attempts,
        "last_code": d.last_code,
        "last_error": d.last_error or "",
        "next_attempt": render.when(d.available_at, store) if d.status == "pending" else "",
        "sent_at": render.when(d.sent_at, store),
        "retryable": status in ("dead", "failing"),
    }


def _delivery_status(d: Delivery) -> str:
    return "failing" if d.failing else d.status


def _delivery_url(store: Store, delivery_id: int) -> str:
    return f"/admin/{quote(store.key, safe='')}/log/deliveries/{delivery_id}"


def _target(d: Delivery, urls: Mapping[int, str]) -> str:
    """Where the message goes: the email address, the customer's phone, the webhook's URL."""
    payload = _json(d.payload)
    if d.channel == "webhook":
        url = payload.get("url") or (urls.get(d.endpoint_id) if d.endpoint_id is not None else None)
        if url:
            return str(url)
        return f"endpoint whe_{d.endpoint_id}" if d.endpoint_id is not None else "no endpoint"
    customer = payload.get("customer")
    email = customer.get("email") if isinstance(customer, dict) else None
    if d.channel == "email" and email:
        return str(email)
    if d.channel == "sms":
        return "the customer's phone number"
    return "the customer's email address"


def _json(raw: str) -> dict[str, Any]:
    try:
        found = json.loads(raw)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _pretty(raw: str) -> str:
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except ValueError:
        return raw
