"""A customer's two ledgers: store credit and points."""

from __future__ import annotations

from pydantic import BaseModel, Field

from milepost.domain import records
from milepost.domain.expiry import Lot
from milepost.entrypoints.http.resources.common import Timestamp
from milepost.entrypoints.http.wire import public_id


class LedgerEntry(BaseModel):
    """One movement of store credit: a milestone's credit, a spend or an operator's adjustment."""

    id: str = Field(examples=["led_9"])
    customer_id: str
    amount: int = Field(description="Minor units; negative when credit was used or taken away.")
    currency: str
    reason: str = Field(
        description="`milestone` (a credit action), `spend`, `adjustment` or `clawback` (a milestone's "
        "credit taken back after its order was refunded)."
    )
    idempotency_key: str
    milestone_id: str | None = Field(description="The milestone that gave the credit.")
    milestone: str | None = Field(description="Its order count event's name.")
    order_id: str | None
    note: str | None
    actor: str | None
    created_at: Timestamp

    @classmethod
    def of(cls, e: records.LedgerEntry) -> LedgerEntry:
        prefix = f"{e.reason}:"  # spends and adjustments are keyed per kind
        key = e.idempotency_key
        return cls(
            id=public_id("ledger_entry", e.id),  # type: ignore[arg-type]
            customer_id=e.customer_id,
            amount=e.amount,
            currency=e.currency,
            reason=e.reason,
            idempotency_key=key.removeprefix(prefix) if e.reason != "milestone" else key,
            milestone_id=public_id("milestone", e.firing_id),
            milestone=e.milestone,
            order_id=e.order_id,
            note=e.note,
            actor=e.actor,
            created_at=e.created_at,
        )


class Credit(BaseModel):
    balance: int = Field(description="The balance in the store's currency.")
    balances: dict[str, int] = Field(description="Every currency the customer holds credit in.")
    ledger: list[LedgerEntry] = Field(description="Oldest first.")


class PointsEntry(BaseModel):
    """One movement of points: earned by an order (or taken back by its refund), given by a
    milestone, spent, or an operator's adjustment."""

    id: str = Field(examples=["pts_4"])
    customer_id: str
    points: int = Field(description="Negative when points were spent, taken back or taken away.")
    reason: str = Field(
        description="`earn` (an order), `milestone` (a points action), `spend`, `adjustment` or `clawback`."
    )
    idempotency_key: str
    milestone_id: str | None = Field(description="The milestone that gave the points.")
    milestone: str | None = Field(description="Its program's name.")
    order_id: str | None
    note: str | None
    actor: str | None
    created_at: Timestamp

    @classmethod
    def of(cls, e: records.PointsEntry) -> PointsEntry:
        key = e.idempotency_key
        if e.reason in ("spend", "adjustment"):  # keyed per kind, like credit
            key = key.removeprefix(f"{e.reason}:")
        return cls(
            id=public_id("points_entry", e.id),  # type: ignore[arg-type]
            customer_id=e.customer_id,
            points=e.points,
            reason=e.reason,
            idempotency_key=key,
            milestone_id=public_id("milestone", e.firing_id),
            milestone=e.milestone,
            order_id=e.order_id,
            note=e.note,
            actor=e.actor,
            created_at=e.created_at,
        )


class Expiring(BaseModel):
    points: int = Field(description="What is left of the points given at once (a lot).")
    expires_at: Timestamp
    earned_at: Timestamp


class Points(BaseModel):
    balance: int = Field(description="The sum of the ledger.")
    ledger: list[PointsEntry] = Field(description="Oldest first.")
    expiring: list[Expiring] = Field(
        description="When the store's points expire: what is left of each lot that will, soonest first."
    )

    @classmethod
    def of(cls, entries: list[records.PointsEntry], expiring: list[Lot]) -> Points:
        return cls(
            balance=sum(e.points for e in entries),
            ledger=[PointsEntry.of(e) for e in entries],
            expiring=[Expiring(points=x.points, expires_at=x.expires_at, earned_at=x.earned_at) for x in expiring],
        )
