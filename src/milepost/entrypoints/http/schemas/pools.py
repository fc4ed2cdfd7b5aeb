"""Coupon pools: a pool with its counts, and what creating, generating and setting its
threshold take."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from milepost.domain.pools import MAX_GENERATE, MAX_THRESHOLD, Pool
from milepost.entrypoints.http.schemas.requests import Body, text
from milepost.entrypoints.http.schemas.responses import Timestamp, from_record

_DISCOUNT = "What each code gives, as a `code` action's: `kind` (fixed_amount, percentage, free_shipping, " + (
    "free_gift) and its `amount` (minor units), `percent` or `product_id`."
)
Threshold = Annotated[int | None, Field(ge=1, le=MAX_THRESHOLD, description="Alert when fewer codes are left.")]


class PoolOut(BaseModel):
    key: str
    name: str
    discount: dict[str, Any] = Field(description=_DISCOUNT)
    low_threshold: int | None = Field(description="An alert is raised when fewer codes than this are left.")
    total: int = Field(description="Codes in the pool.")
    assigned: int = Field(description="Codes given to customers.")
    expired: int = Field(description="Codes not given and past their expiry: never given.")
    left: int = Field(description="Codes still to give: neither given nor expired.")
    created_at: Timestamp

    @classmethod
    def of(cls, p: Pool) -> PoolOut:
        return from_record(cls, p, discount=p.discount.as_dict(), left=p.left)


class PoolIn(Body):
    key: Annotated[str, text(64)] = Field(description="Lowercase letters, digits, '-' or '_', at most 64.")
    name: Annotated[str, text(200)]
    discount: dict[str, Any] = Field(description=_DISCOUNT)
    low_threshold: Threshold = None


class GenerateIn(Body):
    count: int = Field(ge=1, le=MAX_GENERATE, description="How many new codes.")
    pattern: Annotated[str, text(64)] | None = Field(
        None, description="Like SPRING-XXXX-XXXX: X a random character, 9 a digit, A a letter; at least 8 random."
    )
    expires_at: Annotated[str, text(40)] | None = Field(
        None,
        description="When the codes expire: a date like 2027-01-31 (good through that day in the store's time "
        "zone) or an ISO 8601 time. An expired code is never assigned. None: never.",
    )


class RemoveIn(Body):
    codes: list[Annotated[str, text(64)]] | None = Field(
        None, max_length=MAX_GENERATE, description="The codes to remove; none: every code not assigned."
    )
    expired: bool = Field(False, description="Only the codes past their expiry.")


class RemovedOut(BaseModel):
    removed: int = Field(description="Codes removed.")
    pool: PoolOut


class ThresholdIn(Body):
    low_threshold: Threshold
