"""Discount codes: a code as its customer has it, a verdict on one, and what validating,
redeeming, rolling back and voiding take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from milepost.domain import codes as domain
from milepost.entrypoints.http.schemas.requests import Body, IdempotencyKey, OrderId, Reason, text
from milepost.entrypoints.http.schemas.responses import Timestamp, from_record

CodeText = Annotated[str, text(200)]
CustomerRef = Annotated[str, text(200)]
_DISCOUNT = "What the code gives: `kind` (fixed_amount, percentage, free_shipping, free_gift) and its " + (
    "`amount` and `currency`, `percent` or `product_id`."
)


class CodeOut(BaseModel):
    code: str
    customer_id: str
    discount: dict[str, Any] = Field(description=_DISCOUNT)
    status: str = Field(description="For its customer now: " + ", ".join(domain.VERDICTS) + ".")
    issued_at: Timestamp
    expires_at: Timestamp | None
    redeemed_at: Timestamp | None
    redeemed_order_id: str | None
    voided_at: Timestamp | None
    void_reason: str | None

    @classmethod
    def of(cls, c: domain.Code, now: datetime) -> CodeOut:
        return from_record(cls, c, discount=c.discount.as_dict(), status=domain.check(c, c.customer_id, now).status)


class Codes(BaseModel):
    data: list[CodeOut] = Field(description="Oldest first.")


class VerdictOut(BaseModel):
    code: str = Field(description="As stored: capitals, no spaces around.")
    valid: bool
    status: str = Field(description=", ".join(domain.VERDICTS) + ".")
    reason: str = Field(description="Why not, when it is not valid.")
    discount: dict[str, Any] | None = Field(description=_DISCOUNT + " Only when valid.")


class ValidateIn(Body):
    code: CodeText
    customer_id: CustomerRef


class RedeemIn(Body):
    code: CodeText
    customer_id: CustomerRef
    order_id: OrderId
    idempotency_key: IdempotencyKey | None = Field(
        None, description="The same key answers the same redemption. Or send the Idempotency-Key header."
    )


class RollbackIn(Body):
    code: CodeText
    order_id: OrderId = Field(description="The order the code was redeemed on; it must be refunded or cancelled.")


class VoidIn(Body):
    code: CodeText
    reason: Reason = Field(description="Told to the checkout when the code is tried.")
