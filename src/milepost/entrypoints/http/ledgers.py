"""The spend and adjust routes of a customer's ledger, one set for every unit: store credit
and points are spent and adjusted the same way (service/ledger.py, `mp.ledgers`), each
under its path, with a field, models and texts of its own.

Each unit is a `LedgerRoutes`; `add_routes` gives the customers' router its
`POST /{customer_id}/<unit>/spend` and `.../adjust` operations.
"""

# No `from __future__ import annotations` here: FastAPI reads the annotations of the
# handlers `add_routes` makes, and they name the ledger's own models.

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter

from milepost.entrypoints.http.admin import AdminCaller, problems
from milepost.entrypoints.http.customer_params import CustomerId, KeyHeader, check_customer_id, idempotency_key
from milepost.entrypoints.http.schemas.ledgers import (
    AdjustIn,
    LedgerEntry,
    PointsAdjustIn,
    PointsEntry,
    PointsSpendIn,
    SpendIn,
)
from milepost.entrypoints.http.schemas.requests import Body
from milepost.entrypoints.http.schemas.responses import Answer

Handler = Callable[..., Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerRoutes:
    # the unit: its path segment, what its operations are named after (`credit` in
    # /credit/spend, spend_credit) and the `unit=` of mp.ledgers
    name: str
    field: str  # what a spend or an adjustment moves, in its bodies: `amount`, `points`
    about: str  # what the description of each operation starts with
    spend_summary: str
    adjust_summary: str
    entry: type[Answer]  # its model of an entry
    spend_body: type[Body]
    adjust_body: type[Body]


def _movement(
    ledger: LedgerRoutes, customer_id: str, body: Any, key: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields of a spend's or an adjustment's body, and what both give mp.ledgers: the
    amount in the unit, the unit and the idempotency key (the body's, or the header's)."""
    check_customer_id(customer_id)
    sent = vars(body)  # the fields of the unit's body
    moved = {"amount": sent[ledger.field], "unit": ledger.name, "key": idempotency_key(sent["idempotency_key"], key)}
    return sent, moved


def add_routes(router: APIRouter, ledger: LedgerRoutes) -> None:
    """POST /{customer_id}/<name>/spend and POST /{customer_id}/<name>/adjust."""
    entry, spend_body, adjust_body = ledger.entry, ledger.spend_body, ledger.adjust_body

    def post(operation: str, summary: str, description: str) -> Callable[[Handler], Handler]:
        """The route of an operation that writes an entry and answers it."""
        return router.post(
            f"/{{customer_id:path}}/{ledger.name}/{operation}",
            name=f"{operation}_{ledger.name}",
            status_code=201,
            summary=summary,
            description=f"{ledger.about} {description}",
            response_model=entry,
            responses=problems(404, 409, body=True),
        )

    @post(
        "spend",
        ledger.spend_summary,
        f"Spending below zero is a 409 unless the store allows negative {ledger.name}.",
    )
    def spend(admin: AdminCaller, customer_id: CustomerId, body: spend_body, key: KeyHeader = None) -> Any:  # type: ignore[valid-type]
        sent, moved = _movement(ledger, customer_id, body, key)
        done = admin.mp.ledgers.spend(admin.store, customer_id, **moved, order_id=sent["order_id"], note=sent["note"])
        return entry.of(done)

    @post("adjust", ledger.adjust_summary, "`actor` defaults to the API key (`api key mpk_...`).")
    def adjust(admin: AdminCaller, customer_id: CustomerId, body: adjust_body, key: KeyHeader = None) -> Any:  # type: ignore[valid-type]
        sent, moved = _movement(ledger, customer_id, body, key)
        done = admin.mp.ledgers.adjust(
            admin.store, customer_id, **moved, reason=sent["reason"], actor=sent["actor"] or admin.actor
        )
        return entry.of(done)


CREDIT = LedgerRoutes(
    name="credit",
    field="amount",
    about="Amounts are integers of minor units (1000 = $10.00) in the store's currency. The idempotency key "
    "makes a retry safe: a repeat with the same key and amount answers the same ledger entry (201 again) "
    "and changes nothing; the same key with another amount is a 409.",
    spend_summary="Record store credit the customer used",
    adjust_summary="Correct the customer's credit, up or down, with a reason",
    entry=LedgerEntry,
    spend_body=SpendIn,
    adjust_body=AdjustIn,
)
POINTS = LedgerRoutes(
    name="points",
    field="points",
    about="Points are whole numbers. The idempotency key makes a retry safe: a repeat with the same key and "
    "points answers the same ledger entry (201 again) and changes nothing; the same key with other points "
    "is a 409.",
    spend_summary="Record points the customer redeemed",
    adjust_summary="Correct the customer's points, up or down, with a reason",
    entry=PointsEntry,
    spend_body=PointsSpendIn,
    adjust_body=PointsAdjustIn,
)
