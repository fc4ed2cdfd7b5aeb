"""Settings > Automations: the store's automations in one table (each one's trigger in
words, whether it is active, its last run's day with its counts), the builder that creates
and edits one (a trigger, an audience of nested condition groups, branches each with its
conditions, its actions and the on-failure list of each pool code, an active-from date, a
local hour for its messages) saved through `mp.automations` with the API's own checks, and
a button that runs the store's daily work for today or a chosen date
(`mp.sweeps.run_daily`). Agents see the table, the run log (automation_runs.py) and the
builder read-only; Administrators change them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from milepost.domain import automations as automation
from milepost.domain import event_filters
from milepost.domain.action_types import AUTOMATION_ACTION_TYPES
from milepost.domain.automations import Trigger
from milepost.domain.records import Store
from milepost.domain.users import WebSession
from milepost.entrypoints.web import auth, automation_forms, forms, render
from milepost.entrypoints.web.auth import Administrator, SignedIn
from milepost.errors import Conflict, ValidationError
from milepost.scheduler.daily import local_today
from milepost.service.automations import Saved

router = APIRouter()
PATH = "/{store}/settings/automations"  # under the UI's /admin
BASE = "/admin" + PATH
AutomationKey = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
HOURS = {str(h): f"{h:02}:00" for h in range(24)}
MAX_DAYS_AWAY = 366  # how far from today the Run button goes


# -- the table and the daily run ----------------------------------------------------------------


@router.get(PATH)
def automation_list(
    request: Request,
    store: str,
    session: SignedIn,
    ran: Annotated[date | None, Query()] = None,
    fired: Annotated[int | None, Query(ge=0)] = None,
    days: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """The table; after a daily run, `ran` (its date), `days` run and automation firings `fired`."""
    done = {"day": ran, "fired": fired or 0, "days": days or 0} if ran else None
    return _list_page(request, session, auth.store_of(request, store), forms.Form(), done)


def _list_page(
    request: Request, session: WebSession, store: Store, form: forms.Form, done: Any = None, status: int = 200
) -> Response:
    mp = auth.mp_of(request)
    saved = mp.automations.list(store.key)
    rows = [_row(s, store, mp.automations.runs(store.key, s.automation.key, limit=1)) for s in saved]
    return render.page(
        request,
        "automations.html",
        session,
        status,
        store=store,
        rows=rows,
        done=done,
        form=form,
        section="automations",
    )


@router.post(PATH + "/run")
async def run_daily(request: Request, store: str, session: Administrator) -> Response:
    """Run the store's daily work for the date typed (empty: today there), with catch-up;
    a date within a year of today (further: `milepost run-daily`, whose catch-up may be long)."""
    found = auth.store_of(request, store)
    data = await auth.checked_form(request, session)
    form = forms.Form({"date": forms.text(data, "date")})
    today = local_today(found, auth.mp_of(request).clock())
    try:
        day = date.fromisoformat(form.values["date"]) if form.values["date"] else today
    except ValueError:
        form.errors["date"] = "must be a date like 2026-03-01"
    else:
        if abs((day - today).days) > MAX_DAYS_AWAY:
            form.errors["date"] = f"must be within {MAX_DAYS_AWAY} days of today ({today}): use milepost run-daily"
    if form.errors:
        return _list_page(request, session, found, form, status=400)
    (run,) = auth.mp_of(request).sweeps.run_daily([store], day)
    fired = sum(t.fired for d in run.days for t in d.automations)
    return render.redirect(f"{BASE.format(store=store)}?ran={run.day}&fired={fired}&days={len(run.days)}")


@router.post(PATH + "/{key}/toggle")
async def toggle(request: Request, store: str, key: AutomationKey, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    saved = mp.automations.get(store, key)
    await auth.checked_form(request, session)
    mp.automations.set_active(store, key, not saved.automation.active)
    return render.redirect(BASE.format(store=store))


def _row(s: Saved, store: Store, runs: list[Any]) -> dict[str, Any]:
    a = s.automation
    last = runs[0] if runs else None
    return {
        "key": a.key,
        "name": a.name,
        "trigger": trigger_text(a.trigger),
        "active": a.active,
        "last": last,
        "last_url": f"{BASE.format(store=store.key)}/{a.key}/runs/{last.day}" if last else "",
    }


_SINCE = {"first_purchase": "after the first paid purchase", "signup": "after sign-up", "inactive": "without an order"}


def trigger_text(t: Trigger) -> str:
    """The trigger in the operator's words: `365 days after the first paid purchase`."""
    days = f"{t.days:,} day{'s' if abs(t.days) != 1 else ''}"
    if t.type in _SINCE:
        return f"{days} {_SINCE[t.type]}"
    if t.type == "date_attribute":
        if t.yearly:
            return f"Each year on the date in “{t.attribute}”"
        when = "on" if not t.days else f"{days.lstrip('-')} {'after' if t.days > 0 else 'before'}"
        return f"{when} the date in “{t.attribute}”"
    if t.type == "event":
        where = ", ".join(event_filters.said(w) for w in t.where)
        return f"When “{t.event}” happens" + (f" ({where})" if where else "")
    if t.type == "milestone":
        return f"When program {t.program} is reached"
    return "Started by a Trigger workflow action"


# -- the builder ------------------------------------------------------------------------------


@router.get(PATH + "/new")
def new_automation(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    typed = {"active": "on", "trigger_type": "first_purchase", "trigger_days": "365", "b0-name": "", "b1-name": ""}
    return _builder(request, session, found, forms.Form(typed), automation_forms.view(typed), None)


@router.post(PATH + "/new")
async def create_automation(request: Request, store: str, session: Administrator) -> Response:
    return await _submit(request, store, session, None)


@router.get(PATH + "/{key}/edit")
def edit_automation(request: Request, store: str, key: AutomationKey, session: SignedIn) -> Response:
    """The builder showing the saved automation, every part of it; an Agent sees it read-only."""
    found = auth.store_of(request, store)
    definition = auth.mp_of(request).automations.get(store, key).automation.as_dict()
    data = automation_forms.encode(definition, found.currency)
    shown = automation_forms.view(data, more=int(session.user.is_administrator))  # an empty branch to fill
    return _builder(request, session, found, forms.Form(data), shown, key)


@router.post(PATH + "/{key}/edit")
async def update_automation(request: Request, store: str, key: AutomationKey, session: Administrator) -> Response:
    auth.mp_of(request).automations.get(store, key)  # a 404 for one the store does not have
    return await _submit(request, store, session, key)


async def _submit(request: Request, store: str, session: WebSession, key: str | None) -> Response:
    """Save the posted builder, then to the table; or the builder again as typed, with each
    problem next to its field (and "Add another branch": the builder with one more, unsaved)."""
    found = auth.store_of(request, store)
    data = await auth.checked_form(request, session)
    built = automation_forms.Builder(data, found.currency, key)
    more = forms.text(data, "more") == "branch"
    if more:
        built.form.errors.clear()
    elif built.form.errors:  # some fields did not parse: the model's word on the others too
        try:
            automation.parse(built.definition, found.currency)
        except ValidationError as e:
            built.add_problems(e)
    else:
        try:
            _save(request, store, key, built.definition)
        except ValidationError as e:
            built.add_problems(e)
        except Conflict as e:
            built.form.errors["key"] = str(e)
        else:
            return render.redirect(BASE.format(store=store))
    shown = automation_forms.view(data, more=int(more))
    return _builder(request, session, found, built.form, shown, key, 400 if built.form.errors else 200)


def _save(request: Request, store: str, key: str | None, definition: dict[str, Any]) -> None:
    mp = auth.mp_of(request)
    if key is None:
        mp.automations.create(store, definition)
    else:
        mp.automations.update(store, key, definition)


def _builder(
    request: Request,
    session: WebSession,
    store: Store,
    form: forms.Form,
    shown: dict[str, Any],
    key: str | None,
    status: int = 200,
) -> Response:
    mp = auth.mp_of(request)
    templates = [t["key"] for t in mp.templates.list(store.key)]
    pools = [p.key for p in mp.pools.list(store.key)]
    aggregates = {a.key: a.name for a in mp.aggregates.list(store.key)}
    reach = mp.customers.email_reach(store.key).describe()
    editor = forms.action_editor([], templates, reach, pools, AUTOMATION_ACTION_TYPES)
    failure_params = forms.action_params(automation_forms.FAILURE_TYPES)
    return render.page(
        request,
        "automation_form.html",
        session,
        status,
        store=store,
        form=form,
        key=key,
        readonly=not session.user.is_administrator,
        failure_types=automation_forms.FAILURE_TYPES,
        failure_params=failure_params,
        **shown,
        trigger_types=automation_forms.TRIGGER_TYPES,
        fields=automation_forms.fields_offered(aggregates),
        ops=automation_forms.OPS,
        where_ops=automation_forms.WHERE_OPS,
        hours=HOURS,
        section="automations",
        **editor,
    )
