"""Customers: the list, searched (in id, email or name, any case) and filtered (by tag,
order count and spend, typed as people write amounts), paged by id and exported as CSV.
Agents and Administrators alike."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from milepost.domain.records import CustomerLine, Store
from milepost.entrypoints.web import auth, forms, render
from milepost.entrypoints.web.auth import SignedIn
from milepost.entrypoints.web.logs import customer_url
from milepost.errors import ValidationError
from milepost.formatting import store_money, units
from milepost.service.ports.customers import CustomerFilter

router = APIRouter()
PAGE = 50


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
        store_money(store, c.amount_spent),
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
