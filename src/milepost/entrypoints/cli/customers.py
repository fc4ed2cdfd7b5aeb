"""`milepost customers show`: what Milepost knows of a customer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from milepost.domain.codes import check
from milepost.domain.ids import format_id
from milepost.domain.records import CustomerReport, IssuedCode
from milepost.entrypoints.cli.codes import _gives
from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import console, outcomes_text, print_json, table, when
from milepost.formatting import money


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


def _codes_rows(codes: tuple[IssuedCode, ...], now: datetime, tz: str) -> list[tuple[Any, ...]]:
    """One line per code: what it gives, its status now, and where it came from and went."""
    rows = []
    for i in codes:
        c = i.code
        used = f"order {c.redeemed_order_id}, {when(c.redeemed_at, tz)}" if c.redeemed_at else None
        milestone = f"{i.rule_name} (log id {format_id('milestone', i.firing_id)})" if i.firing_id is not None else None
        rows.append(
            (c.code, _gives(c.discount), _status(i, now), when(c.expires_at, tz), milestone, used, c.void_reason)
        )
    return rows


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
