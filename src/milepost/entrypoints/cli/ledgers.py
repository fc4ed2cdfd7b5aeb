"""`milepost credit` and `milepost points`: a customer's ledger in a unit, by hand. One set
of commands (`spend`, `adjust`) made for each unit from its words; points also list their
ledger with the lots that will expire (`points ledger`) and expire what came due
(`points expire`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from milepost.domain.ids import format_id
from milepost.domain.records import CustomerReport, LedgerEntry, PointsEntry
from milepost.entrypoints.cli.amounts import AMOUNT_HELP, Amounts, minor_units_option
from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import console, print_json, table, when
from milepost.formatting import money

Entry = LedgerEntry | PointsEntry


@dataclass(frozen=True, slots=True, kw_only=True)
class Unit:
    """A unit's words: what the commands call its amounts and how they print them."""

    name: str  # the group, and `unit=` of mp.ledgers
    help: str
    metavar: str  # the amount argument in the usage
    spent: str  # what spending is: "Record AMOUNT <spent> by CUSTOMER"
    entry: str  # what an entry is called: "(ledger entry 4)"
    count: Callable[[int, str], str]  # (amount, currency): "$4.00", "40"
    spent_as: str  # "{count} of credit", "{count} points"
    balance_as: str  # "{count}", "{count} points"
    balance: Callable[[CustomerReport, str], int]  # of the customer, in the currency
    money: bool  # amounts typed as money (cli/amounts.py), with --minor-units; else whole numbers


CREDIT = Unit(
    name="credit",
    help=f"Spend or adjust a customer's store credit (AMOUNT {AMOUNT_HELP}).",
    metavar="AMOUNT",
    spent="of credit used",
    entry="ledger entry",
    count=money,
    spent_as="{} of credit",
    balance_as="{}",
    balance=lambda customer, currency: customer.balances.get(currency, 0),
    money=True,
)
POINTS = Unit(
    name="points",
    help="Spend, adjust or list a customer's points (whole numbers).",
    metavar="POINTS",
    spent="redeemed",
    entry="points entry",
    count=lambda points, _: f"{points:,}",
    spent_as="{} points",
    balance_as="{} points",
    balance=lambda customer, _: customer.points_balance,
    money=False,
)


def _done(app: App, unit: Unit, store: str, entry: Entry, as_json: bool) -> None:
    """Print what an entry did and the balance after it."""
    moved, currency = (entry.amount, entry.currency) if isinstance(entry, LedgerEntry) else (entry.points, "")
    balance = unit.balance(app.mp.customers.get(store, entry.customer_id), currency)
    if as_json:
        print_json({"entry": entry, "balance": balance})
        return
    if entry.reason == "spend":
        done = f"{entry.customer_id} spent {unit.spent_as.format(unit.count(-moved, currency))}"
    else:
        direction = "raised" if moved > 0 else "lowered"
        done = f"{entry.customer_id}'s {unit.name} {direction} by {unit.count(abs(moved), currency)}"
    balance_text = unit.balance_as.format(unit.count(balance, currency))
    kind = "ledger_entry" if isinstance(entry, LedgerEntry) else "points_entry"
    click.echo(f"{done} ({unit.entry} {format_id(kind, entry.id)}); balance {balance_text}")


def _amount_argument(unit: Unit) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The AMOUNT argument: money as typed and --minor-units for credit, whole points for points."""
    argument = click.argument("amount", metavar=unit.metavar, type=str if unit.money else int)

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        return argument(minor_units_option(f)) if unit.money else argument(f)

    return decorate


def _amount(app: App, unit: Unit, store: str, amount: str | int, minor_units: bool) -> int:
    """AMOUNT in the unit's integers: credit in minor units (`15` is $15.00), points as given."""
    if isinstance(amount, int):
        return amount
    return Amounts(app, store, minor_units).read(amount, unit.metavar)


def ledger_group(unit: Unit) -> click.Group:
    """`milepost <unit> spend|adjust`."""
    group = click.Group(unit.name, help=unit.help)

    @group.command("spend", help=f"Record {unit.metavar} {unit.spent} by CUSTOMER.")
    @store_option
    @click.argument("customer_id", metavar="CUSTOMER")
    @_amount_argument(unit)
    @click.option("--key", required=True, help="Idempotency key: the same key never spends twice.")
    @click.option("--order", "order_id", help=f"The order the {unit.name} was used on.")
    @click.option("--note")
    @json_option
    @pass_app
    def spend(
        app: App,
        store: str,
        customer_id: str,
        amount: str | int,
        key: str,
        order_id: str | None,
        note: str | None,
        as_json: bool,
        minor_units: bool = False,
    ) -> None:
        moved = _amount(app, unit, store, amount, minor_units)
        entry = app.mp.ledgers.spend(store, customer_id, moved, unit=unit.name, key=key, order_id=order_id, note=note)
        _done(app, unit, store, entry, as_json)

    @group.command(
        "adjust",
        context_settings={"ignore_unknown_options": True},
        help=f"Correct CUSTOMER's {unit.name} by {unit.metavar} (negative takes {unit.name} away).",
    )
    @store_option
    @click.argument("customer_id", metavar="CUSTOMER")
    @_amount_argument(unit)
    @click.option("--key", required=True, help="Idempotency key: the same key never adjusts twice.")
    @click.option("--reason", required=True, help="Why, for the ledger.")
    @click.option("--by", "actor", help="Who made the correction.")
    @json_option
    @pass_app
    def adjust(
        app: App,
        store: str,
        customer_id: str,
        amount: str | int,
        key: str,
        reason: str,
        actor: str | None,
        as_json: bool,
        minor_units: bool = False,
    ) -> None:
        moved = _amount(app, unit, store, amount, minor_units)
        entry = app.mp.ledgers.adjust(store, customer_id, moved, unit=unit.name, key=key, reason=reason, actor=actor)
        _done(app, unit, store, entry, as_json)

    return group


credit = ledger_group(CREDIT)
points = ledger_group(POINTS)


@points.command("ledger")
@store_option
@click.argument("customer_id", metavar="CUSTOMER")
@json_option
@pass_app
def points_ledger(app: App, store: str, customer_id: str, as_json: bool) -> None:
    """Every movement of CUSTOMER's points, oldest first, and the balance."""
    entries = app.mp.ledgers.entries(store, customer_id, unit="points")
    balance = sum(e.points for e in entries)
    if as_json:
        print_json({"balance": balance, "ledger": entries})
        return
    tz = app.mp.stores.get(store).timezone
    rows = (
        (when(e.created_at, tz), f"{e.points:+,}", e.reason, e.milestone or e.note, e.order_id, e.actor)
        for e in entries
    )
    console().print(
        table(f"Points of {customer_id}", ("when", "points", "reason", "milestone / note", "order", "by"), rows)
    )
    click.echo(f"balance {balance:,} points")
    for lot in app.mp.ledgers.expiring(store, customer_id)[:3]:
        click.echo(f"{lot.points:,} points expire on {when(lot.expires_at, tz)}")


@points.command("expire")
@click.option("--store", "stores", multiple=True, help="Only this store (repeatable); default: every store.")
@json_option
@pass_app
def expire(app: App, stores: tuple[str, ...], as_json: bool) -> None:
    """Expire the points that came due now, oldest first (the daily scheduler does it each
    night; safe to run any number of times)."""
    done = app.mp.sweeps.points_expiry(list(stores) or None)
    if as_json:
        print_json(done)
        return
    click.echo(f"{done.points:,} points expired, {done.customers:,} customers looked at in {done.stores} stores")
