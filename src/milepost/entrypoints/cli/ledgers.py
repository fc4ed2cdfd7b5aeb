"""The `spend` and `adjust` commands that `milepost credit` and `milepost points` share:
the same options, the same idempotency, each ledger's own words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option

Done = Callable[[App, str, Any, bool], None]  # prints an entry and the new balance


def add_spend_and_adjust(group: click.Group, ledger: str, metavar: str, spent: str, done: Done) -> None:
    """Add `spend` and `adjust` to `group`, for the `ledger` ("credit" or "points"),
    whose amounts the usage calls `metavar`; `spent` says what spending is."""

    @group.command("spend", help=f"Record {metavar} {spent} by CUSTOMER.")
    @store_option
    @click.argument("customer_id", metavar="CUSTOMER")
    @click.argument("amount", metavar=metavar, type=int)
    @click.option("--key", required=True, help="Idempotency key: the same key never spends twice.")
    @click.option("--order", "order_id", help=f"The order the {ledger} was used on.")
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
        entry = app.mp.ledgers.spend(store, customer_id, amount, unit=ledger, key=key, order_id=order_id, note=note)
        done(app, store, entry, as_json)

    @group.command(
        "adjust",
        context_settings={"ignore_unknown_options": True},
        help=f"Correct CUSTOMER's {ledger} by {metavar} (negative takes {ledger} away).",
    )
    @store_option
    @click.argument("customer_id", metavar="CUSTOMER")
    @click.argument("amount", metavar=metavar, type=int)
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
        entry = app.mp.ledgers.adjust(store, customer_id, amount, unit=ledger, key=key, reason=reason, actor=actor)
        done(app, store, entry, as_json)
