"""What operators read: customers, their codes, the milestone log, alerts, the outbox; and
the milestones a clawback names in its webhooks. Their ledgers: ledger_reports.py."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, update

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.adapters.storage.codes import _code
from milepost.adapters.storage.delivery import _delivery
from milepost.domain.aggregates import Aggregates
from milepost.domain.delivery import Delivery
from milepost.domain.records import Alert, CustomerLine, CustomerState, IssuedCode, MilestoneReached
from milepost.service.ports.rows import FiredMilestone


def _alert(r: Any) -> Alert:
    return Alert(
        id=r.id,
        customer_id=r.customer_ext,
        message=r.message,
        status=r.status,
        created_at=r.created_at,
        firing_id=r.firing_id,
        acknowledged_at=r.acknowledged_at,
        acknowledged_by=r.acknowledged_by,
        assignee=r.assignee,
        resolved_at=r.resolved_at,
        resolved_by=r.resolved_by,
    )


class ReportQueries(TxBase):
    # -- customers -------------------------------------------------------------------

    def customer_lines(self, store_id: int, prefix: str, after: str | None, limit: int) -> list[CustomerLine]:
        """Customers by id, those whose id starts with `prefix`, after the id `after`, in
        the order of the (store, id) index."""
        c = t.customers.c
        q = select(c.external_id, c.name, c.email, c.order_count, c.amount_spent, c.last_order_at).where(
            c.store_id == store_id
        )
        if prefix:
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            q = q.where(c.external_id.like(escaped + "%", escape="\\"))
            if ord(prefix[-1]) < 0xD7FF:  # a range the (store, id) index answers; LIKE keeps it exact
                q = q.where(c.external_id >= prefix, c.external_id < prefix[:-1] + chr(ord(prefix[-1]) + 1))
        if after is not None:
            q = q.where(c.external_id > after)
        rows = self.conn.execute(q.order_by(c.external_id).limit(limit))
        return [
            CustomerLine(r.external_id, r.name, r.email, r.order_count, r.amount_spent, r.last_order_at) for r in rows
        ]

    def customers_by_email(self, store_id: int, email: str, limit: int) -> list[CustomerLine]:
        """Customers with this email, as sent or in lower case, by id (sorted here: an ORDER
        BY would tempt SQLite onto the (store, id) index and a walk through every customer)."""
        c = t.customers.c
        q = (
            select(c.external_id, c.name, c.email, c.order_count, c.amount_spent, c.last_order_at)
            .where(c.store_id == store_id, c.email.in_({email, email.lower()}))
            .limit(limit)
        )
        lines = [
            CustomerLine(r.external_id, r.name, r.email, r.order_count, r.amount_spent, r.last_order_at)
            for r in self.conn.execute(q)
        ]
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

    # -- codes -------------------------------------------------------------------------

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

    # -- milestones ----------------------------------------------------------------------

    def fired_milestones(self, firing_ids: list[int]) -> list[FiredMilestone]:
        """The firings as their webhooks name them: the customer and the milestone."""
        if not firing_ids:
            return []
        fir, cus, rul = t.firings, t.customers, t.rules
        q = (
            select(
                fir.c.id,
                fir.c.customer_id,
                cus.c.external_id,
                cus.c.email,
                cus.c.name,
                fir.c.rule_id,
                rul.c.name.label("rule_name"),
                rul.c.kind,
                rul.c.metric,
                fir.c.rule_version,
                fir.c.value,
                fir.c.occurrence,
                fir.c.order_id,
            )
            .join(cus, cus.c.id == fir.c.customer_id)
            .join(rul, rul.c.id == fir.c.rule_id)
            .where(fir.c.id.in_(firing_ids))
            .order_by(fir.c.id)
        )
        return [
            FiredMilestone(
                r.id,
                r.customer_id,
                r.external_id,
                r.email,
                r.name,
                r.rule_id,
                r.rule_name,
                r.kind,
                r.metric,
                r.rule_version,
                r.value,
                r.occurrence,
                r.order_id,
            )
            for r in self.conn.execute(q)
        ]

    def milestone_log(
        self,
        store_id: int,
        *,
        customer_id: int | None = None,
        rule_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[MilestoneReached]:
        fir, cus, rul = t.firings, t.customers, t.rules
        # Each filter keeps to its own index, even without planner statistics: a customer
        # (an internal id, of one store) to the unique (customer, rule, occurrence) index, a
        # program to (rule, id); their store check is written `store_id + 0` so that SQLite's
        # planner is not lured onto the (store, id) index and a walk through every firing.
        store_check = fir.c.store_id == store_id
        if customer_id is not None or rule_id is not None:
            store_check = fir.c.store_id + 0 == store_id
        conds = [store_check]
        if customer_id is not None:
            conds.append(fir.c.customer_id == customer_id)
        if rule_id is not None:
            conds.append(fir.c.rule_id == rule_id)
        if since is not None:
            conds.append(fir.c.fired_at >= since)
        if until is not None:
            conds.append(fir.c.fired_at < until)
        # Between dates, newest first by time: the (store, fired_at) index starts at the
        # range's end, however old the range; otherwise by id, on (store, id), (rule, id) or
        # the customer's own firings. Ids follow time closely, not exactly, across processes.
        by_time = (since is not None or until is not None) and customer_id is None
        if before_id is not None and by_time:
            then = select(fir.c.fired_at).where(fir.c.id == before_id).scalar_subquery()
            conds.append(or_(fir.c.fired_at < then, and_(fir.c.fired_at == then, fir.c.id < before_id)))
        elif before_id is not None:
            conds.append(fir.c.id < before_id)
        order = (fir.c.fired_at.desc(), fir.c.id.desc()) if by_time else (fir.c.id.desc(),)
        q = (
            select(
                fir,
                cus.c.external_id.label("customer_ext"),
                rul.c.name.label("rule_name"),
                rul.c.kind.label("rule_kind"),
            )
            .join(cus, cus.c.id == fir.c.customer_id)
            .join(rul, rul.c.id == fir.c.rule_id)
            .where(and_(*conds))
            .order_by(*order)
            .limit(limit)
        )
        return [
            MilestoneReached(
                id=r.id,
                rule_id=r.rule_id,
                rule_name=r.rule_name,
                rule_version=r.rule_version,
                customer_id=r.customer_ext,
                value=r.value,
                order_id=r.order_id,
                event_key=r.event_key,
                fired_at=r.fired_at,
                actions=tuple(json.loads(r.actions)),
                occurrence=r.occurrence,
                rule_kind=r.rule_kind,
            )
            for r in self.conn.execute(q)
        ]

    def firing_deliveries(self, store_id: int, firing_ids: list[int]) -> dict[tuple[int, int], Delivery]:
        """The email, text or webhook each queued action of these firings put in the outbox, by
        (firing id, action position). Found through the outbox's unique key, which names the
        action as service/effects.py does: `milestone:<rule>:<customer>:<occurrence>:<position>`."""
        if not firing_ids:
            return {}
        fir = t.firings.c
        rows = self.conn.execute(
            select(fir.id, fir.rule_id, fir.customer_id, fir.occurrence, fir.actions).where(
                fir.store_id == store_id, fir.id.in_(firing_ids)
            )
        )
        wanted = {
            f"milestone:{r.rule_id}:{r.customer_id}:{r.occurrence}:{a['position']}": (r.id, a["position"])
            for r in rows
            for a in json.loads(r.actions)
            if a.get("status") == "queued"
        }
        if not wanted:
            return {}
        ob, cus = t.outbox, t.customers
        # by the unique key alone: a store condition here tempts SQLite onto the store's index
        q = (
            select(ob, cus.c.external_id.label("customer_ext"))
            .outerjoin(cus, cus.c.id == ob.c.customer_id)
            .where(ob.c.key.in_(list(wanted)))
        )
        rows = self.conn.execute(q)
        return {wanted[r.key]: _delivery(r, self.from_ts) for r in rows if r.store_id == store_id}

    # -- alerts ------------------------------------------------------------------------

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

    def outbox_rows(self, store_id: int) -> list[dict[str, Any]]:
        ob = t.outbox
        return [
            dict(r._mapping) for r in self.conn.execute(select(ob).where(ob.c.store_id == store_id).order_by(ob.c.id))
        ]

    def workflow_runs(self, store_id: int) -> list[dict[str, Any]]:
        wr = t.workflow_runs
        return [
            dict(r._mapping) for r in self.conn.execute(select(wr).where(wr.c.store_id == store_id).order_by(wr.c.id))
        ]
