"""A customer's two ledgers, store credit and points: their entries, and spends and adjustments."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from milepost.domain import records
from milepost.domain.expiry import Lot
from milepost.entrypoints.http.schemas.requests import MAX_AMOUNT, Body, IdempotencyKey, Name, Note, OrderId, Reason
from milepost.entrypoints.http.schemas.responses import Timestamp
from milepost.entrypoints.http.wire import public_id


def _entry_fields(e: records.LedgerEntry | records.PointsEntry, kind: str, keyed_per_kind: bool) -> dict[str, Any]:
    """What an entry of either ledger shows besides how much it moved. `kind` names its public
    id; an entry `keyed_per_kind` has its reason as a prefix to its key, which is not shown."""
    key = e.idempotency_key
    return {
        "id": public_id(kind, e.id),
        "customer_id": e.customer_id,
        "reason": e.reason,
        "idempotency_key": key.removeprefix(f"{e.reason}:") if keyed_per_kind else key,
        "milestone_id": public_id("milestone", e.firing_id),
        "milestone": e.milestone,
        "order_id": e.order_id,
        "note": e.note,
        "actor": e.actor,
        "created_at": e.created_at,
    }


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
        keyed_per_kind = e.reason != "milestone"  # spend, adjustment and clawback keys
        return cls(amount=e.amount, currency=e.currency, **_entry_fields(e, "ledger_entry", keyed_per_kind))


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
        keyed_per_kind = e.reason in ("spend", "adjustment")  # earn, clawback and expire keys are shown whole
        return cls(points=e.points, **_entry_fields(e, "points_entry", keyed_per_kind))


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


MAX_POINTS_MOVED = 10**12  # points one spend or adjustment moves (balances can outgrow MAX_POINTS)


def _not_zero(value: int) -> int:
    if value == 0:
        raise ValueError("must not be zero")
    return value


# What the two ledgers' (credit and points) spends and adjustments take besides how much.
NonZero = Annotated[int, AfterValidator(_not_zero), Field(json_schema_extra={"not": {"const": 0}})]
SpendKey = Annotated[
    IdempotencyKey | None,
    Field(description="The same key never spends twice. Or send the Idempotency-Key header."),
]
AdjustKey = Annotated[
    IdempotencyKey | None,
    Field(description="The same key never adjusts twice. Or send the Idempotency-Key header."),
]
AdjustReason = Annotated[Reason, Field(description="Why, for the ledger.")]
Actor = Annotated[Name | None, Field(description="Who made the correction; default: the API key.")]


class SpendIn(Body):
    amount: int = Field(ge=1, le=MAX_AMOUNT, description="Credit used, in minor units (1000 = $10.00).")
    idempotency_key: SpendKey = None
    order_id: OrderId | None = Field(None, description="The order the credit was used on.")
    note: Note | None = None


class AdjustIn(Body):
    amount: NonZero = Field(
        ge=-MAX_AMOUNT, le=MAX_AMOUNT, description="Minor units; negative takes credit away; not zero."
    )
    idempotency_key: AdjustKey = None
    reason: AdjustReason
    actor: Actor = None


class PointsSpendIn(Body):
    points: int = Field(ge=1, le=MAX_POINTS_MOVED, description="Points redeemed.")
    idempotency_key: SpendKey = None
    order_id: OrderId | None = Field(None, description="The order the points were redeemed on.")
    note: Note | None = None


class PointsAdjustIn(Body):
    points: NonZero = Field(
        ge=-MAX_POINTS_MOVED, le=MAX_POINTS_MOVED, description="Negative takes points away; not zero."
    )
    idempotency_key: AdjustKey = None
    reason: AdjustReason
    actor: Actor = None
