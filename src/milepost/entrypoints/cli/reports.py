"""What operators read: `customers show`, `milestones log`, `alerts list|ack|resolve`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from milepost.domain.codes import check
from milepost.domain.records import CustomerReport, IssuedCode, MilestoneReached
from milepost.entrypoints.cli.codes import _gives
from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option
from milepost.entrypoints.output import console, print_json, table, when
from milepost.formatting import money

__all__ = ["alerts", "customers", "milestones"]


def customer_dict(c: CustomerReport, currency: str, now: datetime) -> dict[str, Any]:
    """The report for scripts; each code as `codes list --json` shows it, with the milestone
    that issued it."""
    return {
        "customer_id": c.external_id,
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "email_consent": c.email_consent,
        "sms_consent": c.sms_consent,
        "attributes": c.attributes,
        "order_count": c.order_count,
        "amount_spent": c.amount_spent,
        "currency": currency,
        "first_order_at": c.aggregates.first_order_at,
        "last_order_at": c.aggregates.last_order_at,
        "tags": list(c.tags),
        "balances": c.balances,
        "balance": c.balances.get(currency, 0),
        "points_balance": c.points_balance,
        "points_earned": c.points_earned,
        "ledger": c.ledger,
        "milestones": c.milestones,
        "codes": [{**_code_dict(i), "status": _status(i, now)} for i in c.codes],
        "created_at": c.created_at,
    }


def _code_dict(i: IssuedCode) -> dict[str, Any]:
    milestone = {"firing_id": i.firing_id, "rule_id": i.rule_id, "rule_name": i.rule_name, "occurrence": i.occurrence}
    return {"code": i.code, "milestone": milestone if i.firing_id is not None else None}


def _status(i: IssuedCode, now: datetime) -> str:
    return check(i.code, i.code.customer_id, now).status


def _codes_rows(codes: tuple[IssuedCode, ...], now: datetime, tz: str) -> list[tuple[Any, ...]]:
    """One line per code: what it gives, its status now, and where it came from and went."""
    rows = []
    for i in codes:
        c = i.code
        used = f"order {c.redeemed_order_id}, {when(c.redeemed_at, tz)}" if c.redeemed_at else None
        milestone = f"{i.rule_name} (log id {i.firing_id})" if i.firing_id is not None else None
        rows.append(
            (c.code, _gives(c.discount), _status(i, now), when(c.expires_at, tz), milestone, used, c.void_reason)
        )
    return rows


def outcomes_text(m: MilestoneReached) -> str:
    return "\n".join(f"{a['position'] + 1}. {a['type']}: {a['status']} ({a.get('detail', '')})" for a in m.actions)


@click.group()
def customers() -> None:
    """What Milepost knows of a customer."""


@customers.command("show")
@click.argument("customer_id", metavar="ID")
@store_option
@json_option
@pass_app
def show_customer(app: App, customer_id: str, store: str, as_json: bool) -> None:
    """Order count, spend, tags, credit, milestones and discount codes of customer ID."""
    s = app.mp.stores.get(store)
    c, now = app.mp.customers.get(store, customer_id), app.mp.clock()
    if as_json:
        print_json(customer_dict(c, s.currency, now))
        return
    out, tz = console(), s.timezone
    consents = f"email {'yes' if c.email_consent else 'no'}, sms {'yes' if c.sms_consent else 'no'}"
    rows = [
        ("name", c.name),
        ("email", c.email),
        ("consent", consents),
        ("orders", c.order_count),
        ("amount spent", money(c.amount_spent, s.currency)),
        ("first order", when(c.aggregates.first_order_at, tz)),
        ("last order", when(c.aggregates.last_order_at, tz)),
        ("tags", ", ".join(c.tags) or "-"),
        (
            "credit balance",
            ", ".join(money(v, k) for k, v in sorted(c.balances.items())) or money(0, s.currency),
        ),
        ("points", f"{c.points_balance:,} (earned {c.points_earned:,})"),
    ]
    out.print(table(f"Customer {c.external_id}", ("", ""), rows))
    ledger = (
        (
            when(e.created_at, tz),
            money(e.amount, e.currency),
            e.reason,
            e.milestone or e.note,
            e.order_id,
            e.actor,
        )
        for e in c.ledger
    )
    out.print(table("Credit ledger", ("when", "amount", "reason", "milestone / note", "order", "by"), ledger))
    reached = (
        (
            when(m.fired_at, tz),
            f"{m.rule_name} (v{m.rule_version})",
            m.value,
            m.order_id,
            outcomes_text(m),
        )
        for m in c.milestones
    )
    out.print(table("Milestones reached", ("when", "event", "count", "order", "actions"), reached))
    header = ("code", "gives", "status", "expires", "milestone", "redeemed", "void reason")
    out.print(table("Discount codes", header, _codes_rows(c.codes, now, tz)))


def _date(value: str | None) -> datetime | None:
    """ISO date or time; a date means midnight UTC, a time without offset means UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date or time like 2026-01-31") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@click.group()
def milestones() -> None:
    """Who reached which milestone, when, on which order."""


@milestones.command("log")
@store_option
@click.option("--customer", help="Only this customer.")
@click.option("--event", "rule_id", type=int, metavar="ID", help="Only this order count event.")
@click.option("--since", help="From this date or time (UTC unless it has an offset).")
@click.option("--until", help="Before this date or time.")
@click.option(
    "--before",
    "before_id",
    type=int,
    metavar="LOG_ID",
    help="Entries older than this log id (paging).",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@json_option
@pass_app
def milestone_log(
    app: App,
    store: str,
    customer: str | None,
    rule_id: int | None,
    since: str | None,
    until: str | None,
    before_id: int | None,
    limit: int,
    as_json: bool,
) -> None:
    """The milestone log, newest first."""
    found = app.mp.reports.milestone_log(
        store,
        customer_id=customer,
        rule_id=rule_id,
        since=_date(since),
        until=_date(until),
        before_id=before_id,
        limit=limit,
    )
    if as_json:
        print_json(found)
        return
    tz = app.mp.stores.get(store).timezone
    rows = (
        (
            m.id,
            when(m.fired_at, tz),
            m.customer_id,
            m.rule_name,
            m.value,
            m.order_id,
            outcomes_text(m),
        )
        for m in found
    )
    console().print(table(None, ("log id", "when", "customer", "event", "count", "order", "actions"), rows))
    if len(found) == limit:
        click.echo(f"more may exist: add --before {found[-1].id}")


@click.group()
def alerts() -> None:
    """Admin alerts that milestones created for agents."""


@alerts.command("list")
@store_option
@click.option("--all", "show_all", is_flag=True, help="Include acknowledged and resolved alerts.")
@click.option("--assignee", metavar="EMAIL", help="Only the alerts of the user with this email.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@json_option
@pass_app
def list_alerts(app: App, store: str, show_all: bool, assignee: str | None, limit: int, as_json: bool) -> None:
    """Open alerts, newest first."""
    found = app.mp.alerts.list(store, status=None if show_all else "open", limit=limit, assignee=assignee)
    if as_json:
        print_json(found)
        return
    tz = app.mp.stores.get(store).timezone
    rows = (
        (
            a.id,
            when(a.created_at, tz),
            a.customer_id,
            a.message,
            a.assignee or "anyone",
            a.status if a.status == "open" else f"{a.status} by {a.resolved_by or a.acknowledged_by}",
        )
        for a in found
    )
    console().print(table(None, ("id", "when", "customer", "message", "for", "status"), rows))


@alerts.command("ack")
@click.argument("alert_id", metavar="ID", type=int)
@store_option
@click.option("--by", required=True, help="Who handled it.")
@pass_app
def acknowledge(app: App, alert_id: int, store: str, by: str) -> None:
    """Acknowledge alert ID."""
    app.mp.alerts.acknowledge(store, alert_id, by)
    click.echo(f"alert {alert_id} acknowledged by {by}")


@alerts.command("resolve")
@click.argument("alert_id", metavar="ID", type=int)
@store_option
@click.option("--by", required=True, help="Who dealt with it.")
@pass_app
def resolve(app: App, alert_id: int, store: str, by: str) -> None:
    """Resolve alert ID (an open one is acknowledged at the same time)."""
    app.mp.alerts.resolve(store, alert_id, by)
    click.echo(f"alert {alert_id} resolved by {by}")
