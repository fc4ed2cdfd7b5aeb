"""`milepost codes list|validate|redeem|rollback|void`: discount codes given by milestones."""

from __future__ import annotations

from datetime import datetime

import click

from milepost.domain.codes import Code, Discount, check
from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import console, print_json, table, when
from milepost.formatting import LOCALE, money


def _gives(discount: Discount, locale: str = LOCALE) -> str:
    if discount.kind == "fixed_amount" and discount.amount is not None and discount.currency:
        return f"{money(discount.amount, discount.currency, locale)} off"
    return discount.describe()


def _status(code: Code, now: datetime) -> str:
    return check(code, code.customer_id, now).status


def _done(app: App, code: Code, as_json: bool, done: str) -> None:
    if as_json:
        print_json({"code": code, "status": _status(code, app.mp.clock())})
        return
    click.echo(f"{code.code} {done}; now {_status(code, app.mp.clock())}")


@click.group()
def codes() -> None:
    """List, check, redeem or void the discount codes milestones gave."""


@codes.command("list")
@store_option
@click.argument("customer_id", metavar="CUSTOMER")
@json_option
@pass_app
def list_codes(app: App, store: str, customer_id: str, as_json: bool) -> None:
    """The codes CUSTOMER was given, oldest first."""
    found, now = app.mp.codes.list(store, customer_id), app.mp.clock()
    if as_json:
        print_json([{"code": c, "status": _status(c, now)} for c in found])
        return
    s = app.mp.stores.get(store)
    tz = s.timezone
    rows = (
        (
            c.code,
            _gives(c.discount, s.locale),
            _status(c, now),
            when(c.issued_at, tz),
            when(c.expires_at, tz) if c.expires_at else "",
            c.redeemed_order_id,
        )
        for c in found
    )
    header = ("code", "gives", "status", "issued", "expires", "redeemed on")
    console().print(table(f"Codes of {customer_id}", header, rows))


@codes.command("validate")
@store_option
@click.argument("code", metavar="CODE")
@click.argument("customer_id", metavar="CUSTOMER")
@json_option
@pass_app
def validate(app: App, store: str, code: str, customer_id: str, as_json: bool) -> None:
    """Whether CODE is good for CUSTOMER now, and what it gives."""
    verdict = app.mp.codes.validate(store, code, customer_id)
    if as_json:
        print_json(verdict)
        return
    if verdict.valid and verdict.discount is not None:
        click.echo(f"valid: {_gives(verdict.discount, app.mp.stores.get(store).locale)}")
    else:
        click.echo(f"{verdict.status}: {verdict.reason}")


@codes.command("redeem")
@store_option
@click.argument("code", metavar="CODE")
@click.argument("customer_id", metavar="CUSTOMER")
@click.option("--order", "order_id", required=True, help="The order the code was used on.")
@click.option("--key", required=True, help="Idempotency key: the same key answers the same redemption.")
@json_option
@pass_app
def redeem(app: App, store: str, code: str, customer_id: str, order_id: str, key: str, as_json: bool) -> None:
    """Mark CODE redeemed by CUSTOMER on an order; refused (exit 2) when it is not good."""
    done = app.mp.codes.redeem(store, code, customer_id, order_id=order_id, key=key)
    _done(app, done, as_json, f"redeemed on order {order_id}")


@codes.command("rollback")
@store_option
@click.argument("code", metavar="CODE")
@click.option("--order", "order_id", required=True, help="The refunded or cancelled order it was redeemed on.")
@json_option
@pass_app
def rollback(app: App, store: str, code: str, order_id: str, as_json: bool) -> None:
    """Take back CODE's redemption on a refunded or cancelled order."""
    _done(app, app.mp.codes.rollback(store, code, order_id), as_json, "is not redeemed")


@codes.command("void")
@store_option
@click.argument("code", metavar="CODE")
@click.option("--reason", required=True, help="Told to the checkout when the code is tried.")
@json_option
@pass_app
def void(app: App, store: str, code: str, reason: str, as_json: bool) -> None:
    """Cancel CODE for good."""
    _done(app, app.mp.codes.void(store, code, reason), as_json, "voided")
