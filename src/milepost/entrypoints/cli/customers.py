"""`milepost customers show`, `list` and `tag`: what Milepost knows of a customer, the store's
customers searched and filtered, a customer's tags changed by hand."""

from __future__ import annotations

import shlex
from datetime import datetime
from typing import Any

import click

from milepost.domain.codes import check
from milepost.domain.ids import format_id
from milepost.domain.records import CustomerLine, CustomerReport, IssuedCode
from milepost.entrypoints.cli.amounts import AMOUNT_HELP, Amounts, minor_units_option, reached_values
from milepost.entrypoints.cli.codes import _gives
from milepost.entrypoints.cli.context import App, Failure, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import console, outcomes_text, print_json, table, when
from milepost.formatting import store_money


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
    milestone = {
        "firing_id": format_id("milestone", i.firing_id),
        "rule_id": format_id("program", i.rule_id),
        "rule_name": i.rule_name,
        "occurrence": i.occurrence,
    }
    return {"code": i.code, "milestone": milestone if i.firing_id is not None else None}


def _status(i: IssuedCode, now: datetime) -> str:
    return check(i.code, i.code.customer_id, now).status


def _codes_rows(codes: tuple[IssuedCode, ...], now: datetime, tz: str, locale: str) -> list[tuple[Any, ...]]:
    """One line per code: what it gives, its status now, and where it came from and went."""
    rows = []
    for i in codes:
        c = i.code
        used = f"order {c.redeemed_order_id}, {when(c.redeemed_at, tz)}" if c.redeemed_at else None
        milestone = f"{i.rule_name} (log id {format_id('milestone', i.firing_id)})" if i.firing_id is not None else None
        rows.append(
            (
                c.code,
                _gives(c.discount, locale),
                _status(i, now),
                when(c.expires_at, tz),
                milestone,
                used,
                c.void_reason,
            )
        )
    return rows


@click.group()
def customers() -> None:
    """What Milepost knows of customers; their tags changed by hand."""


_count = click.IntRange(0, 2**31 - 1)


@customers.command("list")
@store_option
@click.option("--search", "-q", "q", default="", metavar="TEXT", help="In the id, email or name, any case.")
@click.option("--tag", default=None, help="Only customers with this tag.")
@click.option("--min-orders", type=_count, default=None)
@click.option("--max-orders", type=_count, default=None)
@click.option("--min-spent", default=None, metavar="AMOUNT", help=f"Spent at least this much, {AMOUNT_HELP}.")
@click.option("--max-spent", default=None, metavar="AMOUNT", help="Spent at most this much.")
@minor_units_option
@click.option("--after", default=None, metavar="ID", help="Start after this customer id (the next page).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@json_option
@pass_app
def list_customers(app: App, store: str, after: str | None, limit: int, as_json: bool, **where: Any) -> None:
    """The store's customers by id: searched, filtered, a page at a time."""
    amounts = Amounts.of(app, store, where)
    for bound in ("min_spent", "max_spent"):
        if where[bound] is not None:
            where[bound] = amounts.read(where[bound], "--" + bound.replace("_", "-"))
    found = app.mp.customers.list(store, after=after, limit=limit + 1, **where)
    shown, more = found[:limit], len(found) > limit
    s = app.mp.stores.get(store)
    if as_json:
        lines = [{"customer_id": c.external_id, **_line(c), "currency": s.currency} for c in shown]
        print_json({"customers": lines, "next_after": shown[-1].external_id if more else None})
        return
    rows = (
        (
            c.external_id,
            c.name,
            c.email,
            c.order_count,
            store_money(s, c.amount_spent),
            when(c.last_order_at, s.timezone),
        )
        for c in shown
    )
    out = console()
    out.print(table("Customers", ("id", "name", "email", "orders", "spent", "last order"), rows))
    if more:
        out.print(f"More: --after {shlex.quote(shown[-1].external_id)}")


def _line(c: CustomerLine) -> dict[str, Any]:
    return {k: getattr(c, k) for k in ("name", "email", "order_count", "amount_spent", "last_order_at")}


@customers.command("tag")
@click.argument("customer_id", metavar="ID")
@store_option
@click.option("--add", "add", multiple=True, metavar="TAG", help="A tag to add (repeat for more).")
@click.option("--remove", "remove", multiple=True, metavar="TAG", help="A tag to take off (repeat for more).")
@click.option("--by", "by", default=None, metavar="NAME", help="Who made the change, for the record.")
@json_option
@pass_app
def tag_customer(
    app: App, customer_id: str, store: str, add: tuple[str, ...], remove: tuple[str, ...], by: str | None, as_json: bool
) -> None:
    """Add and remove tags of customer ID by hand. No milestone fires for it: conditions on
    tags see the change at the customer's next event."""
    if not add and not remove:
        raise Failure("give a tag to add (--add TAG) or to remove (--remove TAG)")
    tags = app.mp.customers.tag(store, customer_id, add=add, remove=remove, actor=by)
    if as_json:
        print_json({"customer_id": customer_id, "tags": tags})
    else:
        click.echo(f"{customer_id}: {', '.join(tags) if tags else 'no tags'}")


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
        ("amount spent", store_money(s, c.amount_spent)),
        ("first order", when(c.aggregates.first_order_at, tz)),
        ("last order", when(c.aggregates.last_order_at, tz)),
        ("tags", ", ".join(c.tags) or "-"),
        (
            "credit balance",
            ", ".join(store_money(s, v, k) for k, v in sorted(c.balances.items())) or store_money(s, 0),
        ),
        ("points", f"{c.points_balance:,} (earned {c.points_earned:,})"),
    ]
    out.print(table(f"Customer {c.external_id}", ("", ""), rows))
    ledger = (
        (
            when(e.created_at, tz),
            store_money(s, e.amount, e.currency),
            e.reason,
            e.milestone or e.note,
            e.order_id,
            e.actor,
        )
        for e in c.ledger
    )
    out.print(table("Credit ledger", ("when", "amount", "reason", "milestone / note", "order", "by"), ledger))
    value = reached_values(app, store, c.milestones)
    reached = (
        (
            when(m.fired_at, tz),
            f"{m.rule_name} (v{m.rule_version})",
            value(m),
            m.order_id,
            outcomes_text(m, s.locale),
        )
        for m in c.milestones
    )
    out.print(table("Milestones reached", ("when", "event", "count", "order", "actions"), reached))
    header = ("code", "gives", "status", "expires", "milestone", "redeemed", "void reason")
    out.print(table("Discount codes", header, _codes_rows(c.codes, now, tz, s.locale)))
