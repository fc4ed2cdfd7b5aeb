"""The Milestone Programs forms, read and written: what an administrator types into the
forms to add and edit a milestone program, a journey or an inactivity program, turned into
the values the Python API takes (an amount like 500.00 in the store's currency, a window
in the store's time zone, a journey's steps in order); the model's problems with them put
back as errors next to their fields; and a saved program shown in its edit form as it was
typed. Also the words for a metric and its values ("Amount spent", "$500.00") that the
form and the programs table share, and the page of a form with the action editor (a
program's, or an order count event's: the programs on the number of orders)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Request, Response

from milepost.domain.aggregates import METRICS
from milepost.domain.journeys import MAX_STEPS, Step
from milepost.domain.records import Store
from milepost.domain.rules import MAX_INACTIVE_DAYS, Rule
from milepost.domain.users import WebSession
from milepost.entrypoints.action_text import action_text
from milepost.entrypoints.web import auth, forms, render
from milepost.errors import ValidationError
from milepost.formatting import LOCALE, money, units
from milepost.service.rules import RuleDetails

#: what each metric counts, in the operator's words
METRIC_LABELS = {
    "order_count": "Number of orders",
    "amount_spent": "Amount spent",
    "review_count": "Number of reviews",
    "referral_count": "Number of referrals",
    "billing_cycles": "Subscription billing cycles",
    "points_earned": "Points earned",
}
MONEY_METRICS = frozenset({"amount_spent"})  # typed in the store's currency, like 500.00
MAX_NAME = 200  # the model's limit
_FIELDS = frozenset({"name", "metric", "threshold", "every", "days", "starts_at", "ends_at", "clawback_days", "steps"})
_STEP = re.compile(r"^steps\[(\d+)\](?:\.(metric|count))?")


# -- the form to values and back ------------------------------------------------------------


def parse(
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
        before = getattr(details.rule, name) if details else None
        if details and forms.text(data, name) == forms.local_time_value(before, store.timezone):
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
    return step_rows([s for s in typed if s["metric"] or s["count"]])


def step_rows(steps: list[dict[str, str]]) -> list[dict[str, str]]:
    """The journey form's rows: the steps, then empty ones up to MAX_STEPS."""
    return steps + [{"metric": "", "count": ""} for _ in range(MAX_STEPS - len(steps))]


def add_problems(form: forms.Form, e: ValidationError, kind: str) -> None:
    """The model's problems next to the fields of this form; the others on top."""
    problems = forms.renumber(e.problems, form.values.get("_slots", []))
    found = {}
    for key, reason in problems.items():
        name = _field_of(key, kind, form.values.get("_steps", []))
        found[name] = reason if name else f"{key}: {reason}"
    form.add(found, str(e))


def _field_of(key: str, kind: str, rows: list[int]) -> str:
    if key.startswith("actions"):
        return key  # Form.add knows the action editor's fields
    if key.startswith("conditions"):
        return "conditions"
    m = _STEP.match(key)
    if m:
        i = int(m.group(1))
        return f"step-{rows[i] if i < len(rows) else i}-{m.group(2) or 'metric'}"
    if key == "threshold" and kind == "inactivity":
        return "days"
    return key if key in _FIELDS else ""


def saved(r: Rule, store: Store) -> forms.Form:
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


def fixed(r: Rule, store: Store) -> dict[str, Any]:
    """What an edit shows but cannot change: the metric, the repeat step, a journey's steps."""
    return {
        "metric": label(r.metric),
        "every": repeat(r, store.currency, store.locale),
        "steps": [step_text(s, store.currency, store.locale) for s in r.steps],
    }


def _typed_value(value: int, metric: str, currency: str) -> str:
    """A value as the form takes it: 500.00 for money, else the number."""
    if metric not in MONEY_METRICS:
        return str(value)
    return units(value, currency)


# -- the words the form and the table share -------------------------------------------------


def label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric)


def shown(value: int, metric: str, currency: str, locale: str = LOCALE) -> str:
    return money(value, currency, locale) if metric in MONEY_METRICS else f"{value:,}"


def step_text(step: Step, currency: str, locale: str = LOCALE) -> str:
    return f"{label(step.metric)} +{shown(step.count, step.metric, currency, locale)}"


def repeat(r: Rule, currency: str, locale: str = LOCALE) -> str:
    if r.every:
        return f"Again every {shown(r.every, r.metric, currency, locale)}"
    return "Once per lapse" if r.kind == "inactivity" else "Once per customer"


def action_cell(action: Any, store: Store, template_names: Mapping[str, str]) -> dict[str, str]:
    """An action in a table: its words, an email by its template's name, and what hovering
    it says (the template's key)."""
    a = action.as_dict()
    if a["type"] != "send_email":
        return {"text": action_text(a, store.currency, store.locale), "title": ""}
    return {"text": f"email “{template_names.get(a['template'], a['template'])}”", "title": f"template {a['template']}"}


def editor_page(
    request: Request,
    session: WebSession,
    store: Store,
    form: forms.Form,
    slots: list[dict[str, str]],
    details: RuleDetails | None,
    status: int = 200,
    *,
    template: str,
    **context: Any,
) -> Response:
    """The page `template` of a form with the action editor, new (`details` None) or of a
    saved program, with the store's email templates for its email actions and how many
    customers an email would reach today."""
    mp = auth.mp_of(request)
    keys = [t["key"] for t in mp.templates.list(store.key)]
    pool_keys = [p.key for p in mp.pools.list(store.key)]
    return render.page(
        request,
        template,
        session,
        status_code=status,
        store=store,
        form=form,
        details=details,
        **context,
        **forms.action_editor(slots, keys, mp.customers.email_reach(store.key).describe(), pool_keys),
    )
