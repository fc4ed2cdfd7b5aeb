"""Customers as operators look them up: by id or email, one with its tags, its codes."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, exists, func, insert, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.adapters.storage.codes import _code
from milepost.domain.aggregates import Aggregates
from milepost.domain.records import CustomerLine, CustomerState, IssuedCode
from milepost.service.ports.customers import CustomerFilter, EventLine, EventPosition, TagChange


def _lines() -> Any:
    """The columns of a customer's line in a list."""
    c = t.customers.c
    return select(c.external_id, c.name, c.email, c.order_count, c.amount_spent, c.last_order_at)


def _line(r: Any) -> CustomerLine:
    return CustomerLine(r.external_id, r.name, r.email, r.order_count, r.amount_spent, r.last_order_at)


#: A whole email address: searched on its index, not in every customer's fields.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _filtered(where: CustomerFilter) -> list[ColumnElement[bool]]:
    """The conditions of `where`. The search folds case with lower() on both sides, so
    SQLite and PostgreSQL agree (SQLite folds only ASCII letters, PostgreSQL every letter
    its collation knows)."""
    c = t.customers.c
    found: list[ColumnElement[bool]] = []
    if where.q:
        escaped = where.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = func.lower(literal(f"%{escaped}%"))
        found.append(or_(*(func.lower(col).like(pattern, escape="\\") for col in (c.external_id, c.email, c.name))))
    if where.tag is not None:
        tags = t.customer_tags.c
        found.append(exists().where(tags.customer_id == c.id, tags.tag == where.tag))
    bounds = ((c.order_count, where.min_orders, where.max_orders), (c.amount_spent, where.min_spent, where.max_spent))
    for column, low, high in bounds:
        if low is not None:
            found.append(column >= low)
        if high is not None:
            found.append(column <= high)
    return found


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

    def customer_lines(self, store_id: int, where: CustomerFilter, after: str | None, limit: int) -> list[CustomerLine]:
        """The customers `where` picks, after the id `after`, in the order of the (store, id)
        index: a page walks the index from `after` and stops at `limit` matches, however
        many customers the store has."""
        c = t.customers.c
        if _EMAIL.fullmatch(where.q):
            return self._by_address(store_id, where, after, limit)
        q = _lines().where(c.store_id == store_id, *_filtered(where))
        if after is not None:
            q = q.where(c.external_id > after)
        rows = self.conn.execute(q.order_by(c.external_id).limit(limit))
        return [_line(r) for r in rows]

    def _by_address(self, store_id: int, where: CustomerFilter, after: str | None, limit: int) -> list[CustomerLine]:
        """A search for a whole email address: the customers with it, in any case, on the
        (store, lower(email)) index, sorted here (an ORDER BY would tempt SQLite onto the
        (store, id) index and a walk through every customer)."""
        c = t.customers.c
        address = replace(where, q="")
        q = _lines().where(c.store_id == store_id, func.lower(c.email) == func.lower(where.q), *_filtered(address))
        lines = sorted((_line(r) for r in self.conn.execute(q)), key=lambda line: line.external_id)
        return [line for line in lines if after is None or line.external_id > after][:limit]

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

    def add_tags(self, customer_id: int, tags: list[str], now: datetime) -> None:
        if not tags:
            return
        rows = [{"customer_id": customer_id, "tag": tag, "added_at": now} for tag in tags]
        dialect_insert = pg_insert if self.pg else sqlite_insert
        self.conn.execute(dialect_insert(t.customer_tags).on_conflict_do_nothing(), rows)

    def remove_tags(self, customer_id: int, tags: list[str]) -> None:
        if tags:
            ct = t.customer_tags.c
            self.conn.execute(delete(t.customer_tags).where(ct.customer_id == customer_id, ct.tag.in_(tags)))

    def record_tag_changes(
        self, customer_id: int, changes: list[tuple[str, bool]], actor: str | None, now: datetime
    ) -> None:
        if changes:
            rows = [
                {"customer_id": customer_id, "tag": t_, "added": a, "actor": actor, "created_at": now}
                for t_, a in changes
            ]
            self.conn.execute(insert(t.tag_changes), rows)

    def tag_changes(self, customer_id: int, limit: int) -> list[TagChange]:
        tc = t.tag_changes.c
        q = select(tc.tag, tc.added, tc.actor, tc.created_at).where(tc.customer_id == customer_id)
        rows = self.conn.execute(q.order_by(tc.id.desc()).limit(limit))
        return [TagChange(r.tag, bool(r.added), r.actor, r.created_at) for r in rows]

    def customer_events(self, customer_id: int, limit: int, before: EventPosition | None = None) -> list[EventLine]:
        """On the (customer, occurred_at) index: the customer is an internal id, of one store.
        Events of the same time are ordered by (source, id), so that pages never skip one."""
        e = t.events.c
        q = select(e.type, e.occurred_at, e.order_id, e.payload, e.source, e.external_id).where(
            e.customer_id == customer_id
        )
        if before is not None:
            at, source, external_id = before
            q = q.where(
                or_(
                    e.occurred_at < at,
                    and_(
                        e.occurred_at == at,
                        or_(e.source < source, and_(e.source == source, e.external_id < external_id)),
                    ),
                )
            )
        q = q.order_by(e.occurred_at.desc(), e.source.desc(), e.external_id.desc()).limit(limit)
        return [
            EventLine(r.type, r.occurred_at, r.order_id, r.payload, r.source, r.external_id)
            for r in self.conn.execute(q)
        ]

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
