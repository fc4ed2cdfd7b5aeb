"""Logs > Milestones: who reached which milestone, when, on which order, and what each
action did (the credit given, the tag added, the code issued, the email sent or skipped and why),
filtered by customer, program and dates and paged from the newest. For Agents and
Administrators alike. The deliveries are in deliveries.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from milepost.domain import ids
from milepost.domain.action_types import AUTOMATION_ACTION_TYPES
from milepost.domain.records import MilestoneReached, Store
from milepost.entrypoints.action_text import outcome_detail
from milepost.entrypoints.web import auth, forms, render
from milepost.entrypoints.web.auth import SignedIn

router = APIRouter()
PAGE = 50
MAX_ID = 2**63 - 1  # the largest id a database column holds
LOG = "/{store}/log/milestones"  # under the UI's /admin


# -- the milestone log ------------------------------------------------------------------------------


@router.get(LOG)
def milestone_log(request: Request, store: str, session: SignedIn) -> Response:
    mp = auth.mp_of(request)
    found = auth.store_of(request, store)
    programs = mp.programs.list(store, include_deleted=True)
    form, filters = _log_filters(request.query_params, found, {d.rule.id for d in programs})
    rows: list[dict[str, Any]] = []
    older = None
    if not form.errors:
        fetched = mp.reports.milestone_log(store, **filters, limit=PAGE + 1)
        shown = fetched[:PAGE]
        rows = [firing_row(m, found) for m in shown]
        if len(fetched) > PAGE:
            older = log_url(found, form.values, before=shown[-1].id)
    newest = log_url(found, form.values) if filters.get("before_id") else None
    choices = {str(d.rule.id): _program_name(d.rule.name, d.deleted_at is not None) for d in programs}
    page = "log_milestones.html"
    return render.log_page(
        request, page, session, found, form, rows, newest, older, programs=choices, section="milestone-log"
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
        number = positive_id(v["program"], "program")
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
        filters["before_id"] = positive_id(before, "milestone")
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


def positive_id(raw: str, kind: str) -> int | None:
    """A positive id of `kind`, `12` or a public one like `dlv_12` (domain/ids.py); None
    if it is not one (another kind's included)."""
    try:
        number = ids.parse_id(kind, raw)
    except ids.BadId:
        return None
    return number if 0 < number <= MAX_ID else None


def log_url(
    store: Store,
    values: Mapping[str, str],
    before: int | None = None,
    log: str = "milestones",
    before_key: str = "before",
) -> str:
    """A page of the log `log` (milestones, deliveries) with the filters `values` that are set,
    from `before` on (as the query parameter `before_key`) when it is given."""
    params = {k: v for k, v in values.items() if v}
    if before is not None:
        params[before_key] = str(before)
    base = f"/admin/{quote(store.key, safe='')}/log/{log}"
    return f"{base}?{urlencode(params)}" if params else base


def _program_name(name: str, deleted: bool) -> str:
    return f"{name} (deleted)" if deleted else name


def firing_row(m: MilestoneReached, store: Store) -> dict[str, Any]:
    return {
        "id": m.id,
        "when": render.when(m.fired_at, store),
        "customer": m.customer_id,
        "customer_url": customer_url(store, m.customer_id),
        "name": m.rule_name,
        "kind": "Order count event" if m.rule_kind == "order_count" else "Program",
        "version": m.rule_version,
        "occurrence": m.occurrence,
        "count": m.value if m.rule_kind == "order_count" else None,
        "order": m.order_id or "",
        "actions": [outcome(a, store) for a in m.actions],
    }


def outcome(action: Mapping[str, Any], store: Store) -> dict[str, Any]:
    """What one action did, in words; an email, text or webhook as its delivery stands now
    (the log reads it so), with a link to that delivery."""
    kind = str(action.get("type", ""))
    spec = AUTOMATION_ACTION_TYPES.get(kind)  # a program's types and an automation's
    detail = outcome_detail(str(action.get("detail") or ""), store.locale)
    return {
        "label": spec.label if spec else kind,
        "status": str(action.get("status", "")),
        "detail": detail,
        "delivery_url": delivery_url(store, action["delivery_id"]) if action.get("delivery_id") else None,
    }


def customer_url(store: Store, customer_id: str) -> str:
    return f"/admin/{quote(store.key, safe='')}/customers/{quote(customer_id, safe='')}"


def delivery_url(store: Store, delivery_id: int) -> str:
    return f"/admin/{quote(store.key, safe='')}/log/deliveries/{delivery_id}"
