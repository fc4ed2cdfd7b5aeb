"""Settings > Automations > one automation: what it is, in words (its trigger, audience,
branches with their conditions, actions and on-failure lists), and its run log: per day
run, the candidates, the audience, the firings, the firings per branch and those in no
branch; a day's page lists the customers it fired for, each linked, with the branch and
what each action did ("skipped: pool … has no code left"). Agents and Administrators alike."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from milepost.domain.automations import Automation, Condition, condition_dict
from milepost.domain.records import Store
from milepost.entrypoints.action_text import action_text
from milepost.entrypoints.web import auth, automation_forms, logs, render
from milepost.entrypoints.web.auth import SignedIn
from milepost.entrypoints.web.automations import BASE, PATH, AutomationKey, trigger_text

router = APIRouter()
RUNS, CUSTOMERS = 50, 100  # a page of each


@router.get(PATH + "/{key}")
def automation_page(
    request: Request,
    store: str,
    key: AutomationKey,
    session: SignedIn,
    before: Annotated[int | None, Query(ge=1, le=logs.MAX_ID)] = None,
) -> Response:
    """The automation in words and its runs, newest first; `before` (a run's id) pages on."""
    found = auth.store_of(request, store)
    mp = auth.mp_of(request)
    saved = mp.automations.get(store, key)
    fetched = mp.automations.runs(store, key, before, RUNS + 1)
    runs = fetched[:RUNS]
    here = f"{BASE.format(store=store)}/{key}"
    return render.page(
        request,
        "automation.html",
        session,
        store=found,
        automation=describe(saved.automation, found),
        runs=runs,
        base=here,
        older=f"{here}?before={runs[-1].id}" if len(fetched) > RUNS else None,
        newest=here if before else None,
        section="automations",
    )


@router.get(PATH + "/{key}/runs/{day}")
def run_day(
    request: Request,
    store: str,
    key: AutomationKey,
    day: date,
    session: SignedIn,
    after: Annotated[int, Query(ge=0, le=logs.MAX_ID)] = 0,
) -> Response:
    """The customers it fired for on `day`, by firing; `after` (a firing's id) pages on."""
    found = auth.store_of(request, store)
    mp = auth.mp_of(request)
    saved = mp.automations.get(store, key)
    fetched = mp.automations.run(store, key, day, after, CUSTOMERS + 1)
    shown = fetched[:CUSTOMERS]
    here = f"{BASE.format(store=store)}/{key}/runs/{day}"
    rows = [
        {
            "customer": c.customer_id,
            "url": logs.customer_url(found, c.customer_id),
            "branch": c.branch,
            "actions": [_outcome(o, found) for o in c.outcomes if o.get("type")],
        }
        for c in shown
    ]
    return render.page(
        request,
        "automation_run.html",
        session,
        store=found,
        automation_name=saved.automation.name,
        key=key,
        day=day,
        rows=rows,
        runs=[r for r in mp.automations.runs(store, key, limit=RUNS) if r.day == day],
        base=f"{BASE.format(store=store)}/{key}",
        older=f"{here}?after={shown[-1].firing_id}" if len(fetched) > CUSTOMERS else None,
        newest=here if after else None,
        section="automations",
    )


def _outcome(o: dict[str, Any], store: Store) -> dict[str, Any]:
    shown = logs.outcome(o, store)
    if o.get("on_failure"):
        shown["label"] = f"On failure: {shown['label']}"
    if shown["status"] == "skipped" and shown["detail"]:
        shown["status"] = "skipped:"
    return shown


def describe(a: Automation, store: Store) -> dict[str, Any]:
    """The automation in words, as its page shows it."""
    branches = []
    for b in a.branches:
        failures = dict(b.on_failure)
        actions = []
        for i, action in enumerate(b.actions):
            on_failure = [action_text(f, store.currency, store.locale) for f in failures.get(i, ())]
            actions.append({"text": action_text(action, store.currency, store.locale), "on_failure": on_failure})
        branches.append({"name": b.name, "when": condition_text(b.when, store), "actions": actions})
    return {
        "key": a.key,
        "name": a.name,
        "trigger": trigger_text(a.trigger),
        "audience": condition_text(a.audience, store) or "Everyone the trigger finds",
        "branches": branches,
        "active_from": a.active_from,
        "send_at": f"{a.send_at_local_hour:02}:00" if a.send_at_local_hour is not None else "",
        "active": a.active,
    }


def condition_text(c: Condition | None, store: Store) -> str:
    """`email is a valid address and email_consent is (true / false) true`, nested groups in brackets."""
    return _said(condition_dict(c), store) if c is not None else ""


def _said(c: dict[str, Any] | None, store: Store) -> str:
    if c is None:
        return ""
    for group in ("all", "any"):
        if group in c:
            parts = [_said(i, store) for i in c[group]]
            joined = (" and " if group == "all" else " or ").join(parts)
            return joined if len(parts) == 1 else f"({joined})" if group == "any" else joined
    if "not" in c:
        return f"not ({_said(c['not'], store)})"
    value = automation_forms.typed_value(c["field"], c["op"], c.get("value"), store.currency)
    op = {"valid": "is a valid address", "present": "is present", "is": "is"}.get(c["op"], c["op"])
    return " ".join(p for p in (c["field"], op, value) if p)
