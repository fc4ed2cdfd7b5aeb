"""Settings > Milestone Programs: the store's programs in one table (what each counts and
from which value, whether it repeats, its window in the store's time zone, its clawback
policy, its actions) and the forms to add and edit the three kinds: a milestone on a
metric ("Amount spent ≥ $500.00"), a journey of ordered steps (1st order, then 1st
review) and an inactivity program (90 days without an order). Programs are switched on
and off from the table and deleted after a confirmation; their past milestones stay in
the log. Order count events, the programs on the number of orders, have a page of their
own. Administrators only."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from milepost.bootstrap import Milepost
from milepost.domain.aggregates import METRICS
from milepost.domain.journeys import MAX_STEPS
from milepost.domain.records import Store
from milepost.domain.rules import MAX_INACTIVE_DAYS, Rule
from milepost.domain.users import WebSession
from milepost.entrypoints.web import auth, forms, program_forms, render
from milepost.entrypoints.web.auth import Administrator
from milepost.errors import NotFound, ValidationError
from milepost.service.rules import RuleDetails

router = APIRouter()
PATH = "/{store}/settings/programs"  # under the UI's /admin
BASE = "/admin" + PATH

#: the kinds this page shows, in the order of the table
KINDS = {"program": "Milestone", "journey": "Journey", "inactivity": "Inactivity"}
_NEW = {"program": "New milestone program", "journey": "New journey", "inactivity": "New inactivity program"}
MAX_ID = 2**63 - 1

Save = Callable[[dict[str, Any]], object]


# -- the table ------------------------------------------------------------------------------


@router.get(PATH)
def program_list(request: Request, store: str, session: Administrator) -> Response:
    return _table(request, store, session)


@router.post(PATH + "/{program_id:prg}/toggle")
async def toggle_program(request: Request, store: str, program_id: int, session: Administrator) -> Response:
    d = _live(request, store, program_id)
    await auth.checked_form(request, session)
    try:
        auth.mp_of(request).programs.update(store, program_id, active=not d.rule.active)
    except ValidationError as e:  # it no longer passes the model's checks: say so above the table
        problem = f"“{d.rule.name}” was not switched {'off' if d.rule.active else 'on'}: {e}. Edit it first."
        return _table(request, store, session, problem)
    return render.redirect(BASE.format(store=store))


@router.get(PATH + "/{program_id:prg}/delete")
def confirm_delete(request: Request, store: str, program_id: int, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    row = _row(_live(request, store, program_id), found, auth.mp_of(request).clock())
    return render.page(request, "program_delete.html", session, store=found, program=row, section="programs")


@router.post(PATH + "/{program_id:prg}/delete")
async def delete_program(request: Request, store: str, program_id: int, session: Administrator) -> Response:
    _live(request, store, program_id)  # a 404 for another store's
    await auth.checked_form(request, session)
    auth.mp_of(request).programs.delete(store, program_id)
    return render.redirect(BASE.format(store=store))


def _table(request: Request, store: str, session: WebSession, problem: str = "") -> Response:
    found = auth.store_of(request, store)
    mp = auth.mp_of(request)
    shown = sorted((d for d in mp.programs.list(store) if d.rule.kind in KINDS), key=_place)
    names = {t["key"]: t["name"] for t in mp.templates.list(store)}
    rows = [_row(d, found, mp.clock(), names) for d in shown]
    return render.page(
        request,
        "programs.html",
        session,
        status_code=400 if problem else 200,
        store=found,
        rows=rows,
        problem=problem,
        section="programs",
    )


# -- adding and editing ---------------------------------------------------------------------

NewKind = Literal["journey", "inactivity"]


@router.get(PATH + "/new")
def new_program(request: Request, store: str, session: Administrator) -> Response:
    return _blank_page(request, store, session, "program")


@router.get(PATH + "/new/{kind}")
def new_other(request: Request, store: str, kind: NewKind, session: Administrator) -> Response:
    return _blank_page(request, store, session, kind)


@router.post(PATH + "/new")
async def create_program(request: Request, store: str, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    return await _submit(request, store, session, "program", None, lambda v: mp.programs.create(store, **v))


@router.post(PATH + "/new/{kind}")
async def create_other(request: Request, store: str, kind: NewKind, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    create = mp.programs.create_journey if kind == "journey" else mp.programs.create_inactivity
    return await _submit(request, store, session, kind, None, lambda v: create(store, **v))


@router.get(PATH + "/{program_id:prg}/edit")
def edit_program(request: Request, store: str, program_id: int, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    d = _live(request, store, program_id)
    slots = forms.action_slots([a.as_dict() for a in d.rule.actions], found.currency)
    form = program_forms.saved(d.rule, found)
    return _form_page(request, session, found, form, slots, d, **_about(d.rule.kind, found, d))


@router.post(PATH + "/{program_id:prg}/edit")
async def update_program(request: Request, store: str, program_id: int, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    d = _live(request, store, program_id)
    return await _submit(request, store, session, d.rule.kind, d, lambda v: _update(mp, store, program_id, v))


def _update(mp: Milepost, store: str, program_id: int, values: dict[str, Any]) -> RuleDetails:
    if "days" in values:  # an inactivity program's threshold
        values["threshold"] = values.pop("days")
    return mp.programs.update(store, program_id, **values)


async def _submit(
    request: Request, store: str, session: WebSession, kind: str, details: RuleDetails | None, save: Save
) -> Response:
    """Save the posted form with `save`, then back to the table; or the form again, with
    the errors next to their fields."""
    found = auth.store_of(request, store)
    data = await auth.checked_form(request, session)
    form, values = program_forms.parse(data, found, kind, details)
    if not form.errors:
        try:
            save(values)
        except ValidationError as e:
            program_forms.add_problems(form, e, kind)
        else:
            return render.redirect(BASE.format(store=store))
    slots = forms.slots_from_form(data)
    return _form_page(request, session, found, form, slots, details, 400, **_about(kind, found, details))


def _blank_page(request: Request, store: str, session: WebSession, kind: str) -> Response:
    found = auth.store_of(request, store)
    form = forms.Form({"active": True, "steps": program_forms.step_rows([])})
    slots = forms.action_slots([], found.currency, extra=3)
    return _form_page(request, session, found, form, slots, None, **_about(kind, found, None))


#: The program form: `_form_page(request, session, store, form, slots, details, status=200,
#: **_about(kind, store, details))`.
_form_page = functools.partial(program_forms.editor_page, template="program_form.html", section="programs")


def _about(kind: str, store: Store, details: RuleDetails | None) -> dict[str, Any]:
    """What the program form shows of a program of `kind`: new, or the saved one (`details`)."""
    return {
        "kind": kind,
        "kind_label": KINDS[kind],
        "heading": f"Edit “{details.rule.name}”" if details else _NEW[kind],
        "max_steps": MAX_STEPS,
        "fixed": program_forms.fixed(details.rule, store) if details else {},
        "metrics": program_forms.METRIC_LABELS,
        "money_metrics": program_forms.MONEY_METRICS,
        "max_inactive_days": MAX_INACTIVE_DAYS,
    }


# -- the table's words ------------------------------------------------------------------------


def _live(request: Request, store: str, program_id: int) -> RuleDetails:
    """A program of this page in this store, not deleted (NotFound: a 404 page)."""
    found = auth.mp_of(request).programs.get(store, program_id) if 0 < program_id <= MAX_ID else None
    if found is None or found.deleted_at is not None or found.rule.kind not in KINDS:
        raise NotFound(f"no milestone program {program_id} in this store")
    return found


def _place(d: RuleDetails) -> tuple[int, int, int, int]:
    r = d.rule
    metric = list(METRICS).index(r.metric) if r.metric in METRICS else len(METRICS)
    return list(KINDS).index(r.kind), metric, r.threshold, r.id


def _row(
    d: RuleDetails, store: Store, now: datetime, template_names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What the table shows of a program; an email action by its template's name (its key on hover)."""
    r = d.rule
    return {
        "id": r.id,
        "name": r.name,
        "kind": r.kind,
        "kind_label": KINDS[r.kind],
        "goal": _goal(r, store),
        "repeat": program_forms.repeat(r, store.currency, store.locale),
        "window": _window_text(r, store),
        "window_state": _window_state(r, now),
        "clawback": f"Taken back if refunded within {r.clawback_days} days" if r.clawback_days else "Kept",
        "actions": [program_forms.action_cell(a, store, template_names or {}) for a in r.actions],
        "conditions": ", ".join(("has " if c.present else "lacks ") + c.tag for c in r.conditions),
        "active": r.active,
    }


def _goal(r: Rule, store: Store) -> str:
    """`Amount spent ≥ $500.00`, `Number of orders +1 → Number of reviews +1`, `90 days without an order`."""
    if r.kind == "inactivity":
        return f"{r.threshold:,} days without an order"
    if r.steps:
        return " → ".join(program_forms.step_text(s, store.currency, store.locale) for s in r.steps)
    threshold = program_forms.shown(r.threshold, r.metric, store.currency, store.locale)
    return f"{program_forms.label(r.metric)} ≥ {threshold}"


def _window_text(r: Rule, store: Store) -> str:
    def at(value: datetime | None) -> str:
        return forms.local_time_value(value, store.timezone).replace("T", " ")

    if r.starts_at and r.ends_at:
        return f"{at(r.starts_at)} to {at(r.ends_at)}"
    if r.starts_at:
        return f"From {at(r.starts_at)}"
    return f"Until {at(r.ends_at)}" if r.ends_at else "Always"


def _window_state(r: Rule, now: datetime) -> str:
    if r.starts_at and now < r.starts_at:
        return "not started yet"
    return "ended" if r.ends_at and now >= r.ends_at else ""
