"""Money on the command line. Typed: amounts as people write them in the store's currency
(`5`, `12.50`, `1,234.50`), `500c` for minor units, or every amount of a command in minor
units with `--minor-units` (as the API and `--json` count them); one parser for the CLI and
the admin, milepost/formatting.py's `parse_amount`. Shown: the milestone log's values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

import click

from milepost.domain.records import MilestoneReached
from milepost.entrypoints.cli.context import App, Failure
from milepost.formatting import parse_amount, store_money

minor_units_option = click.option(
    "--minor-units",
    is_flag=True,
    help="Read this command's amounts as whole minor units, as the API counts them (500 = $5.00).",
)
AMOUNT_HELP = "in the store's currency: 5, 12.50 or 1,234.50; 500c (or --minor-units) for minor units"


class Amounts:
    """How one command reads its amounts: in the currency of `store` (looked up on first use),
    as typed or, with `--minor-units`, as minor units."""

    def __init__(self, app: App, store: str, minor_units: bool = False) -> None:
        self.app, self.store, self.minor_units = app, store, minor_units

    @classmethod
    def of(cls, app: App, store: str, params: dict[str, Any]) -> Amounts:
        """For a command given its flags as `**params`: takes `--minor-units` out of them."""
        return cls(app, store, params.pop("minor_units"))

    @cached_property
    def currency(self) -> str:
        return self.app.mp.stores.get(self.store).currency

    def read(self, typed: str, option: str) -> int:
        """`typed` in minor units; a one-line error naming `option` when it is not an amount."""
        try:
            found = parse_amount(typed, self.currency, minor_units=self.minor_units)
        except ValueError as exc:
            raise Failure(f"{option} {typed!r} {exc}") from None
        if found is None:
            raise Failure(f"{option} needs an amount, like 5 or 12.50")
        return found


def reached_values(app: App, store: str, reached: Sequence[MilestoneReached]) -> Callable[[MilestoneReached], Any]:
    """What a milestone's value shows in a table: the amount of a program on amount spent
    ($800.00), else the count. The programs are looked up only when `reached` has any."""
    if all(m.rule_kind == "order_count" for m in reached):
        return lambda m: m.value
    found = app.mp.stores.get(store)
    spend = {d.rule.id for d in app.mp.programs.list(store, include_deleted=True) if d.rule.metric == "amount_spent"}
    return lambda m: store_money(found, m.value) if m.rule_id in spend else m.value
