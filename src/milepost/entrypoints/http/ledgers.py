"""What the routes over a customer's two ledgers share: store credit and points are spent
and adjusted the same way (service/ledger.py), each under a path, a field, models and
texts of its own.

Each ledger is a `LedgerRoutes`; `add_routes` gives the router its spend and adjust
operations, and customers.py keeps what differs.
"""

# No `from __future__ import annotations` here: FastAPI reads the annotations of the
# handlers `add_routes` makes, and they name the ledger's own models.

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import APIRouter

from milepost.entrypoints.http.admin import AdminCaller, problems
from milepost.entrypoints.http.customer_params import CustomerId, KeyHeader, check_customer_id, idempotency_key
from milepost.entrypoints.http.schemas.requests import Body

Handler = Callable[..., Any]


class Entry(Protocol):
    """A ledger's model of an entry: what `of` makes of the Python API's."""

    @classmethod
    def of(cls, e: Any) -> Any: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerRoutes:
    name: str  # its path segment and what its operations are named after: `credit` in /credit/spend, spend_credit
    field: str  # what a spend or an adjustment moves, in its bodies: `amount`, `points`
    about: str  # what the description of each operation starts with
    spend_summary: str
    adjust_summary: str
    entry: type[Entry]
    spend_body: type[Body]
    adjust_body: type[Body]
    spend: Callable[..., Any]  # (mp, store, customer, amount, **): mp.ledgers.spend with the unit
    adjust: Callable[..., Any]


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
        check_customer_id(customer_id)
        done = ledger.spend(
            admin.mp,
            admin.store,
            customer_id,
            getattr(body, ledger.field),
            key=idempotency_key(body.idempotency_key, key),
            order_id=body.order_id,
            note=body.note,
        )
        return entry.of(done)

    @post("adjust", ledger.adjust_summary, "`actor` defaults to the API key (`api key mpk_...`).")
    def adjust(admin: AdminCaller, customer_id: CustomerId, body: adjust_body, key: KeyHeader = None) -> Any:  # type: ignore[valid-type]
        check_customer_id(customer_id)
        done = ledger.adjust(
            admin.mp,
            admin.store,
            customer_id,
            getattr(body, ledger.field),
            key=idempotency_key(body.idempotency_key, key),
            reason=body.reason,
            actor=body.actor or admin.actor,
        )
        return entry.of(done)
