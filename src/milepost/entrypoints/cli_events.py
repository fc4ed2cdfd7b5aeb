"""`milepost events ...`: order count events, the store operator's word for milestone rules."""

from __future__ import annotations

from typing import Any

import click

from milepost.entrypoints.action_flags import (
    ActionCommand,
    action_options,
    collect_actions,
    split_flags,
)
from milepost.entrypoints.context import App, json_option, pass_app, store_option
from milepost.entrypoints.output import action_text, actions_text, console, print_json, table, when
from milepost.service.rules import RuleDetails


def as_dict(d: RuleDetails) -> dict[str, Any]:
    r = d.rule
    return {
        "id": r.id,
        "count": r.threshold,
        "name": r.name,
        "active": r.active,
        "version": r.version,
        "actions": [a.as_dict() for a in r.actions],
        "conditions": [c.as_dict() for c in r.conditions],
        "created_at": d.created_at,
        "updated_at": d.updated_at,
        "deleted_at": d.deleted_at,
    }


def _conditions_text(d: RuleDetails) -> str:
    return ", ".join(f"{'has' if c.present else 'lacks'} {c.tag!r}" for c in d.rule.conditions) or "everyone"


def _report(d: RuleDetails, verb: str, as_json: bool) -> None:
    if as_json:
        print_json({**as_dict(d), "excluded": d.excluded})
        return
    state = "on" if d.rule.active else "off"
    click.echo(
        f"{verb} order count event {d.rule.id} {d.rule.name!r} at {d.rule.threshold} orders "
        f"({state}, version {d.rule.version})"
    )
    if d.excluded > 0:
        click.echo(
            f"  {d.excluded} customers already at or past {d.rule.threshold} orders will not "
            "get it (events are not retroactive)"
        )


@click.group()
def events() -> None:
    """Order count events: what happens when a customer's order count reaches N."""


@events.command("create", cls=ActionCommand)
@store_option
@click.option("--count", type=int, required=True, help="The order count N that triggers the event.")
@click.option("--name", required=True, help="A name the log and the alerts show.")
@action_options
@click.option("--inactive", is_flag=True, help="Create it switched off.")
@json_option
@click.pass_context
def create_event(
    ctx: click.Context,
    store: str,
    count: int,
    name: str,
    inactive: bool,
    as_json: bool,
    **params: Any,
) -> None:
    """Create an order count event; actions run in the order the flags are given."""
    flags, conditions = split_flags(params)
    app = ctx.find_object(App)
    d = app.mp.create_order_count_event(
        store,
        count=count,
        name=name,
        actions=collect_actions(ctx, flags),
        conditions=conditions,
        active=not inactive,
    )
    _report(d, "created", as_json)


@events.command("update", cls=ActionCommand)
@store_option
@click.argument("event_id", metavar="ID", type=int)
@click.option("--count", type=int, help="A new N: only customers who cross it from now on get the event.")
@click.option("--name")
@action_options
@click.option("--clear-conditions", is_flag=True, help="Remove every tag condition.")
@json_option
@click.pass_context
def update_event(
    ctx: click.Context,
    store: str,
    event_id: int,
    count: int | None,
    name: str | None,
    clear_conditions: bool,
    as_json: bool,
    **params: Any,
) -> None:
    """Edit event ID. Action flags replace all its actions; edits affect only future crossings."""
    flags, conditions = split_flags(params)
    actions = collect_actions(ctx, flags)
    app = ctx.find_object(App)
    d = app.mp.update_order_count_event(
        store,
        event_id,
        count=count,
        name=name,
        actions=actions or None,
        conditions=conditions or ([] if clear_conditions else None),
    )
    _report(d, "updated", as_json)


@events.command("list")
@store_option
@click.option("--deleted", is_flag=True, help="Include deleted events.")
@json_option
@pass_app
def list_events(app: App, store: str, deleted: bool, as_json: bool) -> None:
    """List the store's order count events by count."""
    found = app.mp.order_count_events(store, include_deleted=deleted)
    if as_json:
        print_json([as_dict(d) for d in found])
        return
    currency = app.mp.store(store).currency
    rows = (
        (
            d.rule.id,
            d.rule.threshold,
            d.rule.name,
            actions_text(d.rule.actions, currency),
            _conditions_text(d),
            "deleted" if d.deleted_at else "yes" if d.rule.active else "no",
        )
        for d in found
    )
    console().print(table(None, ("id", "count", "name", "actions", "for", "active"), rows))


@events.command("show")
@store_option
@click.argument("event_id", metavar="ID", type=int)
@json_option
@pass_app
def show_event(app: App, store: str, event_id: int, as_json: bool) -> None:
    """Show event ID with its actions in order."""
    d = app.mp.order_count_event(store, event_id)
    if as_json:
        print_json(as_dict(d))
        return
    s = app.mp.store(store)
    r = d.rule
    state = "deleted" if d.deleted_at else "on" if r.active else "off"
    rows = [
        ("count", r.threshold),
        ("name", r.name),
        ("state", state),
        ("version", r.version),
        ("for", _conditions_text(d)),
        ("created", when(d.created_at, s.timezone)),
        ("updated", when(d.updated_at, s.timezone)),
    ]
    rows += [(f"action {i + 1}", action_text(a, s.currency)) for i, a in enumerate(r.actions)]
    console().print(table(f"Order count event {r.id}", ("", ""), rows))


@events.command("enable")
@store_option
@click.argument("event_id", metavar="ID", type=int)
@pass_app
def enable_event(app: App, store: str, event_id: int) -> None:
    """Switch event ID on; customers already at or past its count never get it."""
    _report(app.mp.set_order_count_event_active(store, event_id, True), "enabled", False)


@events.command("disable")
@store_option
@click.argument("event_id", metavar="ID", type=int)
@pass_app
def disable_event(app: App, store: str, event_id: int) -> None:
    """Switch event ID off."""
    _report(app.mp.set_order_count_event_active(store, event_id, False), "disabled", False)


@events.command("delete")
@store_option
@click.argument("event_id", metavar="ID", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def delete_event(app: App, store: str, event_id: int, yes: bool) -> None:
    """Delete event ID for good; its past milestones stay in the log."""
    d = app.mp.order_count_event(store, event_id)
    if not yes:
        click.confirm(f"delete order count event {event_id} {d.rule.name!r}?", abort=True)
    app.mp.delete_order_count_event(store, event_id)
    click.echo(f"deleted order count event {event_id} {d.rule.name!r}")
