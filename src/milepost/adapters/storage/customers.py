"""Customers as operators look them up: by id or email, one with its tags, its codes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.adapters.storage.codes import _code
from milepost.domain.aggregates import Aggregates
from milepost.domain.records import CustomerLine, CustomerState, IssuedCode


def _lines() -> Any:
    """The columns of a customer's line in a list."""
    c = t.customers.c
    return select(c.external_id, c.name, c.email, c.order_count, c.amount_spent, c.last_order_at)


def _line(r: Any) -> CustomerLine:
    return CustomerLine(r.external_id, r.name, r.email, r.order_count, r.amount_spent, r.last_order_at)


class CustomerQueries(TxBase):
    def email_reach(self, store_id: int) -> tuple[int, int, int]:
        """The store's customers: how many, how many have no email address, how many have
        one but no email consent."""
        c = t.customers.c
        no_address = or_(c.email.is_(None), c.email == "")
        counted = select(
            func.count(),
            func.coalesce(func.sum(case((no_address, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(~no_address, ~c.email_consent), 1), else_=0)), 0),
        ).where(c.store_id == store_id)
        total, without_address, without_consent = self.conn.execute(counted).one()
        return int(total), int(without_address), int(without_consent)

    def customer_lines(self, store_id: int, prefix: str, after: str | None, limit: int) -> list[CustomerLine]:
        """Customers by id, those whose id starts with `prefix`, after the id `after`, in
        the order of the (store, id) index."""
        c = t.customers.c
        q = _lines().where(c.store_id == store_id)
        if prefix:
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            q = q.where(c.external_id.like(escaped + "%", escape="\\"))
            if ord(prefix[-1]) < 0xD7FF:  # a range the (store, id) index answers; LIKE keeps it exact
                q = q.where(c.external_id >= prefix, c.external_id < prefix[:-1] + chr(ord(prefix[-1]) + 1))
        if after is not None:
            q = q.where(c.external_id > after)
        rows = self.conn.execute(q.order_by(c.external_id).limit(limit))
        return [_line(r) for r in rows]

    def customers_by_email(self, store_id: int, email: str, limit: int) -> list[CustomerLine]:
        """Customers with this email, as sent or in lower case, by id (sorted here: an ORDER
        BY would tempt SQLite onto the (store, id) index and a walk through every customer)."""
        c = t.customers.c
        q = _lines().where(c.store_id == store_id, c.email.in_({email, email.lower()})).limit(limit)
        lines = [_line(r) for r in self.conn.execute(q)]
        return sorted(lines, key=lambda line: line.external_id)

    def customer(self, store_id: int, external_id: str) -> tuple[CustomerState, datetime] | None:
        c = t.customers.c
        r = self.conn.execute(select(t.customers).where(c.store_id == store_id, c.external_id == external_id)).first()
        if r is None:
            return None
        state = CustomerState(
            id=r.id,
            external_id=r.external_id,
            email=r.email,
            name=r.name,
            email_consent=bool(r.email_consent),
            sms_consent=bool(r.sms_consent),
            attributes=json.loads(r.attributes),
            aggregates=Aggregates(
                r.order_count,
                r.amount_spent,
                r.first_order_at,
                r.last_order_at,
                r.review_count,
                r.referral_count,
                r.billing_cycles,
                r.points_earned,
            ),
            profile_at=r.profile_at,
            phone=r.phone,
        )
        return state, r.created_at

    def customer_tags(self, customer_id: int) -> list[str]:
        rows = self.conn.execute(
            select(t.customer_tags.c.tag)
            .where(t.customer_tags.c.customer_id == customer_id)
            .order_by(t.customer_tags.c.tag)
        )
        return [r.tag for r in rows]

    def issued_codes(self, customer_id: int) -> list[IssuedCode]:
        """The customer's codes, oldest first, each with the firing and program that issued it."""
        cod, cus, fir, rul = t.codes, t.customers, t.firings, t.rules
        q = (
            select(
                cod,
                cus.c.external_id.label("customer_ext"),
                fir.c.rule_id,
                fir.c.occurrence,
                rul.c.name.label("rule_name"),
            )
            .join(cus, cus.c.id == cod.c.customer_id)
            .outerjoin(fir, fir.c.id == cod.c.firing_id)
            .outerjoin(rul, rul.c.id == fir.c.rule_id)
            .where(cod.c.customer_id == customer_id)
            .order_by(cod.c.id)
        )
        return [IssuedCode(_code(r), r.firing_id, r.rule_id, r.rule_name, r.occurrence) for r in self.conn.execute(q)]
