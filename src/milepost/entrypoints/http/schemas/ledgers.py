"""A customer's ledger in its two units, store credit and points: their entries, and the
bodies of spends and adjustments, one shape made for each unit."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, create_model

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


# An entry's fields come in this order in every unit: `_Head`, the unit's own (how much it
# moved), then `_Tail`. A model lists its bases last to first (`_Tail, <unit>, _Head`), as
# pydantic orders the fields of bases from the last; a field a unit describes in its own
# words keeps its place.


class _Head(BaseModel):
    id: str
    customer_id: str


class _Moved(BaseModel):
    amount: int = Field(description="Minor units; negative when credit was used or taken away.")
    currency: str


class _PointsMoved(BaseModel):
    points: int = Field(description="Negative when points were spent, taken back or taken away.")


class _Tail(BaseModel):
    reason: str
    idempotency_key: str
    milestone_id: str | None
    milestone: str | None
    order_id: str | None
    note: str | None
    actor: str | None
    created_at: Timestamp


class LedgerEntry(_Tail, _Moved, _Head):
    """One movement of store credit: a milestone's credit, a spend or an operator's adjustment."""

    id: str = Field(examples=["led_9"])
    reason: str = Field(
        description="`milestone` (a credit action), `spend`, `adjustment` or `clawback` (a milestone's "
        "credit taken back after its order was refunded)."
    )
    milestone_id: str | None = Field(description="The milestone that gave the credit.")
    milestone: str | None = Field(description="Its order count event's name.")

    @classmethod
    def of(cls, e: records.LedgerEntry) -> LedgerEntry:
        keyed_per_kind = e.reason != "milestone"  # spend, adjustment and clawback keys
        return cls(amount=e.amount, currency=e.currency, **_entry_fields(e, "ledger_entry", keyed_per_kind))


class Credit(BaseModel):
    balance: int = Field(description="The balance in the store's currency.")
    balances: dict[str, int] = Field(description="Every currency the customer holds credit in.")
    ledger: list[LedgerEntry] = Field(description="Oldest first.")


class PointsEntry(_Tail, _PointsMoved, _Head):
    """One movement of points: earned by an order (or taken back by its refund), given by a
    milestone, spent, or an operator's adjustment."""

    id: str = Field(examples=["pts_4"])
    reason: str = Field(
        description="`earn` (an order), `milestone` (a points action), `spend`, `adjustment` or `clawback`."
    )
    milestone_id: str | None = Field(description="The milestone that gave the points.")
    milestone: str | None = Field(description="Its program's name.")

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


def _bodies(prefix: str, field: str, maximum: int, words: tuple[str, str, str]) -> tuple[type[Body], type[Body]]:
    """A unit's spend and adjust bodies (`<prefix>SpendIn`, `<prefix>AdjustIn`): how much, in
    `field` up to `maximum`, and what else each takes. `words`: what a spend's amount is, the
    order it was spent on, and what an adjustment's amount is."""
    spent, on_order, adjusted = words
    spend: dict[str, Any] = {
        field: (int, Field(ge=1, le=maximum, description=spent)),
        "idempotency_key": (SpendKey, None),
        "order_id": (OrderId | None, Field(None, description=f"The order the {on_order}.")),
        "note": (Note | None, None),
    }
    adjust: dict[str, Any] = {
        field: (NonZero, Field(ge=-maximum, le=maximum, description=adjusted)),
        "idempotency_key": (AdjustKey, None),
        "reason": (AdjustReason, ...),
        "actor": (Actor, None),
    }
    return _model(f"{prefix}SpendIn", spend), _model(f"{prefix}AdjustIn", adjust)


def _model(name: str, fields: dict[str, Any]) -> type[Body]:
    return create_model(name, __base__=Body, __module__=__name__, **fields)


SpendIn, AdjustIn = _bodies(
    "",
    "amount",
    MAX_AMOUNT,
    (
        "Credit used, in minor units (1000 = $10.00).",
        "credit was used on",
        "Minor units; negative takes credit away; not zero.",
    ),
)
PointsSpendIn, PointsAdjustIn = _bodies(
    "Points",
    "points",
    MAX_POINTS_MOVED,
    ("Points redeemed.", "points were redeemed on", "Negative takes points away; not zero."),
)
