"""`milepost credit spend|adjust`: the store credit ledger, by hand."""

from __future__ import annotations

import click

from milepost.domain.records import LedgerEntry
from milepost.entrypoints.context import App, json_option, pass_app, store_option
from milepost.entrypoints.output import money, print_json


def _done(app: App, store: str, entry: LedgerEntry, as_json: bool) -> None:
    balance = app.mp.customer(store, entry.customer_id).balances.get(entry.currency, 0)
    if as_json:
        print_json({"entry": entry, "balance": balance})
        return
    amount = money(abs(entry.amount), entry.currency)
    if entry.reason == "spend":
        done = f"{entry.customer_id} spent {amount} of credit"
    else:
        direction = "raised" if entry.amount > 0 else "lowered"
        done = f"{entry.customer_id}'s credit {direction} by {amount}"
    click.echo(f"{done} (ledger entry {entry.id}); balance {money(balance, entry.currency)}")


@click.group()
def credit() -> None:
    """Spend or adjust a customer's store credit (amounts in minor units: 1000 = $10.00)."""


@credit.command("spend")
@store_option
@click.argument("customer_id", metavar="CUSTOMER")
@click.argument("amount", type=int)
@click.option("--key", required=True, help="Idempotency key: the same key never spends twice.")
@click.option("--order", "order_id", help="The order the credit was used on.")
@click.option("--note")
@json_option
@pass_app
def spend(
    app: App,
    store: str,
    customer_id: str,
    amount: int,
    key: str,
    order_id: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Record AMOUNT of credit used by CUSTOMER."""
    entry = app.mp.spend_credit(store, customer_id, amount, key=key, order_id=order_id, note=note)
    _done(app, store, entry, as_json)


@credit.command("adjust", context_settings={"ignore_unknown_options": True})
@store_option
@click.argument("customer_id", metavar="CUSTOMER")
@click.argument("amount", type=int)
@click.option("--key", required=True, help="Idempotency key: the same key never adjusts twice.")
@click.option("--reason", required=True, help="Why, for the ledger.")
@click.option("--by", "actor", help="Who made the correction.")
@json_option
@pass_app
def adjust(
    app: App,
    store: str,
    customer_id: str,
    amount: int,
    key: str,
    reason: str,
    actor: str | None,
    as_json: bool,
) -> None:
    """Correct CUSTOMER's credit by AMOUNT (negative takes credit away)."""
    entry = app.mp.adjust_credit(store, customer_id, amount, key=key, reason=reason, actor=actor)
    _done(app, store, entry, as_json)
