"""`milepost points spend|adjust|ledger|expire`: the points ledger, by hand."""

from __future__ import annotations

import click

from milepost.domain.records import PointsEntry
from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option
from milepost.entrypoints.cli.ledgers import add_spend_and_adjust
from milepost.entrypoints.cli.output import console, print_json, table, when


def _done(app: App, store: str, entry: PointsEntry, as_json: bool) -> None:
    balance = app.mp.customers.get(store, entry.customer_id).points_balance
    if as_json:
        print_json({"entry": entry, "balance": balance})
        return
    if entry.reason == "spend":
        done = f"{entry.customer_id} spent {-entry.points:,} points"
    else:
        direction = "raised" if entry.points > 0 else "lowered"
        done = f"{entry.customer_id}'s points {direction} by {abs(entry.points):,}"
    click.echo(f"{done} (points entry {entry.id}); balance {balance:,} points")


@click.group()
def points() -> None:
    """Spend, adjust or list a customer's points (whole numbers)."""


add_spend_and_adjust(points, "points", "POINTS", "redeemed", _done)


@points.command("ledger")
@store_option
@click.argument("customer_id", metavar="CUSTOMER")
@json_option
@pass_app
def ledger(app: App, store: str, customer_id: str, as_json: bool) -> None:
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
    """Expire the points that came due now, oldest first (what workers do every hour; safe
    to run any number of times)."""
    done = app.mp.sweeps.points_expiry(list(stores) or None)
    if as_json:
        print_json(done)
        return
    click.echo(f"{done.points:,} points expired, {done.customers:,} customers looked at in {done.stores} stores")
