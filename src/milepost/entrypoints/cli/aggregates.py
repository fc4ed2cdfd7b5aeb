"""`milepost aggregates create|list|show|delete`: the per-customer numbers a store defines
for automation conditions; and `milepost customers aggregates ID`, one customer's values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from milepost.domain.aggregate_definitions import FUNCTIONS, Aggregate
from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import console, plain, print_json, table

_COLUMNS = ("key", "name", "function", "source", "property", "window")


def _row(a: Aggregate) -> tuple[Any, ...]:
    window = "all time" if a.window_days is None else f"{a.window_days} days"
    return a.key, a.name, a.function, a.source, a.property or "-", window


def _show(a: Aggregate, as_json: bool) -> None:
    if as_json:
        print_json(plain(a))
    else:
        console().print(table(f"Aggregate {a.key}", _COLUMNS, [_row(a)]))


@click.group()
def aggregates() -> None:
    """Aggregates: a count or sum per customer of orders or events, all time or over N days."""


@aggregates.command("create")
@store_option
@click.argument("key")
@click.option("--name", required=True, help="What operators call it, like 'Orders in the last year'.")
@click.option("--source", required=True, help="'orders', an event type (review.created) or a custom event's name.")
@click.option("--function", "function", type=click.Choice(FUNCTIONS), default="count", show_default=True)
@click.option("--property", "prop", help="The numeric property a sum of events adds.")
@click.option("--window-days", type=int, help="The N whole store-local days before the day asked; default all time.")
@json_option
@pass_app
def create(app: App, store: str, key: str, prop: str | None, as_json: bool, **given: Any) -> None:
    """A new aggregate KEY (like orders_365d)."""
    _show(app.mp.aggregates.create(store, key, property=prop, **given), as_json)


@aggregates.command("list")
@store_option
@json_option
@pass_app
def list_aggregates(app: App, store: str, as_json: bool) -> None:
    """The store's aggregates."""
    found = app.mp.aggregates.list(store)
    if as_json:
        print_json([plain(a) for a in found])
        return
    console().print(table("Aggregates", _COLUMNS, [_row(a) for a in found]))


@aggregates.command("show")
@store_option
@click.argument("key")
@json_option
@pass_app
def show(app: App, store: str, key: str, as_json: bool) -> None:
    """The aggregate KEY."""
    _show(app.mp.aggregates.get(store, key), as_json)


@aggregates.command("delete")
@store_option
@click.argument("key")
@pass_app
def delete(app: App, store: str, key: str) -> None:
    """Delete the aggregate KEY."""
    app.mp.aggregates.delete(store, key)
    click.echo(f"aggregate {key} deleted")


@click.command("aggregates")
@click.argument("customer_id", metavar="ID")
@store_option
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="The store-local day; default today.")
@json_option
@pass_app
def customer_aggregates(app: App, customer_id: str, store: str, day: datetime | None, as_json: bool) -> None:
    """Customer ID's value of each aggregate as of --date (the whole days before it count)."""
    when = day.date() if day else app.mp.aggregates.today(store)
    values = app.mp.aggregates.values(store, customer_id, when)
    if as_json:
        print_json({"customer_id": customer_id, "date": when.isoformat(), "values": values})
        return
    console().print(table(f"Aggregates of {customer_id} as of {when}", ("aggregate", "value"), values.items()))
