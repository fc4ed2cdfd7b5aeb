"""`mp.codes`: the discount codes customers were given, checked and redeemed at checkout."""

from __future__ import annotations

from milepost.capabilities.wiring import Capability
from milepost.domain.codes import Code, Verdict
from milepost.service import codes


class Codes(Capability):
    def validate(self, store: str, code: str, customer_id: str) -> Verdict:
        """Whether `code` is good for the customer now: valid (with its discount), unknown,
        not_theirs, expired, already_redeemed or voided, and why."""
        return codes.validate_code(self._w.db, self._w.clock(), self._w.store_id(store), code, customer_id)

    def redeem(self, store: str, code: str, customer_id: str, *, order_id: str, key: str) -> Code:
        """Mark the code redeemed on `order_id`; the same `key` again answers the same code.
        Raises `CodeRefused` (with the verdict's `status`) when the code is not good."""
        w = self._w
        return codes.redeem_code(w.db, w.clock(), w.store_id(store), code, customer_id, order_id, key)

    def rollback(self, store: str, code: str, order_id: str) -> Code:
        """Un-redeem the code, once `order_id` (where it was redeemed) was refunded or cancelled."""
        return codes.rollback_redemption(self._w.db, self._w.clock(), self._w.store_id(store), code, order_id)

    def void(self, store: str, code: str, reason: str) -> Code:
        """Cancel the code for good; the checkout is told `reason`."""
        return codes.void_code(self._w.db, self._w.clock(), self._w.store_id(store), code, reason)

    def list(self, store: str, customer_id: str) -> list[Code]:
        """The discount codes the customer was given, oldest first."""
        return codes.customer_codes(self._w.db, self._w.store_id(store), customer_id)
