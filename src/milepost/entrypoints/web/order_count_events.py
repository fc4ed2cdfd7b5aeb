"""Settings > Order Count Events: the table, the add and edit form (count, name, one or
more actions, tag conditions, active), switching on and off, and deleting after a
confirmation (past firings stay in the log). Administrators only."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from milepost.domain.actions import ACTION_TYPES
from milepost.domain.records import Store
from milepost.domain.users import WebSession
from milepost.entrypoints.web import auth, forms, program_forms, render
from milepost.entrypoints.web.auth import Administrator
from milepost.errors import ValidationError
from milepost.service.rules import RuleDetails

router = APIRouter()
PATH = "/{store}/settings/order-count-events"  # under the UI's /admin
BASE = "/admin" + PATH


@router.get(PATH)
def event_list(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    mp = auth.mp_of(request)
    names = {t["key"]: t["name"] for t in mp.templates.list(store)}
    rows = [_row(d, found, names) for d in mp.order_count_events.list(store)]
    return render.page(request, "order_count_events.html", session, store=found, rows=rows, section="events")


@router.get(PATH + "/new")
def new_event(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    form = forms.Form({"count": "", "name": "", "active": True, "conditions": ""})
    return _form_page(request, session, found, form, forms.action_slots([], found.currency, extra=3), None)


@router.post(PATH + "/new")
async def create_event(request: Request, store: str, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    return await _submit(request, store, session, None, lambda v: mp.order_count_events.create(store, **v))


@router.get(PATH + "/{event_id:oce}/edit")
def edit_event(request: Request, store: str, event_id: int, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    d = auth.mp_of(request).order_count_events.get(store, event_id)
    r = d.rule
    form = forms.Form(
        {
            "count": str(r.threshold),
            "name": r.name,
            "active": r.active,
            "conditions": ", ".join(("" if c.present else "!") + c.tag for c in r.conditions),
        }
    )
    slots = forms.action_slots([a.as_dict() for a in r.actions], found.currency)
    return _form_page(request, session, found, form, slots, d)


@router.post(PATH + "/{event_id:oce}/edit")
async def update_event(request: Request, store: str, event_id: int, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    details = mp.order_count_events.get(store, event_id)
    return await _submit(request, store, session, details, lambda v: mp.order_count_events.update(store, event_id, **v))


@router.post(PATH + "/{event_id:oce}/toggle")
async def toggle_event(request: Request, store: str, event_id: int, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    d = mp.order_count_events.get(store, event_id)
    await auth.checked_form(request, session)
    mp.order_count_events.set_active(store, event_id, not d.rule.active)
    return render.redirect(BASE.format(store=store))


@router.get(PATH + "/{event_id:oce}/delete")
def confirm_delete(request: Request, store: str, event_id: int, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    d = auth.mp_of(request).order_count_events.get(store, event_id)
    return render.page(request, "confirm_delete.html", session, store=found, event=_row(d, found), section="events")


@router.post(PATH + "/{event_id:oce}/delete")
async def delete_event(request: Request, store: str, event_id: int, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    mp.order_count_events.get(store, event_id)  # a 404 for another store's
    await auth.checked_form(request, session)
    mp.order_count_events.delete(store, event_id)
    return render.redirect(BASE.format(store=store))


async def _submit(
    request: Request,
    store: str,
    session: WebSession,
    details: RuleDetails | None,
    save: Callable[[dict[str, Any]], object],
) -> Response:
    """Save the posted form with `save`, then back to the table; or the form again, with
    the errors next to their fields."""
    found = auth.store_of(request, store)
    data = await auth.checked_form(request, session)
    form, values = _parse(data, found)
    if not form.errors:
        try:
            save(values)
        except ValidationError as e:
            form.add(forms.renumber(e.problems, form.values["_slots"]), str(e))
        else:
            return render.redirect(BASE.format(store=store))
    return _form_page(request, session, found, form, forms.slots_from_form(data), details, status=400)


def _parse(data: dict[str, Any], store: Store) -> tuple[forms.Form, dict[str, Any]]:
    form = forms.Form(
        {
            "count": forms.text(data, "count"),
            "name": forms.text(data, "name"),
            "active": forms.checkbox(data, "active"),
            "conditions": forms.text(data, "conditions"),
        }
    )
    values: dict[str, Any] = {"name": form.values["name"], "active": form.values["active"]}
    try:
        values["count"] = forms.whole(data, "count")
    except forms.FormError as e:
        form.errors[e.field] = str(e)
    if not values["name"]:
        form.errors["name"] = "is required"
    values["actions"] = forms.actions_from(data, store.currency, form)
    if not values["actions"] and "actions" not in form.errors:
        form.errors["actions"] = "add at least one action"
    values["conditions"] = [
        {"tag": tag.lstrip("!").strip(), "has": not tag.startswith("!")}
        for tag in (t.strip() for t in form.values["conditions"].split(","))
        if tag.lstrip("!").strip()
    ]
    return form, values


#: The event form: `_form_page(request, session, store, form, slots, details, status=200)`.
_form_page = functools.partial(program_forms.editor_page, template="order_count_event_form.html", section="events")


def _row(d: RuleDetails, store: Store, template_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What the table shows of an event; an email action by its template's name (its key on hover)."""
    r = d.rule
    return {
        "id": r.id,
        "count": r.threshold,
        "name": r.name,
        "types": [ACTION_TYPES[a.type].label for a in r.actions],
        "details": [program_forms.action_cell(a, store, template_names or {}) for a in r.actions],
        "active": r.active,
        "conditions": ", ".join(("has " if c.present else "lacks ") + c.tag for c in r.conditions),
    }
