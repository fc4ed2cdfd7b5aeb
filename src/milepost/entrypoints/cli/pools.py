"""`milepost pools create|list|import|generate|remove|delete|threshold`: coupon pools, sets
of codes made ahead that `pool_code` actions give out."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from typing import IO, Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from milepost.domain.pools import Pool
from milepost.entrypoints.cli.amounts import Amounts
from milepost.entrypoints.cli.codes import _gives
from milepost.entrypoints.cli.context import App, Failure, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import console, err_console, plain, print_json, table


def _json(pool: Pool) -> dict[str, Any]:
    return {**plain(pool), "discount": pool.discount.as_dict(), "left": pool.left}


def _show(pool: Pool, as_json: bool, done: str) -> None:
    if as_json:
        print_json(_json(pool))
        return
    expired = f", {pool.expired} expired" if pool.expired else ""
    click.echo(f"pool {pool.key} {done}: {pool.total} codes, {pool.assigned} assigned{expired}, {pool.left} left")


@click.group()
def pools() -> None:
    """Coupon pools: codes imported or generated ahead, one given to each customer."""


@pools.command("create")
@store_option
@click.argument("key")
@click.option("--name", required=True, help="What operators call it, like 'Spring sale'.")
@click.option("--percent", type=int, help="Its codes give this percentage off (1-100).")
@click.option("--amount", help="Its codes give this amount off, like 5 or 12.50, in the store's currency.")
@click.option("--free-shipping", is_flag=True, help="Its codes give free shipping.")
@click.option("--gift", metavar="PRODUCT", help="Its codes give this product for free.")
@click.option("--low-threshold", type=int, help="Alert when fewer codes than this are left.")
@click.option("--minor-units", is_flag=True, help="--amount is in minor units (cents).")
@json_option
@pass_app
def create(app: App, store: str, key: str, name: str, low_threshold: int | None, as_json: bool, **given: Any) -> None:
    """A new, empty pool KEY whose codes give one discount (exactly one of --percent,
    --amount, --free-shipping, --gift)."""
    discount = _discount(app, store, given)
    _show(
        app.mp.pools.create(store, key, name=name, discount=discount, low_threshold=low_threshold), as_json, "created"
    )


def _discount(app: App, store: str, given: dict[str, Any]) -> dict[str, Any]:
    chosen = [k for k in ("percent", "amount", "free_shipping", "gift") if given[k] not in (None, False)]
    if len(chosen) != 1:
        raise Failure("give exactly one of --percent, --amount, --free-shipping, --gift")
    if chosen == ["percent"]:
        return {"kind": "percentage", "percent": given["percent"]}
    if chosen == ["amount"]:
        return {
            "kind": "fixed_amount",
            "amount": Amounts(app, store, given["minor_units"]).read(given["amount"], "--amount"),
        }
    if chosen == ["gift"]:
        return {"kind": "free_gift", "product_id": given["gift"]}
    return {"kind": "free_shipping"}


@pools.command("list")
@store_option
@json_option
@pass_app
def list_pools(app: App, store: str, as_json: bool) -> None:
    """The store's pools, with their codes: total, assigned and left."""
    found = app.mp.pools.list(store)
    if as_json:
        print_json([_json(p) for p in found])
        return
    rows = ((p.key, p.name, _gives(p.discount), p.total, p.assigned, p.expired, p.left, p.low_threshold) for p in found)
    headers = ("key", "name", "gives", "codes", "assigned", "expired", "left", "alert below")
    console().print(table("Pools", headers, rows))


@pools.command("import")
@store_option
@click.argument("key")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@json_option
@pass_app
def import_codes(app: App, store: str, key: str, file: IO[str], as_json: bool) -> None:
    """Add the codes of FILE (CSV, the code in the first column; a header 'code' is skipped,
    and its column 'expires_at', if any, gives each code's expiry: a date like 2027-01-31,
    good through that day in the store's time zone, or an ISO 8601 time) to pool KEY: all
    of them, or none, with each bad row named by its line."""
    rows = list(_read(file))
    _show(app.mp.pools.import_codes(store, key, rows), as_json, "filled")


def _read(file: IO[str]) -> Iterator[list[str]]:
    """The CSV's rows, with a progress bar on a terminal."""
    reader = csv.reader(file)
    if not sys.stderr.isatty():
        yield from reader
        return
    with Progress(TextColumn("reading"), BarColumn(), MofNCompleteColumn(), console=err_console(), transient=True) as p:
        task = p.add_task("import", total=None)
        for row in reader:
            p.advance(task)
            yield row


@pools.command("generate")
@store_option
@click.argument("key")
@click.argument("count", type=int)
@click.option("--pattern", help="Like SPRING-XXXX-XXXX: X a random character, 9 a digit, A a letter.")
@click.option("--expires", metavar="DATE", help="The codes expire: a date like 2027-01-31 (through that day).")
@json_option
@pass_app
def generate(
    app: App, store: str, key: str, count: int, pattern: str | None, expires: str | None, as_json: bool
) -> None:
    """Add COUNT new codes drawn by --pattern to pool KEY; an expired code is never given."""
    _show(app.mp.pools.generate(store, key, count, pattern, expires_at=expires), as_json, "filled")


@pools.command("remove")
@store_option
@click.argument("key")
@click.argument("codes", nargs=-1)
@click.option("--expired", is_flag=True, help="Only the codes past their expiry.")
@click.option("--all", "every", is_flag=True, help="Every code not assigned yet (with --expired: every expired one).")
@json_option
@pass_app
def remove(app: App, store: str, key: str, codes: tuple[str, ...], expired: bool, every: bool, as_json: bool) -> None:
    """Remove CODES, not assigned yet, from pool KEY (all or none); or with --all or
    --expired, every code not assigned (only the expired ones with --expired)."""
    if bool(codes) == (every or expired):
        raise Failure("name the CODES to remove, or give --all or --expired")
    pool, removed = app.mp.pools.remove_codes(store, key, list(codes) or None, expired=expired)
    if as_json:
        print_json({"removed": removed, "pool": _json(pool)})
    else:
        _show(pool, False, f"lost {removed} code(s)")


@pools.command("delete")
@store_option
@click.argument("key")
@pass_app
def delete(app: App, store: str, key: str) -> None:
    """Delete pool KEY and its codes; refused while any of its codes was assigned to a
    customer or an action gives codes of it."""
    app.mp.pools.delete(store, key)
    click.echo(f"pool {key} deleted")


@pools.command("threshold")
@store_option
@click.argument("key")
@click.argument("low", type=int, required=False)
@json_option
@pass_app
def threshold(app: App, store: str, key: str, low: int | None, as_json: bool) -> None:
    """Alert when fewer than LOW codes are left in pool KEY (no LOW: never)."""
    _show(app.mp.pools.set_threshold(store, key, low), as_json, "updated")
