"""What operators read of a store's activity: the milestone log and what each firing
sent, the outbox and workflow runs; and the milestones a clawback names in its webhooks.
Customers: customers.py; alerts: alerts.py; ledgers: ledger_reports.py."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase, record
from milepost.adapters.storage.delivery import _delivery
from milepost.domain.delivery import Delivery
from milepost.domain.records import MilestoneReached
from milepost.service.ports.rows import FiredMilestone

#: The actions whose message goes to an agent, not the customer: their outbox key's suffix.
_AGENT = {"internal_email": ":agent"}


class ReportQueries(TxBase):
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
            record(MilestoneReached, r, customer_id=r.customer_ext, actions=tuple(json.loads(r.actions)))
            for r in self.conn.execute(q)
        ]

    def firing_deliveries(self, store_id: int, firing_ids: list[int]) -> dict[tuple[int, int], Delivery]:
        """The email, text or webhook each queued action of these firings put in the outbox, by
        (firing id, action position). Found through the outbox's unique key, which names the
        action as service/effects.py does: `milestone:<rule>:<customer>:<occurrence>:<position>`
        (and `:agent` after it for an internal email)."""
        if not firing_ids:
            return {}
        fir = t.firings.c
        rows = self.conn.execute(
            select(fir.id, fir.rule_id, fir.customer_id, fir.occurrence, fir.actions).where(
                fir.store_id == store_id, fir.id.in_(firing_ids)
            )
        )
        wanted = {
            f"milestone:{r.rule_id}:{r.customer_id}:{r.occurrence}:{a['position']}{_AGENT.get(a.get('type'), '')}": (
                r.id,
                a["position"],
            )
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
