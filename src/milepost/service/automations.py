"""Automations kept: created, changed, switched on and off, deleted, listed; their run log.

An automation is a rule of kind "automation" (its firings, their at-most-once key, the
effects and the log are the programs' own) with a `key`, unique in its store, and its
definition (domain/automations.py) as JSON. The definition is checked when saved
against what the store has: its templates, pools, users and aggregates; the templates
an automation writes itself (a recorded event's properties, an internal email) must
render for a sample customer. Every problem is named by its field path.

Deleting is always allowed: the automation stops and leaves every list, its key can be
used again, and what it did stays in the customers' logs and its run log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import orjson

from milepost.domain.actions import Action
from milepost.domain.automation_misses import REASONS
from milepost.domain.automations import Automation, Known, day_number, parse
from milepost.domain.records import Store
from milepost.domain.rules import Rule
from milepost.errors import Conflict, NotFound, ValidationError
from milepost.service import aggregate_values
from milepost.service.ports import AutomationsTx, Storage, Tx, UrlCheck
from milepost.service.program_fields import check_external
from milepost.service.rendering import TemplateProblem, render
from milepost.service.reports import outcomes_now
from milepost.service.templates import sample_context


@dataclass(frozen=True, slots=True)
class Saved:
    """An automation as stored: its rule id and definition."""

    id: int
    automation: Automation
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Run:
    """One automation's run of one day (what `automation_runs` holds)."""

    id: int
    day: date
    candidates: int  # the trigger held for them
    audience: int  # and the audience let them in
    fired: int  # firings written (a customer the day fired for already is not counted again)
    skipped: int  # in the audience, in no branch ("no branch")
    branches: dict[str, int]  # firings per branch name
    started_at: datetime
    finished_at: datetime
    stopped: int = 0  # the rest of a branch after a wait, not run (automation off, customer left the audience)


@dataclass(frozen=True, slots=True)
class RunCustomer:
    """A customer an automation fired for on a day: the branch, and what each action did."""

    firing_id: int
    customer_id: str
    branch: str | None
    outcomes: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class RunMiss:
    """A customer an automation reached on a day and fired nothing for, and why: `reason`
    (no_branch, left_audience, disabled, branch_gone), in words (`why`), and its `detail`
    (per branch the conditions failed; the branch a wait stopped)."""

    id: int
    customer_id: str
    name: str | None
    email: str | None
    reason: str
    why: str
    detail: dict[str, Any]


def create(db: Storage, now: datetime, store_id: int, raw: Any, check_url: UrlCheck) -> Saved:
    with db.write() as tx:
        store = tx.lock_store(store_id, exclusive=True)
        automation = _checked(tx, store, raw, now, check_url)
        if tx.automation_rows(store_id, automation.key):
            raise Conflict(f"an automation with the key {automation.key!r} already exists")
        values = {**_columns(automation), "store_id": store_id, "version": 1, "arm_seq": 1}
        tx.insert_rule({**values, "created_at": now, "updated_at": now, "conditions": "[]"})
        return _saved(tx.automation_rows(store_id, automation.key)[0], store.currency)


def update(db: Storage, now: datetime, store_id: int, key: str, raw: Any, check_url: UrlCheck) -> Saved:
    """Replace the definition of `key` (the definition may not change its key)."""
    with db.write() as tx:
        store = tx.lock_store(store_id, exclusive=True)
        row = _row(tx, store_id, key)
        automation = _checked(tx, store, raw, now, check_url)
        if automation.key != key:
            raise ValidationError("an automation's key does not change", {"key": f"must stay {key!r}"})
        tx.update_rule(row.id, {**_columns(automation), "version": row.version + 1, "updated_at": now})
        return _saved(_row(tx, store_id, key), store.currency)


def set_active(db: Storage, now: datetime, store_id: int, key: str, active: bool) -> Saved:
    with db.write() as tx:
        store = tx.lock_store(store_id, exclusive=True)
        row = _row(tx, store_id, key)
        definition = {**orjson.loads(row.definition), "active": active}
        tx.update_rule(row.id, {"active": active, "definition": orjson.dumps(definition).decode(), "updated_at": now})
        return _saved(_row(tx, store_id, key), store.currency)


def delete(db: Storage, now: datetime, store_id: int, key: str) -> None:
    with db.write() as tx:
        tx.lock_store(store_id, exclusive=True)
        row = _row(tx, store_id, key)
        tx.update_rule(row.id, {"active": False, "deleted_at": now, "key": None, "updated_at": now})


def get(db: Storage, store: Store, key: str) -> Saved:
    with db.read() as tx:
        return _saved(_row(tx, store.id, key), store.currency)


def list_all(db: Storage, store: Store) -> list[Saved]:
    with db.read() as tx:
        return [_saved(r, store.currency) for r in tx.automation_rows(store.id)]


def runs(db: Storage, store_id: int, key: str, before: int | None = None, limit: int = 50) -> list[Run]:
    """The automation's runs, newest first; `before` (a run's id) pages on."""
    with db.read() as tx:
        row = _row(tx, store_id, key)
        return [_run(r) for r in tx.automation_runs(store_id, row.id, before, limit)]


def run_customers(
    db: Storage, store_id: int, key: str, day: date, after: int = 0, limit: int = 100
) -> list[RunCustomer]:
    """The customers the automation fired for on `day`, by firing id; `after` (a firing's id) pages on."""
    with db.read() as tx:
        row = _row(tx, store_id, key)
        found = tx.automation_firings(store_id, row.id, day_number(day), after, limit)
        logged = {firing_id: orjson.loads(outcomes_json) for firing_id, _, outcomes_json in found}
        delivered = outcomes_now(tx, store_id, logged)  # each message as it stands now, not "queued"
    out = []
    for firing_id, customer, _ in found:
        outcomes = delivered.get(firing_id, logged[firing_id])
        branch = next((o.get("branch") for o in outcomes if o.get("branch")), None)
        out.append(RunCustomer(firing_id, customer, branch, outcomes))
    return out


def run_misses(db: Storage, store_id: int, key: str, day: date, after: int = 0, limit: int = 100) -> list[RunMiss]:
    """The customers the automation reached on `day` and fired nothing for, by id; `after`
    (a miss's id) pages on."""
    with db.read() as tx:
        row = _row(tx, store_id, key)
        found = tx.automation_misses(store_id, row.id, day, after, limit)
    return [
        RunMiss(m.id, m.external_id, m.name, m.email, m.reason, REASONS.get(m.reason, m.reason), orjson.loads(m.detail))
        for m in found
    ]


def stored(row: Any, currency: str) -> Automation:
    """The definition of a stored automation (checked against the store when it was saved)."""
    return parse(orjson.loads(row.definition), currency)


def loaded(tx: AutomationsTx, store: Store) -> list[tuple[Rule, Automation]]:
    """The store's automations, each as the rule its firings name and its definition."""
    return [_loaded(row, store) for row in tx.automation_rows(store.id)]


def loaded_one(tx: Tx, store: Store, key: str) -> tuple[Rule, Automation]:
    """The automation `key` as `loaded` gives it; NotFound when the store has none."""
    return _loaded(_row(tx, store.id, key), store)


def _loaded(row: Any, store: Store) -> tuple[Rule, Automation]:
    rule = Rule(row.id, row.name, 0, (), active=bool(row.active), version=row.version, arm_seq=row.arm_seq)
    return replace(rule, kind="automation"), stored(row, store.currency)


def _checked(tx: Tx, store: Store, raw: Any, now: datetime, check_url: UrlCheck) -> Automation:
    known = Known(
        templates=tx.template_keys(store.id),
        pools={p.key for _, p in tx.pools(store.id)},
        users={u.email for u in tx.users() if u.disabled_at is None},
        aggregates=aggregate_values.known(tx, store.id),
    )
    automation = parse(raw, store.currency, known)
    problems: dict[str, str] = {}
    for b, branch in enumerate(automation.branches):
        _check_actions(tx, store, branch.actions, f"branches[{b}].actions", now, check_url, problems)
        for position, failures in branch.on_failure:
            where = f"branches[{b}].actions[{position}].on_failure"
            _check_actions(tx, store, failures, where, now, check_url, problems)
    if problems:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
    return automation


def _check_actions(
    tx: Tx,
    store: Store,
    actions: tuple[Action, ...],
    where: str,
    now: datetime,
    check_url: UrlCheck,
    problems: dict[str, str],
) -> None:
    """The programs' checks (texts render, agents are users, webhooks become endpoints),
    and the templates only an automation has."""
    try:
        check_external(tx, store, actions, now, check_url)
    except ValidationError as exc:
        problems.update({where + k.removeprefix("actions"): v for k, v in exc.problems.items()})
    context = {**sample_context(store, aggregate_values.known(tx, store.id)), "code": "SAMPLE-CODE"}
    for i, action in enumerate(actions):
        texts = dict(action.param("properties") or {}) if action.type == "record_event" else {}
        if action.type == "internal_email":
            texts = {"subject": action.param("subject"), "body": action.param("body")}
        for name, text in texts.items():
            path = f"{where}[{i}].properties.{name}" if action.type == "record_event" else f"{where}[{i}].{name}"
            try:
                render({"subject": "", "body_text": text}, context)
            except TemplateProblem as exc:
                problems[path] = next(iter(exc.problems.values()), str(exc))


def _columns(a: Automation) -> dict[str, Any]:
    definition = orjson.dumps(a.as_dict()).decode()
    return {
        "kind": "automation",
        "key": a.key,
        "name": a.name,
        "metric": "order_count",
        "threshold": 0,
        "active": a.active,
        "actions": "[]",
        "definition": definition,
    }


def _row(tx: Tx, store_id: int, key: str) -> Any:
    found = tx.automation_rows(store_id, key)
    if not found:
        raise NotFound(f"no automation with the key {key!r}")
    return found[0]


def _saved(row: Any, currency: str) -> Saved:
    return Saved(row.id, stored(row, currency), row.created_at, row.updated_at)


def _run(r: Any) -> Run:
    counts = (r.candidates, r.audience, r.fired, r.skipped)
    return Run(r.id, r.day, *counts, orjson.loads(r.branches), r.started_at, r.finished_at, r.stopped)
