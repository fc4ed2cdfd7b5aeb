"""The outbox as the worker sees it: claims with leases, attempts, outcomes, the mailbox.

A claim moves a due row's `available_at` past the lease and names the worker in
`lease_owner`, in one statement; on PostgreSQL the candidate rows are locked with
FOR UPDATE SKIP LOCKED, so workers on several machines take disjoint rows without
waiting for each other. A worker that dies holds nothing: its rows come due again
when the lease runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import and_, func, insert, select, update

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase, record
from milepost.domain.delivery import Attempt, Delivery, MailboxMessage, OutboxMessage

_CLAIMED = "id, store_id, key, channel, customer_id, firing_id, payload, attempts, endpoint_id, created_at"


class DeliveryQueries(TxBase):
    # -- the worker ------------------------------------------------------------------

    def claim_outbox(
        self,
        worker: str,
        now: datetime,
        lease_until: datetime,
        limit: int,
        store_ids: Sequence[int] | None = None,
    ) -> list[OutboxMessage]:
        """Up to `limit` due messages (of `store_ids`, or of every store), oldest due first,
        leased to `worker` until `lease_until`."""
        ph = self.ph
        skip = " FOR UPDATE SKIP LOCKED" if self.pg else ""
        only = f" AND store_id IN ({','.join(str(int(i)) for i in store_ids)})" if store_ids else ""
        rows = self._rows(
            f"UPDATE outbox SET available_at = {ph}, lease_owner = {ph} WHERE id IN ("
            f"SELECT id FROM outbox WHERE status = 'pending' AND available_at <= {ph}{only} "
            f"ORDER BY available_at LIMIT {ph}{skip}) RETURNING {_CLAIMED}",
            (self.ts(lease_until), worker, self.ts(now), limit),
        )
        messages = [  # created_at is NOT NULL
            OutboxMessage(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], cast(datetime, self.from_ts(r[9])))
            for r in rows
        ]
        return sorted(messages, key=lambda m: m.id)

    def next_due(self, store_ids: Sequence[int] | None = None) -> datetime | None:
        """When the next pending message comes due (leased ones included), or None."""
        ob = t.outbox.c
        q = select(func.min(ob.available_at)).where(ob.status == "pending")
        if store_ids:
            q = q.where(ob.store_id.in_(list(store_ids)))
        return self.from_ts(self.conn.execute(q).scalar())

    def record_attempt(
        self,
        message: OutboxMessage,
        worker: str,
        started_at: datetime,
        duration_ms: int,
        outcome: str,
        code: int | None,
        error: str | None,
    ) -> None:
        self.conn.execute(
            insert(t.delivery_attempts).values(
                outbox_id=message.id,
                store_id=message.store_id,
                attempt=message.attempts + 1,
                started_at=started_at,
                duration_ms=duration_ms,
                outcome=outcome,
                code=code,
                error=error,
                worker=worker,
            )
        )

    def settle(
        self,
        message: OutboxMessage,
        worker: str,
        now: datetime,
        status: str,
        *,
        available_at: datetime | None = None,
        code: int | None = None,
        error: str | None = None,
    ) -> bool:
        """Record the outcome of the attempt `worker` made. A message that was sent is
        marked sent whoever holds it now; any other outcome is kept only while the lease
        is still the worker's (a slower worker must not undo a newer claim)."""
        ob = t.outbox.c
        values: dict[str, Any] = {
            "status": status,
            "attempts": message.attempts + 1,
            "lease_owner": None,
            "last_code": code,
            "last_error": error,
            "updated_at": now,
        }
        if status == "sent":
            values["sent_at"] = now
            guard = ob.status == "pending"
        else:
            guard = and_(ob.status == "pending", ob.lease_owner == worker)
        if available_at is not None:
            values["available_at"] = available_at
        result = self.conn.execute(update(t.outbox).where(ob.id == message.id, guard).values(**values))
        return bool(result.rowcount)

    def insert_mailbox(self, message: OutboxMessage, now: datetime, **fields: Any) -> None:
        """Keep a message in the local mailbox; the unique outbox id keeps it there once."""
        self.conn.execute(
            insert(t.mailbox).values(store_id=message.store_id, outbox_id=message.id, created_at=now, **fields)
        )

    def dead_for_endpoint(self, store_id: int, endpoint_id: int, reason: str, now: datetime) -> int:
        """Park every pending message of a disabled endpoint as dead; a retry brings them back."""
        ob = t.outbox.c
        result = self.conn.execute(
            update(t.outbox)
            .where(ob.store_id == store_id, ob.status == "pending", ob.endpoint_id == endpoint_id)
            .values(status="dead", last_error=reason, lease_owner=None, updated_at=now)
        )
        return result.rowcount or 0

    def endpoint_ids_by_url(self, store_id: int) -> dict[str, int]:
        """Every endpoint of the store by URL: where a rule's webhook action goes."""
        we = t.webhook_endpoints.c
        return {r.url: r.id for r in self.conn.execute(select(we.url, we.id).where(we.store_id == store_id))}

    # -- what operators read and do ----------------------------------------------------

    def deliveries(
        self,
        store_id: int,
        status: str | None = None,
        channel: str | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        """Newest first. `status` "failing" means pending after a failed attempt."""
        ob = t.outbox.c
        q = self._delivery_query().where(ob.store_id == store_id)
        if status == "failing":
            q = q.where(ob.status == "pending", ob.attempts > 0)
        elif status is not None:
            q = q.where(ob.status == status)
        if channel is not None:
            q = q.where(ob.channel == channel)
        if before_id is not None:
            q = q.where(ob.id < before_id)
        return [_delivery(r, self.from_ts) for r in self.conn.execute(q.order_by(ob.id.desc()).limit(limit))]

    def customer_messages(self, customer_id: int, limit: int) -> list[Delivery]:
        """The emails and texts about one customer (internal id), newest first."""
        ob = t.outbox.c
        # on (customer, id) alone: the customer (an internal id) is of one store
        q = self._delivery_query().where(ob.customer_id == customer_id, ob.channel.in_(("email", "sms")))
        return [_delivery(r, self.from_ts) for r in self.conn.execute(q.order_by(ob.id.desc()).limit(limit))]

    def delivery(self, store_id: int, delivery_id: int) -> Delivery | None:
        ob = t.outbox.c
        row = self.conn.execute(self._delivery_query().where(ob.store_id == store_id, ob.id == delivery_id)).first()
        return _delivery(row, self.from_ts) if row else None

    def attempts_of(self, delivery_id: int) -> list[Attempt]:
        da = t.delivery_attempts.c
        rows = self.conn.execute(select(t.delivery_attempts).where(da.outbox_id == delivery_id).order_by(da.id))
        return [Attempt(r.attempt, r.started_at, r.duration_ms, r.outcome, r.code, r.error, r.worker) for r in rows]

    def requeue(self, store_id: int, ids: Sequence[int] | None, statuses: Sequence[str], now: datetime) -> int:
        """Make messages due now with a fresh schedule: the given ids, or every one in `statuses`;
        never one a worker holds right now (it could be sent twice)."""
        ob = t.outbox.c
        in_flight = and_(ob.status == "pending", ob.lease_owner.is_not(None), ob.available_at > now)
        q = update(t.outbox).where(ob.store_id == store_id, ob.status.in_(list(statuses)), ~in_flight)
        if ids is not None:
            q = q.where(ob.id.in_(list(ids)))
        result = self.conn.execute(
            q.values(status="pending", attempts=0, available_at=now, lease_owner=None, updated_at=now)
        )
        return result.rowcount or 0

    def mailbox_messages(
        self, store_id: int, channel: str | None = None, before_id: int | None = None, limit: int = 100
    ) -> list[MailboxMessage]:
        mb = t.mailbox.c
        q = select(t.mailbox).where(mb.store_id == store_id)
        if channel is not None:
            q = q.where(mb.channel == channel)
        if before_id is not None:
            q = q.where(mb.id < before_id)
        return [_mail(r) for r in self.conn.execute(q.order_by(mb.id.desc()).limit(limit))]

    def mailbox_message(self, store_id: int, message_id: int) -> MailboxMessage | None:
        mb = t.mailbox.c
        row = self.conn.execute(select(t.mailbox).where(mb.store_id == store_id, mb.id == message_id)).first()
        return _mail(row) if row else None

    @staticmethod
    def _delivery_query() -> Any:
        ob, cus = t.outbox, t.customers
        return select(ob, cus.c.external_id.label("customer_ext")).outerjoin(cus, cus.c.id == ob.c.customer_id)


def _delivery(r: Any, from_ts: Any) -> Delivery:
    return record(
        Delivery,
        r,
        customer_id=r.customer_ext,
        created_at=from_ts(r.created_at),
        available_at=from_ts(r.available_at),
        sent_at=from_ts(r.sent_at),
    )


def _mail(r: Any) -> MailboxMessage:
    return record(MailboxMessage, r, delivery_id=r.outbox_id)
