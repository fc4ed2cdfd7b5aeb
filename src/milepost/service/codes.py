"""Discount codes after they are issued: listed, validated by the store's checkout,
redeemed (idempotently, by key), rolled back when the order is refunded, and voided.
Codes are issued by the batch that fires their program (service/effects.py).

A redemption sends `redemption.succeeded` to the endpoints subscribed to it; a refused
one `redemption.failed` (once per key), committed even though the call is refused.
"""

from __future__ import annotations

from datetime import datetime
from hashlib import sha256
from typing import Any, Protocol

import orjson

from milepost.domain.codes import Code, Verdict, check, normalize
from milepost.errors import CodeRefused, Conflict, ValidationError
from milepost.service.existing import existing, find_customer
from milepost.service.internal_events import event_key
from milepost.service.ports import CodesTx, EndpointsTx, InternalEventRow, InternalEventsTx, OutboxRow, Storage

MAX_REASON = 500


def customer_codes(db: Storage, store_id: int, customer_id: str) -> list[Code]:
    """The customer's codes, oldest first."""
    with db.read() as tx:
        return tx.codes_of(find_customer(tx, store_id, customer_id).id)


def validate_code(db: Storage, now: datetime, store_id: int, code: str, customer_id: str) -> Verdict:
    """Whether `code` is good for `customer_id` now, what it gives, and why not."""
    with db.read() as tx:
        found = tx.code(store_id, _text(code))
    return check(found[2] if found else None, customer_id, now)


def redeem_code(
    db: Storage, now: datetime, store_id: int, code: str, customer_id: str, order_id: str, key: str
) -> Code:
    """Mark `code` redeemed on `order_id`; the same `key` again answers the same redemption.
    A code that is not good for the customer is refused (`CodeRefused`)."""
    text, order_id, key = _text(code), _required("order_id", order_id), _required("key", key)
    with db.write() as tx:
        store = tx.lock_store(store_id)
        used = tx.code_with_redemption_key(store_id, key)
        if used is not None and used != text:
            raise Conflict(f"the key {key!r} was used to redeem another code")
        found = tx.code(store_id, text, lock=True)
        if found is not None and used == text:  # this redemption, asked again
            return _repeated(found[2], customer_id, order_id, key)
        verdict = check(found[2] if found else None, customer_id, now)
        data = {"store": store.key, "code": text, "customer": {"id": customer_id}, "order_id": order_id}
        if verdict.valid:
            assert found is not None
            tx.update_code(found[0], redeemed_at=now, redeemed_order_id=order_id, redemption_key=key)
            redeemed = _existing(tx.code(store_id, text), text)[2]
            body = {**data, "discount": verdict.discount.as_dict(), "redeemed_at": now}  # type: ignore[union-attr]
            _notify(tx, store_id, "redemption.succeeded", _key(text, key), found[1], body, now)
            return redeemed
        asking = tx.customer(store_id, customer_id)
        body = {**data, "status": verdict.status, "reason": verdict.reason}
        _notify(tx, store_id, "redemption.failed", _key(text, key), asking[0].id if asking else None, body, now)
    raise CodeRefused(verdict.status, verdict.reason)


def rollback_redemption(db: Storage, now: datetime, store_id: int, code: str, order_id: str) -> Code:
    """Take back the redemption of `code` on `order_id`, once the store reported that order
    refunded or cancelled; the code is as good as before (unless it expired meanwhile)."""
    text, order_id = _text(code), _required("order_id", order_id)
    with db.write() as tx:
        tx.lock_store(store_id)
        code_id, _, found = _existing(tx.code(store_id, text, lock=True), text)
        if found.redeemed_at is None:
            return found  # nothing to take back: never redeemed, or already rolled back
        if found.redeemed_order_id != order_id:
            raise Conflict(f"the code was redeemed on order {found.redeemed_order_id}, not {order_id}")
        if not tx.order_refunded(store_id, order_id):
            raise Conflict(f"order {order_id} has not been reported refunded or cancelled")
        tx.update_code(code_id, redeemed_at=None, redeemed_order_id=None, redemption_key=None)
        return _existing(tx.code(store_id, text), text)[2]


def void_code(db: Storage, now: datetime, store_id: int, code: str, reason: str) -> Code:
    """Cancel `code` for good, with the reason the checkout is told; voiding it again
    changes nothing."""
    text = _text(code)
    reason = _required("reason", reason)
    if len(reason) > MAX_REASON:
        raise ValidationError(f"the reason must be at most {MAX_REASON} characters", {"reason": "too long"})
    with db.write() as tx:
        tx.lock_store(store_id)
        code_id, _, found = _existing(tx.code(store_id, text, lock=True), text)
        if found.voided_at is None:
            tx.update_code(code_id, voided_at=now, void_reason=reason)
        return _existing(tx.code(store_id, text), text)[2]


def _repeated(found: Code, customer_id: str, order_id: str, key: str) -> Code:
    if found.customer_id != customer_id or found.redeemed_order_id != order_id:
        raise Conflict(f"the key {key!r} was used for a different redemption of this code")
    return found


def _existing(found: tuple[int, int, Code] | None, text: str) -> tuple[int, int, Code]:
    return existing(found, f"no code {text!r} in this store")


def _text(code: Any) -> str:
    if not isinstance(code, str) or not code.strip():
        raise ValidationError("a code is required", {"code": "is required"})
    return normalize(code)


def _required(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{name} is required", {name: "is required"})
    return value.strip()


def _key(code: str, key: str) -> str:
    return sha256(f"{code}\x00{key}".encode()).hexdigest()[:32]


class _NotifyTx(CodesTx, EndpointsTx, InternalEventsTx, Protocol):
    """Telling the subscribed endpoints: their subscriptions, and the outbox; and the
    event store."""


def _notify(
    tx: _NotifyTx, store_id: int, kind: str, key: str, customer: int | None, data: dict[str, Any], now: datetime
) -> None:
    """The internal event `kind`, and one message of it for each endpoint subscribed to it,
    once per redemption key."""
    row = InternalEventRow(kind, event_key(f"redemption:{key}:{kind}"), customer, now, data, data.get("order_id"))
    tx.insert_internal_events(store_id, [row], now)
    body = orjson.dumps({"type": kind, "data": data}).decode()
    rows = [
        OutboxRow(f"redemption:{store_id}:{key}:{kind}:{endpoint}", "webhook", customer, None, body, endpoint)
        for endpoint, kinds in tx.subscriptions(store_id)
        if kind in kinds
    ]
    tx.insert_outbox(store_id, [r for r in rows if not tx.outbox_has(r.key)], now)
