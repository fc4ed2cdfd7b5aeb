"""`milepost programs ...`: milestone programs on any metric (orders, amount spent, reviews,
referrals, billing cycles), optionally inside a window of time. Order count events are the
programs on the number of orders; they are listed here too, as the kind `order_count`."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import click

from milepost.domain.aggregates import METRICS
from milepost.domain.ids import format_id
from milepost.domain.records import Store
from milepost.domain.rules import MAX_INACTIVE_DAYS, Rule, validate_threshold
from milepost.entrypoints.action_text import actions_text, conditions_text
from milepost.entrypoints.cli.action_flags import ActionCommand, action_options, edits, rule_fields
from milepost.entrypoints.cli.amounts import AMOUNT_HELP, Amounts
from milepost.entrypoints.cli.context import App, Failure, app_of, json_option, pass_app, pass_context, store_option
from milepost.entrypoints.cli.output import when
from milepost.entrypoints.cli.program_commands import (
    AwareTime,
    ProgramCommands,
    active_text,
    inactive_option,
    name_option,
    update_command,
)
from milepost.entrypoints.program_collections import PROGRAMS
from milepost.errors import ValidationError
from milepost.formatting import money, store_money
from milepost.service.rules import MAX_CLAWBACK_DAYS, RuleDetails

_WHOLE = re.compile("[0-9]{1,19}")


def _goal_value(amounts: Amounts, metric: str, typed: str, option: str) -> int:
    """--threshold or --every: an amount for amount_spent (`500` is $500.00 in a USD store),
    else a whole number; checked against the metric's limits."""
    if metric == "amount_spent":
        value = amounts.read(typed, option)
        if value < 1:
            raise Failure(f"{option} {typed!r} must be more than {money(0, amounts.currency)}")
    elif _WHOLE.fullmatch(typed.strip()):
        value = int(typed)
    else:
        raise Failure(f"{option} {typed!r} must be a whole number")
    try:
        return validate_threshold(value, metric)
    except ValidationError as exc:
        raise Failure(f"{option} {typed!r} {exc.problems.get('threshold', str(exc))}") from None


def _json_head(d: RuleDetails) -> dict[str, Any]:
    r = d.rule
    return {
        "id": format_id("program", r.id),
        "order_count_event_id": format_id("order_count_event", r.id) if r.kind == "order_count" else None,
        "kind": r.kind,
        "name": r.name,
        "metric": r.metric,
        "threshold": r.threshold,
        "every": r.every,
        "clawback_days": r.clawback_days,
        "steps": [x.as_dict() for x in r.steps] or None,
        "active": r.active,
        "version": r.version,
        "starts_at": r.starts_at,
        "ends_at": r.ends_at,
    }


def _goal(r: Rule, store: Store) -> str:
    """`number of reviews reaches 3`, `amount spent reaches $500.00, then every $100.00`,
    `journey: number of orders +1, then number of reviews +1`."""
    if r.kind == "inactivity":
        return f"{r.threshold} days without an order"
    if r.steps:
        return "journey: " + ", then ".join(f"{METRICS.get(s.metric, s.metric)} +{s.count}" for s in r.steps)
    amount = r.metric == "amount_spent"
    value = store_money(store, r.threshold) if amount else r.threshold
    goal = f"{METRICS.get(r.metric, r.metric)} reaches {value}"
    if r.every is not None:
        goal += f", then every {store_money(store, r.every) if amount else r.every}"
    return goal


def _window(r: Rule, timezone: str) -> str:
    if r.starts_at is None and r.ends_at is None:
        return "always"
    parts = [f"from {when(r.starts_at, timezone)}"] if r.starts_at else []
    parts += [f"until {when(r.ends_at, timezone)}"] if r.ends_at else []
    return " ".join(parts)


def _describe(app: App, store: str, d: RuleDetails, verb: str) -> list[str]:
    s, r = app.mp.stores.get(store), d.rule
    state, shown = "on" if r.active else "off", format_id("program", r.id)
    lines = [f"{verb} milestone program {shown} {r.name!r}: {_goal(r, s)} ({state}, version {r.version})"]
    if r.starts_at or r.ends_at:
        lines.append(f"  {_window(r, s.timezone)}")
    if r.clawback_days is not None:
        lines.append(f"  taken back if its order is fully refunded or cancelled within {r.clawback_days} days")
    if d.excluded > 0:
        lines.append(f"  {d.excluded} customers already at or past it will not get it (programs are not retroactive)")
    return lines


def _row(d: RuleDetails, s: Store) -> tuple[Any, ...]:
    r = d.rule
    goal, actions = _goal(r, s), actions_text(r.actions, s.currency, s.locale)
    return (
        format_id("program", r.id),
        r.name,
        goal,
        actions,
        conditions_text(r),
        _window(r, s.timezone),
        active_text(d),
    )


def _head(d: RuleDetails, s: Store) -> list[tuple[str, Any]]:
    r = d.rule
    return [("name", r.name), ("kind", r.kind), ("when", _goal(r, s)), ("window", _window(r, s.timezone))]


_CLAWBACK_OPTION = click.option(
    "--clawback-days",
    type=click.IntRange(0, MAX_CLAWBACK_DAYS),
    metavar="N",
    help="Take the milestone's credit and points back (and void its unused codes) when the order that "
    "crossed the threshold is fully refunded or cancelled within N days; 0 keeps them (the default).",
)


@click.group()
def programs() -> None:
    """Milestone programs: what happens when a customer's orders, spend, reviews, referrals or
    billing cycles reach a threshold."""


COMMANDS = ProgramCommands(
    group=programs,
    collection=PROGRAMS,
    word="program",
    json_head=_json_head,
    describe=_describe,
    list_help="List the store's programs, order count events included, by threshold.",
    columns=("id", "name", "when", "actions", "for", "window", "active"),
    row=_row,
    head=_head,
)
COMMANDS.add_commands()


@programs.command("create", cls=ActionCommand)
@store_option
@name_option
@click.option("--metric", required=True, type=click.Choice(list(METRICS)), help="What the program counts.")
@click.option(
    "--threshold",
    required=True,
    metavar="T",
    help=f"The value that triggers it; for amount_spent an amount {AMOUNT_HELP}.",
)
@action_options
@click.option("--starts", type=AwareTime(), help="Crossings before this time do not count.")
@click.option("--ends", type=AwareTime(), help="Crossings from this time on do not count.")
@click.option(
    "--every",
    metavar="N",
    help="Repeat: fire again at threshold + every, + 2 x every, ... (every 5th order: --threshold 5 --every 5; "
    "for amount_spent an amount, like the threshold).",
)
@inactive_option
@_CLAWBACK_OPTION
@json_option
@pass_context
def create_program(
    ctx: click.Context,
    store: str,
    name: str,
    metric: str,
    threshold: str,
    starts: datetime | None,
    ends: datetime | None,
    every: str | None,
    inactive: bool,
    clawback_days: int | None,
    as_json: bool,
    **params: Any,
) -> None:
    """Create a milestone program; actions run in the order the flags are given."""
    app = app_of(ctx)
    amounts = Amounts.of(app, store, params)
    d = app.mp.programs.create(
        store,
        name=name,
        metric=metric,
        threshold=_goal_value(amounts, metric, threshold, "--threshold"),
        starts_at=starts,
        ends_at=ends,
        every=None if every is None else _goal_value(amounts, metric, every, "--every"),
        clawback_days=clawback_days,
        **rule_fields(ctx, params, inactive, amounts),
    )
    COMMANDS.report(app, store, d, "created", as_json)


@programs.command("create-inactivity", cls=ActionCommand)
@store_option
@name_option
@click.option("--days", required=True, type=click.IntRange(1, MAX_INACTIVE_DAYS), help="Days without a counted order.")
@action_options
@click.option("--starts", type=AwareTime(), help="Lapses reaching their days before this time do not count.")
@click.option("--ends", type=AwareTime(), help="From this time on it fires no more.")
@inactive_option
@json_option
@pass_context
def create_inactivity(
    ctx: click.Context,
    store: str,
    name: str,
    days: int,
    starts: datetime | None,
    ends: datetime | None,
    inactive: bool,
    as_json: bool,
    **params: Any,
) -> None:
    """Create an inactivity program: it fires DAYS days after a customer's last order, once
    per lapse (a new order starts a new one). The daily scheduler checks each night; see run-daily."""
    app = app_of(ctx)
    fields = rule_fields(ctx, params, inactive, Amounts.of(app, store, params))
    d = app.mp.programs.create_inactivity(store, name=name, days=days, starts_at=starts, ends_at=ends, **fields)
    COMMANDS.report(app, store, d, "created", as_json)


@programs.command("check-inactivity")
@click.option("--store", "stores", multiple=True, metavar="KEY", help="Only this store (repeatable; default all).")
@pass_app
def check_inactivity(app: App, stores: tuple[str, ...]) -> None:
    """Fire the inactivity programs that came due now (the daily scheduler does it each
    night; safe to run from cron as often as you like: a lapse fires once). It looks at
    every lapse due, not only the day's as the daily run does: it also fires the lapses
    of orders that arrived late with an old date."""
    sweep = app.mp.sweeps.inactivity(list(stores) or None)
    click.echo(
        f"checked {sweep.programs} inactivity programs: {sweep.customers} customers past their days, "
        f"{sweep.fired} milestones fired"
    )


@update_command(
    programs,
    "program",
    click.option(
        "--threshold",
        metavar="T",
        help="A new threshold (amount_spent: an amount, like create's): only customers who cross it "
        "from now on get the program.",
    ),
)
@click.option("--starts", type=AwareTime(), help="A new start of the window.")
@click.option("--no-starts", is_flag=True, help="Remove the start of the window.")
@click.option("--ends", type=AwareTime(), help="A new end of the window.")
@click.option("--no-ends", is_flag=True, help="Remove the end of the window.")
@click.option("--active/--inactive", default=None, help="Switch it on or off.")
@_CLAWBACK_OPTION
@json_option
@pass_context
def update_program(
    ctx: click.Context,
    store: str,
    rule_id: int,
    threshold: str | None,
    name: str | None,
    clear_conditions: bool,
    starts: datetime | None,
    no_starts: bool,
    ends: datetime | None,
    no_ends: bool,
    active: bool | None,
    clawback_days: int | None,
    as_json: bool,
    **params: Any,
) -> None:
    """Edit program ID. Action flags replace all its actions; edits affect only future crossings.
    A window that opens again (--ends later, --no-ends, ...) is not retroactive either."""
    app = app_of(ctx)
    amounts = Amounts.of(app, store, params)
    metric = app.mp.programs.get(store, rule_id).rule.metric if threshold is not None else ""
    options = {
        "threshold": None if threshold is None else _goal_value(amounts, metric, threshold, "--threshold"),
        "name": name,
        "active": active,
        "clawback_days": clawback_days,
    }
    changes = edits(ctx, params, clear_conditions, amounts, starts_at=starts, ends_at=ends, **options)
    for bound, removed in (("starts", no_starts), ("ends", no_ends)):
        if removed and f"{bound}_at" in changes:
            raise click.UsageError(f"give --{bound} or --no-{bound}, not both")
        if removed:
            changes[f"{bound}_at"] = None
    COMMANDS.report(app, store, app.mp.programs.update(store, rule_id, **changes), "updated", as_json)
