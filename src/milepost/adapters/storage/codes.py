"""Discount codes: written by the batch that fires them, then validated, redeemed,
rolled back and voided one at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select, update

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase, record
from milepost.domain.codes import Code, Discount
from milepost.service.ports.rows import CodeRow, OutboxRow

_c, _cus = t.codes.c, t.customers.c
_COLUMNS = (
    t.codes,
    _cus.external_id.label("customer_ext"),
)


def _code(r: Any) -> Code:
    return record(Code, r, customer_id=r.customer_ext, discount=Discount.of(orjson.loads(r.discount)))


class CodeQueries(TxBase):
    def insert_codes(self, store_id: int, rows: list[CodeRow], now: datetime) -> None:
        issued = self.ts(now)
        self._insert(
            "codes",
            ("store_id", "code", "customer_id", "discount", "firing_id", "issued_at", "expires_at"),
            [(store_id, r.code, r.customer_id, r.discount, r.firing_id, issued, self.ts(r.expires_at)) for r in rows],
        )

    def insert_outbox(self, store_id: int, rows: list[OutboxRow], now: datetime) -> None:
        at = self.ts(now)
        self._insert(
            "outbox",
            (
                "store_id",
                "key",
                "channel",
                "customer_id",
                "firing_id",
                "payload",
                "status",
                "attempts",
                "available_at",
                "created_at",
                "endpoint_id",
            ),
            [
                (
                    store_id,
                    o.key,
                    o.channel,
                    o.customer_id,
                    o.firing_id,
                    o.payload,
                    "pending",
                    0,
                    self.ts(o.available_at) if o.available_at is not None else at,
                    at,
                    o.endpoint_id,
                )
                for o in rows
            ],
        )

    def outbox_has(self, key: str) -> bool:
        return self.conn.execute(select(t.outbox.c.id).where(t.outbox.c.key == key)).first() is not None

    def code(self, store_id: int, code: str, lock: bool = False) -> tuple[int, int, Code] | None:
        """The code's row id, its customer's id and the code, or None; `lock` holds it
        for this transaction (PostgreSQL; SQLite's write transaction already does)."""
        q = (
            select(*_COLUMNS)
            .join(t.customers, _cus.id == _c.customer_id)
            .where(_c.store_id == store_id, _c.code == code)
        )
        if lock and self.pg:
            q = q.with_for_update(of=t.codes)
        r = self.conn.execute(q).first()
        return None if r is None else (r.id, r.customer_id, _code(r))

    def code_with_redemption_key(self, store_id: int, key: str) -> str | None:
        q = select(_c.code).where(_c.store_id == store_id, _c.redemption_key == key)
        return self.conn.execute(q).scalar_one_or_none()

    def codes_of(self, customer_id: int) -> list[Code]:
        q = (
            select(*_COLUMNS)
            .join(t.customers, _cus.id == _c.customer_id)
            .where(_c.customer_id == customer_id)
            .order_by(_c.id)
        )
        return [_code(r) for r in self.conn.execute(q)]

    def update_code(self, code_id: int, **values: Any) -> None:
        self.conn.execute(update(t.codes).where(_c.id == code_id).values(**values))

    def firing_code(self, store_id: int, external_id: str, firing_id: int) -> str:
        """The first code a firing gave the customer, or ""."""
        customer = select(_cus.id).where(_cus.store_id == store_id, _cus.external_id == external_id).scalar_subquery()
        q = select(_c.code).where(_c.customer_id == customer, _c.firing_id == firing_id).order_by(_c.id).limit(1)
        return self.conn.execute(q).scalar_one_or_none() or ""

    def order_refunded(self, store_id: int, order_id: str) -> bool | None:
        """Whether the order was refunded (in part or in full) or cancelled; None for an
        order the store never reported."""
        o = t.orders.c
        r = self.conn.execute(
            select(o.refunded, o.full_refund, o.cancelled).where(o.store_id == store_id, o.external_id == order_id)
        ).first()
        return None if r is None else bool(r.refunded > 0 or r.full_refund or r.cancelled)
