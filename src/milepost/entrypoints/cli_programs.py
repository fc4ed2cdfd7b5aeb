"""`milepost programs ...`: milestone programs on any metric (orders, amount spent, reviews,
referrals, billing cycles), optionally inside a window of time. Order count events are the
programs on the number of orders; they are listed here too, as the kind `order_count`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from milepost.domain.aggregates import METRICS
from milepost.domain.rules import MAX_INACTIVE_DAYS, Rule, validate_threshold
from milepost.entrypoints.action_flags import ActionCommand, action_options, collect_actions, split_flags
from milepost.entrypoints.context import App, json_option, pass_app, store_option
from milepost.entrypoints.output import action_text, actions_text, console, money, print_json, table, when
from milepost.errors import ValidationError
from milepost.service.rules import MAX_CLAWBACK_DAYS, RuleDetails

MAX_THRESHOLD = 10**15  # amount_spent counts minor units


class AwareTime(click.ParamType):
    """An ISO 8601 time with its UTC offset (2026-06-01T00:00:00Z), as an aware UTC datetime."""

    name = "ISO-TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time like 2026-06-01T00:00:00Z", param, ctx)
        if parsed.tzinfo is None:
            self.fail(f"{value!r} needs its UTC offset, like 2026-06-01T00:00:00Z or +02:00", param, ctx)
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            self.fail(f"{value!r} is out of range", param, ctx)


def _check_threshold(metric: str, threshold: int | None) -> None:
    if threshold is not None:
        try:
            validate_threshold(threshold, metric)
        except ValidationError as exc:
            reason = exc.problems.get("threshold", str(exc))
            raise click.BadParameter(reason, param_hint="--threshold") from None


def as_dict(d: RuleDetails) -> dict[str, Any]:
    r = d.rule
    return {
        "id": r.id,
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
        "actions": [a.as_dict() for a in r.actions],
        "conditions": [c.as_dict() for c in r.conditions],
        "created_at": d.created_at,
        "updated_at": d.updated_at,
        "deleted_at": d.deleted_at,
    }


def _goal(r: Rule, currency: str) -> str:
    """`number of reviews reaches 3`, `amount spent reaches $500.00, then every $100.00`,
    `journey: number of orders +1, then number of reviews +1`."""
    if r.kind == "inactivity":
        return f"{r.threshold} days without an order"
    if r.steps:
        return "journey: " + ", then ".join(f"{METRICS.get(s.metric, s.metric)} +{s.count}" for s in r.steps)
    amount = r.metric == "amount_spent"
    value = money(r.threshold, currency) if amount else r.threshold
    goal = f"{METRICS.get(r.metric, r.metric)} reaches {value}"
    if r.every is not None:
        goal += f", then every {money(r.every, currency) if amount else r.every}"
    return goal


def _window(r: Rule, timezone: str) -> str:
    if r.starts_at is None and r.ends_at is None:
        return "always"
    parts = [f"from {when(r.starts_at, timezone)}"] if r.starts_at else []
    parts += [f"until {when(r.ends_at, timezone)}"] if r.ends_at else []
    return " ".join(parts)


def _conditions_text(r: Rule) -> str:
    return ", ".join(f"{'has' if c.present else 'lacks'} {c.tag!r}" for c in r.conditions) or "everyone"


def _report(app: App, store: str, d: RuleDetails, verb: str, as_json: bool) -> None:
    if as_json:
        print_json({**as_dict(d), "excluded": d.excluded})
        return
    s, r = app.mp.store(store), d.rule
    state = "on" if r.active else "off"
    click.echo(f"{verb} milestone program {r.id} {r.name!r}: {_goal(r, s.currency)} ({state}, version {r.version})")
    if r.starts_at or r.ends_at:
        click.echo(f"  {_window(r, s.timezone)}")
    if r.clawback_days is not None:
        click.echo(f"  taken back if its order is fully refunded or cancelled within {r.clawback_days} days")
    if d.excluded > 0:
        click.echo(f"  {d.excluded} customers already at or past it will not get it (programs are not retroactive)")


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


@programs.command("create", cls=ActionCommand)
@store_option
@click.option("--name", required=True, help="A name the log and the alerts show.")
@click.option("--metric", required=True, type=click.Choice(list(METRICS)), help="What the program counts.")
@click.option(
    "--threshold",
    required=True,
    type=click.IntRange(1, MAX_THRESHOLD),
    help="The value that triggers it (amount_spent: minor units, 5000 = $50.00).",
)
@action_options
@click.option("--starts", type=AwareTime(), help="Crossings before this time do not count.")
@click.option("--ends", type=AwareTime(), help="Crossings from this time on do not count.")
@click.option(
    "--every",
    type=click.IntRange(1, MAX_THRESHOLD),
    help="Repeat: fire again at threshold + every, + 2 x every, ... (every 5th order: --threshold 5 --every 5).",
)
@click.option("--inactive", is_flag=True, help="Create it switched off.")
@_CLAWBACK_OPTION
@json_option
@click.pass_context
def create_program(
    ctx: click.Context,
    store: str,
    name: str,
    metric: str,
    threshold: int,
    starts: datetime | None,
    ends: datetime | None,
    every: int | None,
    inactive: bool,
    clawback_days: int | None,
    as_json: bool,
    **params: Any,
) -> None:
    """Create a milestone program; actions run in the order the flags are given."""
    _check_threshold(metric, threshold)
    flags, conditions = split_flags(params)
    app = ctx.find_object(App)
    d = app.mp.create_program(
        store,
        name=name,
        metric=metric,
        threshold=threshold,
        actions=collect_actions(ctx, flags),
        conditions=conditions,
        active=not inactive,
        starts_at=starts,
        ends_at=ends,
        every=every,
        clawback_days=clawback_days,
    )
    _report(app, store, d, "created", as_json)


@programs.command("create-inactivity", cls=ActionCommand)
@store_option
@click.option("--name", required=True, help="A name the log and the alerts show.")
@click.option("--days", required=True, type=click.IntRange(1, MAX_INACTIVE_DAYS), help="Days without a counted order.")
@action_options
@click.option("--starts", type=AwareTime(), help="Lapses reaching their days before this time do not count.")
@click.option("--ends", type=AwareTime(), help="From this time on it fires no more.")
@click.option("--inactive", is_flag=True, help="Create it switched off.")
@json_option
@click.pass_context
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
    per lapse (a new order starts a new one). Workers check every hour; see check-inactivity."""
    flags, conditions = split_flags(params)
    app = ctx.find_object(App)
    d = app.mp.create_inactivity_program(
        store,
        name=name,
        days=days,
        actions=collect_actions(ctx, flags),
        conditions=conditions,
        active=not inactive,
        starts_at=starts,
        ends_at=ends,
    )
    _report(app, store, d, "created", as_json)


@programs.command("check-inactivity")
@click.option("--store", "stores", multiple=True, metavar="KEY", help="Only this store (repeatable; default all).")
@pass_app
def check_inactivity(app: App, stores: tuple[str, ...]) -> None:
    """Fire the inactivity programs that came due now (what workers do every hour; safe to
    run from cron as often as you like: a lapse fires once)."""
    sweep = app.mp.check_inactivity(list(stores) or None)
    click.echo(
        f"checked {sweep.programs} inactivity programs: {sweep.customers} customers past their days, "
        f"{sweep.fired} milestones fired"
    )


@programs.command("update", cls=ActionCommand)
@store_option
@click.argument("program_id", metavar="ID", type=int)
@click.option(
    "--threshold",
    type=click.IntRange(1, MAX_THRESHOLD),
    help="A new threshold: only customers who cross it from now on get the program.",
)
@click.option("--name")
@action_options
@click.option("--clear-conditions", is_flag=True, help="Remove every tag condition.")
@click.option("--starts", type=AwareTime(), help="A new start of the window.")
@click.option("--ends", type=AwareTime(), help="A new end of the window.")
@click.option("--active/--inactive", default=None, help="Switch it on or off.")
@_CLAWBACK_OPTION
@json_option
@click.pass_context
def update_program(
    ctx: click.Context,
    store: str,
    program_id: int,
    threshold: int | None,
    name: str | None,
    clear_conditions: bool,
    starts: datetime | None,
    ends: datetime | None,
    active: bool | None,
    clawback_days: int | None,
    as_json: bool,
    **params: Any,
) -> None:
    """Edit program ID. Action flags replace all its actions; edits affect only future crossings."""
    flags, conditions = split_flags(params)
    actions = collect_actions(ctx, flags)
    app = ctx.find_object(App)
    if threshold is not None:
        _check_threshold(app.mp.program(store, program_id).rule.metric, threshold)
    d = app.mp.update_program(
        store,
        program_id,
        threshold=threshold,
        name=name,
        actions=actions or None,
        conditions=conditions or ([] if clear_conditions else None),
        active=active,
        starts_at=starts,
        ends_at=ends,
        clawback_days=clawback_days,
    )
    _report(app, store, d, "updated", as_json)


@programs.command("list")
@store_option
@click.option("--deleted", is_flag=True, help="Include deleted programs.")
@json_option
@pass_app
def list_programs(app: App, store: str, deleted: bool, as_json: bool) -> None:
    """List the store's programs, order count events included, by threshold."""
    found = app.mp.programs(store, include_deleted=deleted)
    if as_json:
        print_json([as_dict(d) for d in found])
        return
    s = app.mp.store(store)
    rows = (
        (
            d.rule.id,
            d.rule.name,
            _goal(d.rule, s.currency),
            actions_text(d.rule.actions, s.currency),
            _conditions_text(d.rule),
            _window(d.rule, s.timezone),
            "deleted" if d.deleted_at else "yes" if d.rule.active else "no",
        )
        for d in found
    )
    console().print(table(None, ("id", "name", "when", "actions", "for", "window", "active"), rows))


@programs.command("show")
@store_option
@click.argument("program_id", metavar="ID", type=int)
@json_option
@pass_app
def show_program(app: App, store: str, program_id: int, as_json: bool) -> None:
    """Show program ID with its actions in order."""
    d = app.mp.program(store, program_id)
    if as_json:
        print_json(as_dict(d))
        return
    s, r = app.mp.store(store), d.rule
    rows = [
        ("name", r.name),
        ("kind", r.kind),
        ("when", _goal(r, s.currency)),
        ("window", _window(r, s.timezone)),
        ("state", "deleted" if d.deleted_at else "on" if r.active else "off"),
        ("version", r.version),
        ("for", _conditions_text(r)),
        ("created", when(d.created_at, s.timezone)),
        ("updated", when(d.updated_at, s.timezone)),
    ]
    rows += [(f"action {i + 1}", action_text(a, s.currency)) for i, a in enumerate(r.actions)]
    console().print(table(f"Milestone program {r.id}", ("", ""), rows))


@programs.command("delete")
@store_option
@click.argument("program_id", metavar="ID", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def delete_program(app: App, store: str, program_id: int, yes: bool) -> None:
    """Delete program ID for good; its past milestones stay in the log."""
    d = app.mp.program(store, program_id)
    if not yes:
        click.confirm(f"delete milestone program {program_id} {d.rule.name!r}?", abort=True)
    app.mp.delete_program(store, program_id)
    click.echo(f"deleted milestone program {program_id} {d.rule.name!r}")
