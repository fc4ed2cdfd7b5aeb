"""`milepost automations create|list|show|update|enable|disable|delete|runs|run-log|start`:
automations (a daily or event trigger, an audience, branches of actions), kept by key,
their run log, and a start for one customer now.

A definition is the JSON object the HTTP API takes, read from a file (`-` for stdin).
A refused one prints each problem on a line of its own, by its field path
(`branches[0].actions[0].pool: no coupon pool with the key 'spring'`), and exits 2.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import IO, Any, TypeVar

import click

from milepost.domain.ids import format_id
from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option
from milepost.entrypoints.cli.definitions import checked, definition_file, read_definition
from milepost.entrypoints.cli.output import console, plain, print_json, table
from milepost.service.automations import Run, RunCustomer, RunMiss, Saved
from milepost.service.manual_starts import Start

T = TypeVar("T")


def _json(saved: Saved) -> dict[str, Any]:
    return {
        **saved.automation.as_dict(),
        "created_at": saved.created_at.isoformat(),
        "updated_at": saved.updated_at.isoformat(),
    }


def _show(saved: Saved, as_json: bool, done: str) -> None:
    if as_json:
        print_json(_json(saved))
        return
    state = "on" if saved.automation.active else "off"
    click.echo(f"automation {saved.automation.key} {done} ({state})")


@click.group()
def automations() -> None:
    """Automations: a trigger, an audience and branches of actions, run every day."""


@automations.command("create")
@store_option
@definition_file
@json_option
@pass_app
def create(app: App, store: str, file: IO[bytes], as_json: bool) -> None:
    """A new automation from its definition in --file (its key is the definition's)."""
    definition = read_definition(file)
    _show(checked(lambda: app.mp.automations.create(store, definition), "automation"), as_json, "created")


@automations.command("update")
@store_option
@click.argument("key")
@definition_file
@json_option
@pass_app
def update(app: App, store: str, key: str, file: IO[bytes], as_json: bool) -> None:
    """Replace the definition of automation KEY by --file's (the key may be left out there).
    What it fired stays fired."""
    raw = read_definition(file)
    definition = {"key": key, **raw} if isinstance(raw, dict) else raw
    _show(checked(lambda: app.mp.automations.update(store, key, definition), "automation"), as_json, "updated")


@automations.command("list")
@store_option
@json_option
@pass_app
def list_automations(app: App, store: str, as_json: bool) -> None:
    """The store's automations, oldest first."""
    found = app.mp.automations.list(store)
    if as_json:
        print_json([_json(s) for s in found])
        return
    rows = (
        (a.key, a.name, a.trigger.type, len(a.branches), "on" if a.active else "off", a.active_from)
        for a in (s.automation for s in found)
    )
    console().print(table("Automations", ("key", "name", "trigger", "branches", "state", "active from"), rows))


@automations.command("show")
@store_option
@click.argument("key")
@pass_app
def show(app: App, store: str, key: str) -> None:
    """Automation KEY's definition, as JSON (what `create --file` takes)."""
    print_json(_json(app.mp.automations.get(store, key)))


def _switch(name: str, active: bool, help: str) -> None:
    """`automations enable|disable KEY`."""

    @automations.command(name, help=help)
    @store_option
    @click.argument("key")
    @json_option
    @pass_app
    def switch(app: App, store: str, key: str, as_json: bool) -> None:
        _show(app.mp.automations.set_active(store, key, active), as_json, f"{name}d")


_switch("enable", True, "Switch automation KEY on: the daily run runs it from the next day it runs.")
_switch("disable", False, "Switch automation KEY off: the daily run passes it by (the days off are not made up).")


@automations.command("delete")
@store_option
@click.argument("key")
@pass_app
def delete(app: App, store: str, key: str) -> None:
    """Delete automation KEY, fired or not; what it did stays in the logs, and its key may be used again."""
    app.mp.automations.delete(store, key)
    click.echo(f"automation {key} deleted")


def _run_json(run: Run) -> dict[str, Any]:
    out: dict[str, Any] = plain(run)
    out["date"] = out.pop("day")
    return out


@automations.command("runs")
@store_option
@click.argument("key")
@click.option("--limit", type=click.IntRange(1, 1000), default=30, show_default=True, help="At most this many days.")
@json_option
@pass_app
def runs(app: App, store: str, key: str, limit: int, as_json: bool) -> None:
    """Automation KEY's runs, newest first: per day, the customers the trigger held for, the
    audience, firings, those in no branch, the rests after a wait stopped, and firings per branch."""
    found = app.mp.automations.runs(store, key, None, limit)
    if as_json:
        print_json([_run_json(r) for r in found])
        return
    rows = (
        (
            r.day,
            r.candidates,
            r.audience,
            r.fired,
            r.skipped,
            r.stopped,
            ", ".join(f"{b}: {n}" for b, n in r.branches.items()),
        )
        for r in found
    )
    heads = ("date", "candidates", "audience", "fired", "no branch", "stopped", "branches")
    console().print(table(f"Runs of {key}", heads, rows))


def _fired_json(c: RunCustomer) -> dict[str, Any]:
    return {
        "customer_id": c.customer_id,
        "milestone_id": format_id("milestone", c.firing_id),
        "branch": c.branch,
        "actions": c.outcomes,
    }


def _outcomes(outcomes: list[dict[str, Any]]) -> str:
    parts = []
    for o in outcomes:
        mark = " (on failure)" if o.get("on_failure") else ""
        detail = f": {o['detail']}" if o.get("detail") else ""
        parts.append(f"{o.get('type')} {o.get('status')}{mark}{detail}")
    return "; ".join(parts)


@automations.command("run-log")
@store_option
@click.argument("key")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="The store-local date.")
@click.option("--missed", is_flag=True, help="Only the customers it reached and fired nothing for, and why.")
@json_option
@pass_app
def run_log(app: App, store: str, key: str, day: datetime, missed: bool, as_json: bool) -> None:
    """The customers automation KEY fired for on --date: the branch, and what each action did;
    then those it reached and fired nothing for, and why (no branch matched, with the
    conditions each branch failed; the rest of a branch after a wait stopped)."""
    misses = _all(lambda after: app.mp.automations.misses(store, key, day.date(), after, 500), lambda m: m.id)
    if missed:
        if as_json:
            print_json([_missed_json(m) for m in misses])
            return
    else:
        fired = _all(lambda after: app.mp.automations.run(store, key, day.date(), after, 500), lambda c: c.firing_id)
        if as_json:
            print_json([_fired_json(c) for c in fired])
            return
        rows = ((c.customer_id, c.branch, _outcomes(c.outcomes)) for c in fired)
        console().print(table(f"{key} on {day.date()}", ("customer", "branch", "actions"), rows))
    if misses or missed:
        nothing = ((m.customer_id, m.name or "", m.email or "", _why(m)) for m in misses)
        heads = ("customer", "name", "email", "why")
        console().print(table(f"{key} on {day.date()}: fired nothing for", heads, nothing))


def _all(fetch: Callable[[int], list[T]], position: Callable[[T], int]) -> list[T]:
    """Every page of a day's log."""
    found: list[T] = []
    while True:
        page = fetch(position(found[-1]) if found else 0)
        found += page
        if len(page) < 500:
            return found


def _missed_json(m: RunMiss) -> dict[str, Any]:
    return {"customer_id": m.customer_id, "name": m.name, "email": m.email} | {
        "reason": m.reason,
        "why": m.why,
        "detail": m.detail,
    }


def _why(m: RunMiss) -> str:
    """`no branch matched (1-2 orders: orders_365d between [1, 2]: is 0)`."""
    if m.reason == "no_branch":
        parts = [f"{b['name']}: {'; '.join(b['failed'])}" for b in m.detail.get("branches", []) if b.get("failed")]
    else:
        parts = [f"branch {m.detail.get('branch')}", *m.detail.get("failed", [])]
    return f"{m.why} ({'; '.join(parts)})" if parts else m.why


def _start_json(done: Start) -> dict[str, Any]:
    out: dict[str, Any] = plain(done)
    firing = out.pop("firing_id")
    out["milestone_id"] = format_id("milestone", firing) if firing is not None else None
    return {**out, "detail": done.detail}


@automations.command("start")
@store_option
@click.argument("key")
@click.option("--customer", "customer_id", required=True, help="The store's own customer id.")
@click.option(
    "--idempotency-key",
    "request_key",
    default=None,
    help="A retry with the same key starts it once and prints the first start.",
)
@json_option
@pass_app
def start(app: App, store: str, key: str, customer_id: str, request_key: str | None, as_json: bool) -> None:
    """Start automation KEY for --customer now, as a Trigger Workflow action would: the
    audience checked, the branch chosen, its actions fired. Prints the branch and what
    each action did, or why it did not start (then exits 1)."""
    done = app.mp.automations.start(store, key, customer_id, request_key=request_key, actor="cli")
    if as_json:
        print_json(_start_json(done))
    elif done.started:
        again = " (already, by this idempotency key)" if done.repeated else ""
        click.echo(f"automation {key} started for {customer_id}{again}: branch {done.branch!r}")
        click.echo(f"  {_outcomes(done.actions)}")
    else:
        click.echo(f"automation {key} not started for {customer_id}: {done.detail}")
    if not done.started:
        raise SystemExit(1)
