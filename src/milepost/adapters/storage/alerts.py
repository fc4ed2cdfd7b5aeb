"""Alerts raised for a store's operators: raised once per open dedupe key, read,
acknowledged, resolved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, literal, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase, record
from milepost.domain.records import Alert


def _alert(r: Any) -> Alert:
    return record(Alert, r, customer_id=r.customer_ext)


class AlertQueries(TxBase):
    def raise_alert(
        self,
        store_id: int,
        message: str,
        now: datetime,
        *,
        dedupe_key: str | None = None,
        customer_id: int | None = None,
        firing_id: int | None = None,
    ) -> int | None:
        """A new open alert, unless one with the same `dedupe_key` is still open (a partial
        unique index holds that across workers; the loser's insert does nothing)."""
        al = t.alerts.c
        values = {
            "store_id": store_id,
            "customer_id": customer_id,
            "firing_id": firing_id,
            "message": message,
            "status": "open",
            "created_at": now,
            "dedupe_key": dedupe_key,
        }
        if dedupe_key is None:
            return int(self.conn.execute(insert(t.alerts).values(**values).returning(al.id)).scalar_one())
        dialect_insert = pg_insert if self.pg else sqlite_insert
        stmt = (
            dialect_insert(t.alerts)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["store_id", "dedupe_key"], index_where=text(t.OPEN_DEDUPED))
            .returning(al.id)
        )
        return self.conn.execute(stmt).scalar_one_or_none()

    def alerts(
        self,
        store_id: int,
        status: str | None = "open",
        limit: int = 100,
        before_id: int | None = None,
        assignee: str | None = None,
    ) -> list[Alert]:
        """Newest first; pass the last id seen as `before_id` for the next page. Status
        `unresolved`: open or acknowledged."""
        if status == "unresolved":  # each status from its own index, newest first, then merged
            both = [a for s in ("open", "acknowledged") for a in self.alerts(store_id, s, limit, before_id, assignee)]
            return sorted(both, key=lambda a: -a.id)[:limit]
        al = t.alerts
        q = self._alert_query().where(al.c.store_id == store_id)
        if status is not None:
            q = q.where(al.c.status == status)
        if assignee is not None:
            q = q.where(al.c.assignee == assignee)
        if before_id is not None:
            q = q.where(al.c.id < before_id)
        return [_alert(r) for r in self.conn.execute(q.order_by(al.c.id.desc()).limit(limit))]

    def alert(self, store_id: int, alert_id: int) -> Alert | None:
        al = t.alerts
        row = self.conn.execute(self._alert_query().where(al.c.store_id == store_id, al.c.id == alert_id)).first()
        return _alert(row) if row else None

    @staticmethod
    def _alert_query() -> Any:
        al, cus = t.alerts, t.customers
        return select(al, cus.c.external_id.label("customer_ext")).outerjoin(cus, cus.c.id == al.c.customer_id)

    def acknowledge_alert(self, store_id: int, alert_id: int, by: str, now: datetime) -> bool:
        al = t.alerts
        result = self.conn.execute(
            update(al)
            .where(al.c.store_id == store_id, al.c.id == alert_id, al.c.status == "open")
            .values(status="acknowledged", acknowledged_at=now, acknowledged_by=by)
        )
        return bool(result.rowcount)

    def resolve_alert(self, store_id: int, alert_id: int, by: str, now: datetime) -> bool:
        """Open or acknowledged -> resolved (an open one is acknowledged by the same hand)."""
        al = t.alerts
        result = self.conn.execute(
            update(al)
            .where(al.c.store_id == store_id, al.c.id == alert_id, al.c.status != "resolved")
            .values(
                status="resolved",
                resolved_at=now,
                resolved_by=by,
                acknowledged_at=func.coalesce(al.c.acknowledged_at, literal(now, al.c.acknowledged_at.type)),
                acknowledged_by=func.coalesce(al.c.acknowledged_by, literal(by, al.c.acknowledged_by.type)),
            )
        )
        return bool(result.rowcount)

    def alert_exists(self, store_id: int, alert_id: int) -> bool:
        al = t.alerts
        return (
            self.conn.execute(select(al.c.id).where(al.c.store_id == store_id, al.c.id == alert_id)).first() is not None
        )
