"""Settings > Aggregates: the numbers per customer a store defines (orders in the last 365
days, reviews ever, the sum of a custom event's property over 30 days) that automation
conditions read. The list with a form to create one; an aggregate's page, where it is
changed (all but its key) or deleted, with the reason it cannot be while an automation
uses it. Agents see; Administrators change. A customer's page shows their values
(customers.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from milepost.domain.aggregate_definitions import ORDERS, TYPED_SOURCES, Aggregate
from milepost.domain.records import Store
from milepost.domain.users import WebSession
from milepost.entrypoints.web import auth, forms, render
from milepost.entrypoints.web.auth import Administrator, SignedIn
from milepost.errors import Conflict, ValidationError

router = APIRouter()
PATH = "/{store}/settings/aggregates"  # under the UI's /admin
BASE = "/admin" + PATH
AggregateKey = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
FIELDS = ("key", "name", "function", "source", "property", "window_days")
FUNCTIONS = {"count": "Count", "sum": "Sum"}


@router.get(PATH)
def aggregate_list(request: Request, store: str, session: SignedIn) -> Response:
    empty = forms.Form({"function": "count", "source": ORDERS})
    return _list_page(request, session, auth.store_of(request, store), empty)


@router.post(PATH)
async def create_aggregate(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    form = _posted(await auth.checked_form(request, session))
    try:
        auth.mp_of(request).aggregates.create(store, form.values["key"], **_values(form))
    except forms.FormError as e:
        form.errors[e.field] = str(e)
    except ValidationError as e:
        form.add_error(e, FIELDS)
    except Conflict as e:
        form.errors["key"] = str(e)
    else:
        return render.redirect(f"{BASE.format(store=store)}/{form.values['key']}")
    return _list_page(request, session, found, form, status=400)


@router.get(PATH + "/{key}")
def aggregate_page(request: Request, store: str, key: AggregateKey, session: SignedIn) -> Response:
    aggregate = auth.mp_of(request).aggregates.get(store, key)
    return _page(request, session, auth.store_of(request, store), aggregate, _form_of(aggregate))


@router.post(PATH + "/{key}")
async def update_aggregate(request: Request, store: str, key: AggregateKey, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    aggregate = mp.aggregates.get(store, key)
    form = _posted(await auth.checked_form(request, session))
    form.values["key"] = key
    try:
        mp.aggregates.update(store, key, **_values(form))
    except forms.FormError as e:
        form.errors[e.field] = str(e)
    except ValidationError as e:
        form.add_error(e, FIELDS)
    else:
        return render.redirect(f"{BASE.format(store=store)}/{key}")
    return _page(request, session, auth.store_of(request, store), aggregate, form, status=400)


@router.post(PATH + "/{key}/delete")
async def delete_aggregate(request: Request, store: str, key: AggregateKey, session: Administrator) -> Response:
    """Delete it, or show its page with the reason it cannot be (an automation uses it)."""
    mp = auth.mp_of(request)
    aggregate = mp.aggregates.get(store, key)
    await auth.checked_form(request, session)
    try:
        mp.aggregates.delete(store, key)
    except Conflict as e:
        refused = forms.Form({})
        refused.errors[""] = str(e)
        found = auth.store_of(request, store)
        return _page(request, session, found, aggregate, _form_of(aggregate), status=409, deletion=refused)
    return render.redirect(BASE.format(store=store))


def _posted(data: dict[str, Any]) -> forms.Form:
    return forms.Form({name: forms.text(data, name) for name in FIELDS})


def _values(form: forms.Form) -> dict[str, Any]:
    """The form's fields as `mp.aggregates` takes them; an empty window is all time."""
    v = form.values
    days = forms.whole(v, "window_days", required=False)
    return {
        "name": v["name"],
        "function": v["function"],
        "source": v["source"],
        "property": v["property"] or None,
        "window_days": days,
    }


def _form_of(a: Aggregate) -> forms.Form:
    window = "" if a.window_days is None else str(a.window_days)
    values = {**a.as_dict(), "property": a.property or "", "window_days": window}
    return forms.Form(values)


def _list_page(request: Request, session: WebSession, store: Store, form: forms.Form, status: int = 200) -> Response:
    rows = [_row(a) for a in auth.mp_of(request).aggregates.list(store.key)]
    return render.page(request, "aggregates.html", session, status, store=store, rows=rows, form=form, **_choices())


def _page(
    request: Request,
    session: WebSession,
    store: Store,
    aggregate: Aggregate,
    form: forms.Form,
    status: int = 200,
    deletion: forms.Form | None = None,
) -> Response:
    return render.page(
        request,
        "aggregate.html",
        session,
        status,
        store=store,
        aggregate=_row(aggregate),
        form=form,
        deletion=deletion or forms.Form({}),
        **_choices(),
    )


def _choices() -> dict[str, Any]:
    return {"functions": FUNCTIONS, "sources": (ORDERS, *TYPED_SOURCES), "section": "aggregates"}


def describe(a: Aggregate) -> str:
    """The aggregate in words: "count of orders over the last 365 days"."""
    what = f"sum of {a.property} of {a.source}" if a.property else f"{a.function} of {a.source}"
    if a.function == "sum" and a.source == ORDERS:
        what = "sum of the net totals of orders"
    return f"{what}, " + (f"over the last {a.window_days:,} days" if a.window_days else "all time")


def _row(a: Aggregate) -> dict[str, Any]:
    return {"key": a.key, "name": a.name, "describe": describe(a)}
