"""`milepost events ...`: order count events, the store operator's word for milestone rules
(the milestone programs on the number of orders; `program_commands` holds what they share)."""

from __future__ import annotations

from typing import Any

import click

from milepost.domain.ids import format_id
from milepost.domain.records import Store
from milepost.entrypoints.action_text import actions_text, conditions_text
from milepost.entrypoints.cli.action_flags import ActionCommand, action_options, edits, rule_fields
from milepost.entrypoints.cli.amounts import Amounts
from milepost.entrypoints.cli.context import App, Id, app_of, json_option, pass_app, pass_context, store_option
from milepost.entrypoints.cli.program_commands import (
    ProgramCommands,
    active_text,
    inactive_option,
    name_option,
    update_command,
)
from milepost.entrypoints.program_collections import ORDER_COUNT_EVENTS
from milepost.service.rules import RuleDetails


def _json_head(d: RuleDetails) -> dict[str, Any]:
    r = d.rule
    return {
        "id": format_id("order_count_event", r.id),
        "count": r.threshold,
        "name": r.name,
        "active": r.active,
        "version": r.version,
    }


def _describe(app: App, store: str, d: RuleDetails, verb: str) -> list[str]:
    r = d.rule
    state, shown = "on" if r.active else "off", format_id("order_count_event", r.id)
    lines = [f"{verb} order count event {shown} {r.name!r} at {r.threshold} orders ({state}, version {r.version})"]
    if d.excluded > 0:
        lines.append(
            f"  {d.excluded} customers already at or past {r.threshold} orders will not get it "
            "(events are not retroactive)"
        )
    return lines


def _row(d: RuleDetails, s: Store) -> tuple[Any, ...]:
    r = d.rule
    return (
        format_id("order_count_event", r.id),
        r.threshold,
        r.name,
        actions_text(r.actions, s.currency, s.locale),
        conditions_text(r),
        active_text(d),
    )


@click.group()
def events() -> None:
    """Order count events: what happens when a customer's order count reaches N; `names`: the event catalogue."""


COMMANDS = ProgramCommands(
    group=events,
    collection=ORDER_COUNT_EVENTS,
    word="event",
    json_head=_json_head,
    describe=_describe,
    list_help="List the store's order count events by count.",
    columns=("id", "count", "name", "actions", "for", "active"),
    row=_row,
    head=lambda d, s: [("count", d.rule.threshold), ("name", d.rule.name)],
)
COMMANDS.add_commands()
_NEW_COUNT = "A new N: only customers who cross it from now on get the event."


@events.command("create", cls=ActionCommand)
@store_option
@click.option("--count", type=int, required=True, help="The order count N that triggers the event.")
@name_option
@action_options
@inactive_option
@json_option
@pass_context
def create_event(
    ctx: click.Context, store: str, count: int, name: str, inactive: bool, as_json: bool, **params: Any
) -> None:
    """Create an order count event; actions run in the order the flags are given."""
    app = app_of(ctx)
    fields = rule_fields(ctx, params, inactive, Amounts.of(app, store, params))
    d = app.mp.order_count_events.create(store, count=count, name=name, **fields)
    COMMANDS.report(app, store, d, "created", as_json)


@update_command(events, "order_count_event", click.option("--count", type=int, help=_NEW_COUNT))
@json_option
@pass_context
def update_event(
    ctx: click.Context,
    store: str,
    rule_id: int,
    count: int | None,
    name: str | None,
    clear_conditions: bool,
    as_json: bool,
    **params: Any,
) -> None:
    """Edit event ID. Action flags replace all its actions; edits affect only future crossings."""
    app = app_of(ctx)
    changes = edits(ctx, params, clear_conditions, Amounts.of(app, store, params), count=count, name=name)
    COMMANDS.report(app, store, app.mp.order_count_events.update(store, rule_id, **changes), "updated", as_json)


def _switch(name: str, active: bool, verb: str, summary: str) -> None:
    @events.command(name, help=summary)
    @store_option
    @click.argument("rule_id", metavar="ID", type=Id("order_count_event"))
    @pass_app
    def switch(app: App, store: str, rule_id: int) -> None:
        COMMANDS.report(app, store, app.mp.order_count_events.set_active(store, rule_id, active), verb, False)


_switch("enable", True, "enabled", "Switch event ID on; customers already at or past its count never get it.")
_switch("disable", False, "disabled", "Switch event ID off.")
