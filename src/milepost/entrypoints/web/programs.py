"""Settings > Milestone Programs: the store's programs in one table (what each counts and
from which value, whether it repeats, its window in the store's time zone, its clawback
policy, its actions) and the forms to add and edit the three kinds: a milestone on a
metric ("Amount spent ≥ $500.00"), a journey of ordered steps (1st order, then 1st
review) and an inactivity program (90 days without an order). Programs are switched on
and off from the table and deleted after a confirmation; their past milestones stay in
the log. Order count events, the programs on the number of orders, have a page of their
own. Administrators only."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from milepost.bootstrap import Milepost
from milepost.domain.actions import ACTION_TYPES
from milepost.domain.aggregates import METRICS
from milepost.domain.journeys import MAX_STEPS, Step
from milepost.domain.money import exponent
from milepost.domain.records import Store
from milepost.domain.rules import MAX_INACTIVE_DAYS, Rule
from milepost.domain.users import WebSession
from milepost.entrypoints.output import action_text, money
from milepost.entrypoints.web import auth, forms, render
from milepost.entrypoints.web.auth import Administrator
from milepost.errors import NotFound, ValidationError
from milepost.service.rules import RuleDetails

router = APIRouter()
PATH = "/{store}/settings/programs"  # under the UI's /admin
BASE = "/admin" + PATH

#: the kinds this page shows, in the order of the table
KINDS = {"program": "Milestone", "journey": "Journey", "inactivity": "Inactivity"}
#: what each metric counts, in the operator's words
METRIC_LABELS = {
    "order_count": "Orders placed",
    "amount_spent": "Amount spent",
    "review_count": "Reviews written",
    "referral_count": "Referrals completed",
    "billing_cycles": "Subscription renewals paid",
    "points_earned": "Points earned",
}
MONEY_METRICS = frozenset({"amount_spent"})  # typed in the store's currency, like 500.00
_NEW = {"program": "New milestone program", "journey": "New journey", "inactivity": "New inactivity program"}
MAX_ID = 2**63 - 1
MAX_NAME = 200  # the model's limit
_FIELDS = frozenset({"name", "metric", "threshold", "every", "days", "starts_at", "ends_at", "clawback_days", "steps"})
_STEP = re.compile(r"^steps\[(\d+)\](?:\.(metric|count))?")

Save = Callable[[dict[str, Any]], object]


# -- the table ------------------------------------------------------------------------------


@router.get(PATH)
def program_list(request: Request, store: str, session: Administrator) -> Response:
    return _table(request, store, session)


@router.post(PATH + "/{program_id}/toggle")
async def toggle_program(request: Request, store: str, program_id: int, session: Administrator) -> Response:
    d = _live(request, store, program_id)
    await auth.checked_form(request, session)
    try:
        auth.mp_of(request).update_program(store, program_id, active=not d.rule.active)
    except ValidationError as e:  # it no longer passes the model's checks: say so above the table
        problem = f"“{d.rule.name}” was not switched {'off' if d.rule.active else 'on'}: {e}. Edit it first."
        return _table(request, store, session, problem)
    return render.redirect(BASE.format(store=store))


@router.get(PATH + "/{program_id}/delete")
def confirm_delete(request: Request, store: str, program_id: int, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    row = _row(_live(request, store, program_id), found, auth.mp_of(request).clock())
    return render.page(request, "program_delete.html", session, store=found, program=row, section="programs")


@router.post(PATH + "/{program_id}/delete")
async def delete_program(request: Request, store: str, program_id: int, session: Administrator) -> Response:
    _live(request, store, program_id)  # a 404 for another store's
    await auth.checked_form(request, session)
    auth.mp_of(request).delete_program(store, program_id)
    return render.redirect(BASE.format(store=store))


def _table(request: Request, store: str, session: WebSession, problem: str = "") -> Response:
    found = auth.store_of(request, store)
    mp = auth.mp_of(request)
    shown = sorted((d for d in mp.programs(store) if d.rule.kind in KINDS), key=_place)
    rows = [_row(d, found, mp.clock()) for d in shown]
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
    return await _submit(request, store, session, "program", None, lambda v: mp.create_program(store, **v))


@router.post(PATH + "/new/{kind}")
async def create_other(request: Request, store: str, kind: NewKind, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    create = mp.create_journey if kind == "journey" else mp.create_inactivity_program
    return await _submit(request, store, session, kind, None, lambda v: create(store, **v))


@router.get(PATH + "/{program_id}/edit")
def edit_program(request: Request, store: str, program_id: int, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    d = _live(request, store, program_id)
    slots = forms.action_slots([a.as_dict() for a in d.rule.actions], found.currency)
    return _form_page(request, session, found, d.rule.kind, _saved(d.rule, found), slots, d)


@router.post(PATH + "/{program_id}/edit")
async def update_program(request: Request, store: str, program_id: int, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    d = _live(request, store, program_id)
    return await _submit(request, store, session, d.rule.kind, d, lambda v: _update(mp, store, program_id, v))


def _update(mp: Milepost, store: str, program_id: int, values: dict[str, Any]) -> RuleDetails:
    if "days" in values:  # an inactivity program's threshold
        values["threshold"] = values.pop("days")
    return mp.update_program(store, program_id, **values)


async def _submit(
    request: Request, store: str, session: WebSession, kind: str, details: RuleDetails | None, save: Save
) -> Response:
    """Save the posted form with `save`, then back to the table; or the form again, with
    the errors next to their fields."""
    found = auth.store_of(request, store)
    data = await auth.checked_form(request, session)
    form, values = _parse(data, found, kind, details)
    if not form.errors:
        try:
            save(values)
        except ValidationError as e:
            _add_problems(form, e, kind)
        else:
            return render.redirect(BASE.format(store=store))
    return _form_page(request, session, found, kind, form, forms.slots_from_form(data), details, status=400)


def _blank_page(request: Request, store: str, session: WebSession, kind: str) -> Response:
    found = auth.store_of(request, store)
    form = forms.Form({"active": True, "steps": _step_rows([])})
    return _form_page(request, session, found, kind, form, forms.action_slots([], found.currency, extra=3), None)


def _form_page(
    request: Request,
    session: WebSession,
    store: Store,
    kind: str,
    form: forms.Form,
    slots: list[dict[str, str]],
    details: RuleDetails | None,
    status: int = 200,
) -> Response:
    templates = [t["key"] for t in auth.mp_of(request).templates(store.key)]
    return render.page(
        request,
        "program_form.html",
        session,
        status_code=status,
        store=store,
        kind=kind,
        kind_label=KINDS[kind],
        heading=f"Edit “{details.rule.name}”" if details else _NEW[kind],
        max_steps=MAX_STEPS,
        form=form,
        slots=slots,
        details=details,
        fixed=_fixed(details.rule, store) if details else {},
        metrics=METRIC_LABELS,
        money_metrics=MONEY_METRICS,
        max_inactive_days=MAX_INACTIVE_DAYS,
        action_types=ACTION_TYPES,
        action_params=forms.action_params(),
        labels=forms.PARAM_LABELS,
        email_templates=templates,
        section="programs",
    )


# -- the form to values and back ------------------------------------------------------------


def _parse(
    data: dict[str, Any], store: Store, kind: str, details: RuleDetails | None
) -> tuple[forms.Form, dict[str, Any]]:
    """The values the Python API takes (for `details`, an edit of it), and the form as typed."""
    typed = {name: forms.text(data, name) for name in (*_FIELDS, "conditions")}
    form = forms.Form({**typed, "active": forms.checkbox(data, "active"), "steps": _typed_steps(data)})
    values: dict[str, Any] = {"name": typed["name"], "active": form.values["active"]}
    if not values["name"] or len(values["name"]) > MAX_NAME:
        form.errors["name"] = "is required" if not values["name"] else f"must be at most {MAX_NAME} characters"
    values["conditions"] = forms.tag_conditions(typed["conditions"])
    values["actions"] = forms.actions_from(data, store.currency, form)
    if not values["actions"] and "actions" not in form.errors:
        form.errors["actions"] = "add at least one action"
    values.update(_window(data, store, details, form))
    if kind == "program":
        values.update(_metric_values(data, store, details, form))
    elif kind == "inactivity":
        values["days"] = _read(form, _days, data)
    elif details is None:  # a journey's steps are fixed once created
        values["steps"] = _steps(data, store, form)
    return form, values


def _read(form: forms.Form, read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`read(*args, **kwargs)`, or None with its error next to its field."""
    try:
        return read(*args, **kwargs)
    except forms.FormError as e:
        form.errors[e.field] = str(e)
        return None


def _window(data: dict[str, Any], store: Store, details: RuleDetails | None, form: forms.Form) -> dict[str, Any]:
    """The window's bounds, typed in the store's time zone; empty: no bound. An edit leaves
    out a bound shown as it was, so a time saved to the second stays as it is."""
    found = {}
    for name in ("starts_at", "ends_at"):
        saved = getattr(details.rule, name) if details else None
        if details and forms.text(data, name) == forms.local_time_value(saved, store.timezone):
            continue
        found[name] = _read(form, forms.local_time, data, name, store.timezone)
    return found


def _metric_values(data: dict[str, Any], store: Store, details: RuleDetails | None, form: forms.Form) -> dict[str, Any]:
    """What a program on a metric counts (fixed once created), from which value, every how
    much it repeats (also fixed) and its clawback policy."""
    metric = details.rule.metric if details else forms.text(data, "metric")
    if metric not in METRICS:
        form.errors["metric"] = "choose what the program counts"
        return {}
    found = {
        "threshold": _read(form, _measure, data, "threshold", metric, store.currency, True),
        "clawback_days": _read(form, forms.whole, data, "clawback_days", required=False),
    }
    if details is None:
        found["metric"] = metric
        found["every"] = _read(form, _measure, data, "every", metric, store.currency, False)
    return found


def _measure(data: dict[str, Any], name: str, metric: str, currency: str, required: bool) -> int | None:
    """A value of `metric`: an amount like 500.00 for money, else a whole number."""
    if metric in MONEY_METRICS:
        value = forms.money(data, name, currency)
    elif re.fullmatch(r"\d{16,}", forms.text(data, name).replace(",", "")):
        raise forms.FormError(name, "is too large")
    else:
        value = forms.whole(data, name, required=False)
    if value is None and required:
        raise forms.FormError(name, "is required")
    if value is not None and value < 1:
        raise forms.FormError(name, "must be more than zero")
    return value


def _days(data: dict[str, Any]) -> int:
    days = forms.whole(data, "days")
    if days is None or not 1 <= days <= MAX_INACTIVE_DAYS:
        raise forms.FormError("days", f"must be from 1 to {MAX_INACTIVE_DAYS:,} days")
    return days


def _steps(data: dict[str, Any], store: Store, form: forms.Form) -> list[dict[str, Any]]:
    """A journey's filled steps in order; `form.values["_steps"]` keeps their rows."""
    steps, rows = [], []
    for i in range(MAX_STEPS):
        metric, count = forms.text(data, f"step-{i}-metric"), forms.text(data, f"step-{i}-count")
        if not metric and not count:
            continue
        if metric not in METRICS:
            form.errors[f"step-{i}-metric"] = "choose what this step counts"
            continue
        step: dict[str, Any] = {"metric": metric}
        grows = _read(form, _measure, data, f"step-{i}-count", metric, store.currency, metric in MONEY_METRICS)
        if grows is not None:
            step["count"] = grows
        steps.append(step)
        rows.append(i)
    form.values["_steps"] = rows
    if len(steps) + sum(k.startswith("step-") for k in form.errors) < 2:
        form.errors["steps"] = f"add 2 to {MAX_STEPS} steps, in the order customers must take them"
    return steps


def _typed_steps(data: dict[str, Any]) -> list[dict[str, str]]:
    typed = [
        {"metric": forms.text(data, f"step-{i}-metric"), "count": forms.text(data, f"step-{i}-count")}
        for i in range(MAX_STEPS)
    ]
    return _step_rows([s for s in typed if s["metric"] or s["count"]])


def _step_rows(steps: list[dict[str, str]]) -> list[dict[str, str]]:
    """The journey form's rows: the steps, then empty ones up to MAX_STEPS."""
    return steps + [{"metric": "", "count": ""} for _ in range(MAX_STEPS - len(steps))]


def _add_problems(form: forms.Form, e: ValidationError, kind: str) -> None:
    """The model's problems next to the fields of this form; the others on top."""
    problems = forms.renumber(e.problems, form.values.get("_slots", []))
    found = {}
    for key, reason in problems.items():
        name = _field_of(key, kind, form.values.get("_steps", []))
        found[name] = reason if name else f"{key}: {reason}"
    form.add(found, str(e))


def _field_of(key: str, kind: str, step_rows: list[int]) -> str:
    if key.startswith("actions"):
        return key  # Form.add knows the action editor's fields
    if key.startswith("conditions"):
        return "conditions"
    m = _STEP.match(key)
    if m:
        i = int(m.group(1))
        return f"step-{step_rows[i] if i < len(step_rows) else i}-{m.group(2) or 'metric'}"
    if key == "threshold" and kind == "inactivity":
        return "days"
    return key if key in _FIELDS else ""


def _saved(r: Rule, store: Store) -> forms.Form:
    """The edit form of a program, as saved."""
    return forms.Form(
        {
            "name": r.name,
            "metric": r.metric,
            "threshold": _typed_value(r.threshold, r.metric, store.currency) if r.kind == "program" else "",
            "days": str(r.threshold) if r.kind == "inactivity" else "",
            "starts_at": forms.local_time_value(r.starts_at, store.timezone),
            "ends_at": forms.local_time_value(r.ends_at, store.timezone),
            "clawback_days": "" if r.clawback_days is None else str(r.clawback_days),
            "conditions": forms.conditions_value(r.conditions),
            "active": r.active,
        }
    )


def _fixed(r: Rule, store: Store) -> dict[str, Any]:
    """What an edit shows but cannot change: the metric, the repeat step, a journey's steps."""
    return {
        "metric": _label(r.metric),
        "every": _repeat(r, store.currency),
        "steps": [_step_text(s, store.currency) for s in r.steps],
    }


def _typed_value(value: int, metric: str, currency: str) -> str:
    """A value as the form takes it: 500.00 for money, else the number."""
    if metric not in MONEY_METRICS:
        return str(value)
    places = exponent(currency)
    return f"{Decimal(value).scaleb(-places):.{places}f}"


# -- the table's words ------------------------------------------------------------------------


def _live(request: Request, store: str, program_id: int) -> RuleDetails:
    """A program of this page in this store, not deleted (NotFound: a 404 page)."""
    found = auth.mp_of(request).program(store, program_id) if 0 < program_id <= MAX_ID else None
    if found is None or found.deleted_at is not None or found.rule.kind not in KINDS:
        raise NotFound(f"no milestone program {program_id} in this store")
    return found


def _place(d: RuleDetails) -> tuple[int, int, int, int]:
    r = d.rule
    metric = list(METRICS).index(r.metric) if r.metric in METRICS else len(METRICS)
    return list(KINDS).index(r.kind), metric, r.threshold, r.id


def _row(d: RuleDetails, store: Store, now: datetime) -> dict[str, Any]:
    r = d.rule
    return {
        "id": r.id,
        "name": r.name,
        "kind": r.kind,
        "kind_label": KINDS[r.kind],
        "goal": _goal(r, store.currency),
        "repeat": _repeat(r, store.currency),
        "window": _window_text(r, store),
        "window_state": _window_state(r, now),
        "clawback": f"Taken back if refunded within {r.clawback_days} days" if r.clawback_days else "Kept",
        "actions": [action_text(a, store.currency) for a in r.actions],
        "conditions": ", ".join(("has " if c.present else "lacks ") + c.tag for c in r.conditions),
        "active": r.active,
    }


def _label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric)


def _shown(value: int, metric: str, currency: str) -> str:
    return money(value, currency) if metric in MONEY_METRICS else f"{value:,}"


def _step_text(step: Step, currency: str) -> str:
    return f"{_label(step.metric)} +{_shown(step.count, step.metric, currency)}"


def _goal(r: Rule, currency: str) -> str:
    """`Amount spent ≥ $500.00`, `Orders placed +1 → Reviews written +1`, `90 days without an order`."""
    if r.kind == "inactivity":
        return f"{r.threshold:,} days without an order"
    if r.steps:
        return " → ".join(_step_text(s, currency) for s in r.steps)
    return f"{_label(r.metric)} ≥ {_shown(r.threshold, r.metric, currency)}"


def _repeat(r: Rule, currency: str) -> str:
    if r.every:
        return f"Again every {_shown(r.every, r.metric, currency)}"
    return "Once per lapse" if r.kind == "inactivity" else "Once per customer"


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
