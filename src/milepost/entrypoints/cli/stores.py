"""`milepost stores create|list|show|update`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from milepost.domain.consent import MILESTONE_EMAILS
from milepost.domain.events import COUNTING_STATUSES
from milepost.domain.records import Store
from milepost.entrypoints.cli.context import App, Failure, json_option, pass_app
from milepost.entrypoints.cli.output import console, print_json, print_list, table

_STORE_COLUMNS = (
    "key",
    "name",
    "currency",
    "time zone",
    "counting status",
    "negative credit",
    "points per unit",
    "negative points",
    "points expire",
    "milestone emails",
    "locale",
)


_MILESTONE_EMAILS_HELP = (
    "marketing: milestone emails go only to customers who consented to email; "
    "transactional: to every customer with an address."
)

_LOCALE_HELP = "A CLDR locale, how the store's money is written: en_US $10.00, de_DE 10,00 €, fr_FR."


def _row(s: Store) -> tuple[str, ...]:
    return (
        s.key,
        s.name,
        s.currency,
        s.timezone,
        s.counting_status,
        "allowed" if s.allow_negative_credit else "no",
        str(s.points_per_unit),
        "allowed" if s.allow_negative_points else "no",
        f"after {s.points_expire_days:,} days" if s.points_expire_days else "never",
        s.milestone_emails,
        s.locale,
    )


def _show(store: Store, as_json: bool) -> None:
    if as_json:
        print_json(store)
    else:
        console().print(table(None, _STORE_COLUMNS, [_row(store)]))


def _from_zero(name: str, help: str) -> Callable[[Any], Any]:
    """An option of a whole number, 0 or more, 0 by default."""
    return click.option(name, type=click.IntRange(0), default=0, show_default=True, help=help)


@click.group()
def stores() -> None:
    """Create, list, show and change stores."""


@stores.command("create")
@click.argument("key")
@click.option("--name", required=True, help="The store's display name.")
@click.option("--currency", default="USD", show_default=True, help="ISO 4217 code of the store's money.")
@click.option("--timezone", default="UTC", show_default=True, help="IANA time zone, like Europe/Paris.")
@click.option(
    "--counting-status",
    type=click.Choice(COUNTING_STATUSES),
    default="paid",
    show_default=True,
    help="The order status from which an order counts.",
)
@click.option("--allow-negative-credit", is_flag=True, help="Let credit spending go below zero.")
@_from_zero("--points-per-unit", "Points an order earns per whole unit of the currency (0: none).")
@click.option("--allow-negative-points", is_flag=True, help="Let points spending go below zero.")
@_from_zero("--points-expire-days", "Earned points expire this many days later, oldest first (0: never).")
@click.option(
    "--milestone-emails",
    type=click.Choice(MILESTONE_EMAILS),
    default="marketing",
    show_default=True,
    help=_MILESTONE_EMAILS_HELP,
)
@click.option("--locale", default="en_US", show_default=True, help=_LOCALE_HELP)
@json_option
@pass_app
def create_store(app: App, key: str, name: str, as_json: bool, **settings: Any) -> None:
    """Create the store KEY."""
    store = app.mp.stores.create(key, name, **settings)
    if not as_json:
        click.echo(f"created store {store.key!r}")
    _show(store, as_json)


@stores.command("list")
@json_option
@pass_app
def list_stores(app: App, as_json: bool) -> None:
    """List every store."""
    found = app.mp.stores.list()
    print_list(found, as_json, _STORE_COLUMNS, _row)


@stores.command("show")
@click.argument("key")
@json_option
@pass_app
def show_store(app: App, key: str, as_json: bool) -> None:
    """Show the store KEY."""
    _show(app.mp.stores.get(key), as_json)


@stores.command("update")
@click.argument("key")
@click.option("--name")
@click.option("--currency", help="Only before the store has orders or credit.")
@click.option("--timezone")
@click.option(
    "--counting-status",
    type=click.Choice(COUNTING_STATUSES),
    help="Only before the store has orders.",
)
@click.option("--allow-negative-credit/--no-allow-negative-credit", default=None)
@click.option(
    "--points-per-unit",
    type=click.IntRange(0),
    help="Points an order earns per whole unit of the currency (0: none); orders keep the rate they counted at.",
)
@click.option("--allow-negative-points/--no-allow-negative-points", default=None)
@click.option(
    "--points-expire-days",
    type=click.IntRange(0),
    help="Earned points expire this many days later, oldest first (0: never). Points already earned "
    "count from the change if that is later.",
)
@click.option("--milestone-emails", type=click.Choice(MILESTONE_EMAILS), help=_MILESTONE_EMAILS_HELP)
@click.option("--email-from-name", help="The From name of the store's emails; '' for the default.")
@click.option("--email-from-address", help="The From address of the store's emails; '' for the default.")
@click.option("--reply-to", "reply_to_address", help="Where replies to the store's emails go; '' for none.")
@click.option("--logo-url", help="An https URL of the store's logo, for its emails; '' for none.")
@click.option("--locale", help=_LOCALE_HELP)
@json_option
@pass_app
def update_store(app: App, key: str, as_json: bool, **changes: object) -> None:
    """Change the store KEY; options left out stay as they are."""
    given = {k: v for k, v in changes.items() if v is not None}
    if not given:
        raise Failure("nothing to change: give at least one option (see --help)")
    store = app.mp.stores.update(key, **given)
    if not as_json:
        click.echo(f"updated store {store.key!r}")
    _show(store, as_json)
