"""`milepost credit spend|adjust`: the store credit ledger, by hand."""

from __future__ import annotations

import click

from milepost.domain.records import LedgerEntry
from milepost.entrypoints.cli.context import App
from milepost.entrypoints.cli.ledgers import add_spend_and_adjust
from milepost.entrypoints.cli.output import print_json
from milepost.formatting import money


def _done(app: App, store: str, entry: LedgerEntry, as_json: bool) -> None:
    balance = app.mp.customers.get(store, entry.customer_id).balances.get(entry.currency, 0)
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


add_spend_and_adjust(credit, "credit", "AMOUNT", "of credit used", _done)
