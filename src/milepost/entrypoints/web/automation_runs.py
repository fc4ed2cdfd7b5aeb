"""Settings > Automations > one automation: what it is, in words (its trigger, audience,
branches with their conditions, actions and on-failure lists), and its run log: per day
run, the candidates, the audience, the firings, the firings per branch, those in no
branch and the rests after a wait stopped; a day's page lists the customers it fired for,
each linked, with the branch and what each action did ("skipped: pool … has no code
left"), and those it reached and fired nothing for, each with why ("no branch matched",
with the conditions each branch failed; "left the audience"). Agents and Administrators alike."""

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
from milepost.service.automations import RunMiss

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
    missed_after: Annotated[int, Query(ge=0, le=logs.MAX_ID)] = 0,
) -> Response:
    """The customers it fired for on `day`, by firing, and those it fired nothing for;
    `after` (a firing's id) and `missed_after` (a miss's id) page on."""
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
    misses = mp.automations.misses(store, key, day, missed_after, CUSTOMERS + 1)
    missed = [_missed(m, found) for m in misses[:CUSTOMERS]]
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
        missed=missed,
        missed_older=f"{here}?missed_after={misses[CUSTOMERS - 1].id}" if len(misses) > CUSTOMERS else None,
        missed_newest=here if missed_after else None,
        section="automations",
    )


def _missed(m: RunMiss, store: Store) -> dict[str, Any]:
    """A customer it fired nothing for, and why: per branch the conditions failed, or the
    branch a wait stopped (and the audience's conditions failed)."""
    if m.reason == "no_branch":
        details = [f"{b['name']}: {'; '.join(b['failed'])}" for b in m.detail.get("branches", []) if b.get("failed")]
    else:
        details = [f"Branch {m.detail.get('branch')} stopped after its wait", *m.detail.get("failed", [])]
    who = " · ".join(p for p in (m.name, m.email) if p)
    url = logs.customer_url(store, m.customer_id)
    return {"customer": m.customer_id, "who": who, "url": url, "why": m.why, "reason": m.reason, "details": details}


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
