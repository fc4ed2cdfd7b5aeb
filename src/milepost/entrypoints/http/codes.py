"""Discount codes for the store's checkout: a customer's codes, whether a code is good
for a customer now, redeeming it on an order, rolling that back after a refund, voiding."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from milepost.domain import codes as domain
from milepost.entrypoints.http.admin import AdminCaller, ReadCaller, problems
from milepost.entrypoints.http.customer_params import KeyHeader
from milepost.entrypoints.http.customer_params import check_customer_id as _check
from milepost.entrypoints.http.customer_params import idempotency_key as _idempotency_key
from milepost.entrypoints.http.problems import ApiProblem
from milepost.entrypoints.http.schemas.codes import CodeOut, Codes, RedeemIn, RollbackIn, ValidateIn, VerdictOut, VoidIn
from milepost.errors import CodeRefused

router = APIRouter(tags=["codes"])

CustomerId = Annotated[str, Path(description="The store's own customer id, as sent in events.")]


# Registered before the customers' router: its `{customer_id:path}` would take ".../codes".
@router.get(
    "/api/v1/customers/{customer_id:path}/codes",
    summary="The discount codes a customer was given",
    response_model=Codes,
    responses=problems(404),
)
def list_codes(admin: ReadCaller, customer_id: CustomerId) -> Codes:
    _check(customer_id)
    now = admin.mp.clock()
    return Codes(data=[CodeOut.of(c, now) for c in admin.mp.codes.list(admin.store, customer_id)])


@router.post(
    "/api/v1/codes/validate",
    summary="Whether a code is good for a customer now, and what it gives",
    description="Changes nothing. `status` is valid, unknown (not a code of this store), not_theirs, "
    "expired, already_redeemed or voided.",
    response_model=VerdictOut,
    responses=problems(body=True),
)
def validate(admin: AdminCaller, body: ValidateIn) -> VerdictOut:
    verdict = admin.mp.codes.validate(admin.store, body.code, body.customer_id)
    discount = verdict.discount.as_dict() if verdict.discount else None
    return VerdictOut(
        code=domain.normalize(body.code),
        valid=verdict.valid,
        status=verdict.status,
        reason=verdict.reason,
        discount=discount,
    )


@router.post(
    "/api/v1/codes/redeem",
    summary="Mark a code redeemed on an order",
    description="A repeat with the same idempotency key answers the same code and changes nothing. A code "
    "that is not good for the customer is refused: 404 for a code this store does not have, 409 otherwise, "
    "with its `verdict`; either sends `redemption.failed` to subscribed endpoints. A redemption sends "
    "`redemption.succeeded`.",
    response_model=CodeOut,
    responses=problems(404, 409, body=True),
)
def redeem(admin: AdminCaller, body: RedeemIn, key: KeyHeader = None) -> CodeOut:
    try:
        code = admin.mp.codes.redeem(
            admin.store,
            body.code,
            body.customer_id,
            order_id=body.order_id,
            key=_idempotency_key(body.idempotency_key, key),
        )
    except CodeRefused as refused:
        status = 404 if refused.status == domain.UNKNOWN else 409
        raise ApiProblem(status, str(refused), slug="code-refused", verdict=refused.status) from None
    return CodeOut.of(code, admin.mp.clock())


@router.post(
    "/api/v1/codes/rollback",
    summary="Take back a redemption after its order was refunded or cancelled",
    description="The code is as good as before (unless it expired meanwhile). A code not redeemed answers "
    "as it is; one redeemed on another order, or on an order not reported refunded or cancelled, is a 409.",
    response_model=CodeOut,
    responses=problems(404, 409, body=True),
)
def rollback(admin: AdminCaller, body: RollbackIn) -> CodeOut:
    return CodeOut.of(admin.mp.codes.rollback(admin.store, body.code, body.order_id), admin.mp.clock())


@router.post(
    "/api/v1/codes/void",
    summary="Cancel a code for good",
    description="Voiding a voided code changes nothing (the first reason stays).",
    response_model=CodeOut,
    responses=problems(404, body=True),
)
def void(admin: AdminCaller, body: VoidIn) -> CodeOut:
    return CodeOut.of(admin.mp.codes.void(admin.store, body.code, body.reason), admin.mp.clock())
