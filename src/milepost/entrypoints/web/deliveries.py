"""Logs > Deliveries: the emails, texts and webhooks with their status, filtered by status
and channel and paged from the newest; a delivery with every attempt, where a dead or
failing one is sent again, and a skipped one once the customer can get it. For Agents
and Administrators alike: retrying a delivery is operations, not configuration."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from milepost import formatting
from milepost.domain.delivery import CHANNELS, Delivery
from milepost.domain.ids import format_id
from milepost.domain.records import Store
from milepost.domain.users import WebSession
from milepost.entrypoints.web import auth, forms, render
from milepost.entrypoints.web.auth import SignedIn
from milepost.entrypoints.web.logs import PAGE, customer_url, delivery_url, log_url, positive_id
from milepost.errors import Conflict

router = APIRouter()
DELIVERIES = "/{store}/log/deliveries"  # under the UI's /admin
STATUSES = ("pending", "failing", "sent", "skipped", "dead")
CHANNEL_NAMES = {"email": "Email", "sms": "Text message", "webhook": "Webhook"}


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
        fetched = mp.deliveries.list(store, status, channel, before, PAGE + 1)
        urls = {e.id: e.url for e in mp.webhooks.list(store)}
        rows = [_delivery_row(d, found, urls) for d in fetched[:PAGE]]
        if len(fetched) > PAGE:
            older = _deliveries_url(found, form.values, fetched[PAGE - 1].id)
    newest = _deliveries_url(found, form.values) if before else None
    return render.log_page(
        request,
        "log_deliveries.html",
        session,
        found,
        form,
        rows,
        newest,
        older,
        any_dead=bool(mp.deliveries.list(store, "dead", limit=1)),
        retried=_count(forms.text(query, "retried")),
        statuses={s: s.capitalize() for s in STATUSES},
        channels={c: CHANNEL_NAMES.get(c, c) for c in CHANNELS},
        section="deliveries",
    )


def _deliveries_filters(form: forms.Form, before: str) -> int | None:
    if form.values["status"] and form.values["status"] not in STATUSES:
        form.errors["status"] = "choose a status from the list"
    if form.values["channel"] and form.values["channel"] not in CHANNELS:
        form.errors["channel"] = "choose a channel from the list"
    if not before:
        return None
    number = positive_id(before, "delivery")
    if number is None:
        form.errors[""] = "This page's address is damaged: start again from the newest deliveries."
    return number


def _count(raw: str) -> int | None:
    """How many dead deliveries the last "Retry all dead" queued (None: not just after one)."""
    return int(raw) if re.fullmatch(r"\d{1,9}", raw) else None


def _deliveries_url(store: Store, values: Mapping[str, str], before: int | None = None) -> str:
    return log_url(store, values, before, log="deliveries", before_key="before_id")


@router.post(DELIVERIES + "/retry-dead")
async def retry_dead(request: Request, store: str, session: SignedIn) -> Response:
    found = auth.store_of(request, store)
    await auth.checked_form(request, session)
    count = auth.mp_of(request).deliveries.retry_dead(store)
    return render.redirect(_deliveries_url(found, {"retried": str(count)}))


@router.get(DELIVERIES + "/{delivery_id:dlv}")
def delivery_page(request: Request, store: str, delivery_id: int, session: SignedIn, retried: str = "") -> Response:
    return _delivery_page(request, session, store, delivery_id, retried=retried == "1")


@router.post(DELIVERIES + "/{delivery_id:dlv}/retry")
async def retry_delivery(request: Request, store: str, delivery_id: int, session: SignedIn) -> Response:
    mp, number = auth.mp_of(request), delivery_id
    found = auth.store_of(request, store)
    mp.deliveries.get(store, number)  # another store's: a 404
    await auth.checked_form(request, session)
    try:
        mp.deliveries.retry(store, number)
    except Conflict as e:
        return _delivery_page(request, session, store, number, problem=str(e), status=409)
    return render.redirect(delivery_url(found, number) + "?retried=1")


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
    delivery, attempts = mp.deliveries.get(store, delivery_id)
    urls = {e.id: e.url for e in mp.webhooks.list(store)}
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
    return formatting.when(value, store.timezone, seconds=True)


def _delivery_row(d: Delivery, store: Store, urls: Mapping[int, str]) -> dict[str, Any]:
    status = d.shown_status
    return {
        "id": d.id,
        "url": delivery_url(store, d.id),
        "key": d.key,
        "created": render.when(d.created_at, store),
        "channel": CHANNEL_NAMES.get(d.channel, d.channel),
        "status": status,
        "target": _target(d, urls),
        "customer": d.customer_id,
        "customer_url": customer_url(store, d.customer_id) if d.customer_id else None,
        "milestone_url": log_url(store, {"customer": d.customer_id}) if d.customer_id and d.firing_id else None,
        "firing_id": d.firing_id,
        "attempts": d.attempts,
        "last_code": d.last_code,
        "last_error": d.last_error or "",
        "next_attempt": render.when(d.available_at, store) if d.status == "pending" else "",
        "sent_at": render.when(d.sent_at, store),
        "retryable": status in ("dead", "failing", "skipped"),
    }


def _target(d: Delivery, urls: Mapping[int, str]) -> str:
    """Where the message goes: the email address, the customer's phone, the webhook's URL."""
    payload = _json(d.payload)
    if d.channel == "webhook":
        url = payload.get("url") or (urls.get(d.endpoint_id) if d.endpoint_id is not None else None)
        if url:
            return str(url)
        return (
            f"endpoint {format_id('webhook_endpoint', d.endpoint_id)}" if d.endpoint_id is not None else "no endpoint"
        )
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
