"""Reads and writes off the hot path: stores, templates, rules."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, delete, insert, or_, select, tuple_, update
from sqlalchemy import cast as sa_cast
from sqlalchemy import false as sa_false

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.domain.actions import Action
from milepost.domain.aggregates import METRICS
from milepost.domain.due import Window, cutoff, excluded_lapse
from milepost.domain.journeys import Step
from milepost.domain.records import Store
from milepost.domain.rules import Rule, TagCondition

_cus = t.customers.c


def rule_from_row(r: Any) -> Rule:
    actions = tuple(
        Action(a["type"], tuple((k, v) for k, v in a.items() if k != "type")) for a in json.loads(r.actions)
    )
    conditions = tuple(TagCondition(c["tag"], c["has"]) for c in json.loads(r.conditions))
    return Rule(
        id=r.id,
        name=r.name,
        threshold=r.threshold,
        actions=actions,
        conditions=conditions,
        active=bool(r.active),
        version=r.version,
        arm_seq=r.arm_seq,
        kind=r.kind,
        metric=r.metric,
        starts_at=r.starts_at,
        ends_at=r.ends_at,
        every=r.repeat_every,
        steps=tuple(Step(s["metric"], s["count"]) for s in json.loads(r.steps)) if r.steps else (),
        clawback_days=r.clawback_days,
    )


def _store(r: Any) -> Store:
    return Store(
        r.id,
        r.key,
        r.name,
        r.currency,
        r.timezone,
        r.counting_status,
        bool(r.allow_negative_credit),
        r.rules_version,
        r.email_from_name,
        r.email_from_address,
        r.points_per_unit,
        bool(r.allow_negative_points),
        r.points_expire_days,
        r.points_expire_since,
        r.points_expired_until,
        r.milestone_emails,
        r.reply_to_address,
        r.logo_url,
        r.locale,
    )


class RecordQueries(TxBase):
    # -- stores ------------------------------------------------------------------

    def insert_store(self, values: dict[str, Any]) -> Store:
        new_id = self.conn.execute(insert(t.stores).values(**values).returning(t.stores.c.id)).scalar_one()
        return self.store(new_id)  # type: ignore[return-value]

    def store(self, store_id: int) -> Store | None:
        row = self.conn.execute(select(t.stores).where(t.stores.c.id == store_id)).first()
        return _store(row) if row else None

    def store_by_key(self, key: str) -> Store | None:
        row = self.conn.execute(select(t.stores).where(t.stores.c.key == key)).first()
        return _store(row) if row else None

    def list_stores(self) -> list[Store]:
        return [_store(r) for r in self.conn.execute(select(t.stores).order_by(t.stores.c.id))]

    def update_store(self, store_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(update(t.stores).where(t.stores.c.id == store_id).values(**values))

    def store_has_orders(self, store_id: int) -> bool:
        return (
            self.conn.execute(select(t.orders.c.external_id).where(t.orders.c.store_id == store_id).limit(1)).first()
            is not None
        )

    def store_has_money(self, store_id: int) -> bool:
        """Orders or credit ledger entries: amounts in the store's currency."""
        credit = select(t.credit_ledger.c.id).where(t.credit_ledger.c.store_id == store_id).limit(1)
        return self.store_has_orders(store_id) or self.conn.execute(credit).first() is not None

    # -- templates ---------------------------------------------------------------

    def template_keys(self, store_id: int) -> set[str]:
        rows = self.conn.execute(select(t.email_templates.c.key).where(t.email_templates.c.store_id == store_id))
        return {r.key for r in rows}

    def upsert_template(self, store_id: int, values: dict[str, Any], now: datetime) -> bool:
        """Save a template; True when it is new."""
        tbl = t.email_templates
        found = self.conn.execute(
            select(tbl.c.id).where(tbl.c.store_id == store_id, tbl.c.key == values["key"])
        ).first()
        if found:
            self.conn.execute(update(tbl).where(tbl.c.id == found.id).values(**values, updated_at=now))
        else:
            self.conn.execute(insert(tbl).values(store_id=store_id, created_at=now, updated_at=now, **values))
        return found is None

    def list_templates(
        self, store_id: int, after_key: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """By key; `after_key` and `limit` give one page."""
        tbl = t.email_templates
        q = select(tbl).where(tbl.c.store_id == store_id)
        if after_key is not None:
            q = q.where(tbl.c.key > after_key)
        rows = self.conn.execute(q.order_by(tbl.c.key).limit(limit))
        return [dict(r._mapping) for r in rows]

    def template(self, store_id: int, key: str) -> dict[str, Any] | None:
        tbl = t.email_templates
        row = self.conn.execute(select(tbl).where(tbl.c.store_id == store_id, tbl.c.key == key)).first()
        return dict(row._mapping) if row else None

    def delete_template(self, store_id: int, key: str) -> bool:
        tbl = t.email_templates
        result = self.conn.execute(delete(tbl).where(tbl.c.store_id == store_id, tbl.c.key == key))
        return bool(result.rowcount)

    # -- rules ---------------------------------------------------------------------

    def load_rules(self, store_id: int, active_only: bool = True) -> list[Rule]:
        q = select(t.rules).where(t.rules.c.store_id == store_id, t.rules.c.deleted_at.is_(None))
        if active_only:
            q = q.where(t.rules.c.active.is_(True))
        return [rule_from_row(r) for r in self.conn.execute(q.order_by(t.rules.c.id))]

    def rule_row(self, store_id: int, rule_id: int) -> Any:
        """A program's row (an automation is not a program: mp.automations has it)."""
        r = t.rules.c
        return self.conn.execute(
            select(t.rules).where(r.store_id == store_id, r.id == rule_id, r.kind != "automation")
        ).first()

    def rule_rows(
        self,
        store_id: int,
        include_deleted: bool = False,
        after: tuple[int, int] | None = None,
        limit: int | None = None,
        kind: str | None = None,
    ) -> list[Any]:
        """By (threshold, id); `after`, a (threshold, id) seen last, and `limit` give one page."""
        r = t.rules.c
        q = select(t.rules).where(r.store_id == store_id)
        # programs only: automations (mp.automations) are listed apart
        q = q.where(r.kind == kind) if kind is not None else q.where(r.kind != "automation")
        if not include_deleted:
            q = q.where(r.deleted_at.is_(None))
        if after is not None:
            q = q.where(or_(r.threshold > after[0], and_(r.threshold == after[0], r.id > after[1])))
        return list(self.conn.execute(q.order_by(r.threshold, r.id).limit(limit)))

    @staticmethod
    def rule_of(row: Any) -> Rule:
        return rule_from_row(row)

    def insert_rule(self, values: dict[str, Any]) -> int:
        self.bump_rules_version(values["store_id"])
        rule_id: int = self.conn.execute(insert(t.rules).values(**values).returning(t.rules.c.id)).scalar_one()
        return rule_id

    def update_rule(self, rule_id: int, values: dict[str, Any]) -> None:
        result = self.conn.execute(
            update(t.rules).where(t.rules.c.id == rule_id).values(**values).returning(t.rules.c.store_id)
        )
        self.bump_rules_version(result.scalar_one())

    def insert_rule_version(self, rule_id: int, version: int, definition: dict[str, Any], now: datetime) -> None:
        self.conn.execute(
            insert(t.rule_versions).values(
                rule_id=rule_id, version=version, definition=self.dumps(definition), created_at=now
            )
        )

    def store_ids(self) -> list[int]:
        return [r.id for r in self.conn.execute(select(t.stores.c.id).order_by(t.stores.c.id))]

    def inactive_customers(
        self, store_id: int, window: Window, after: tuple[datetime, int] | None, limit: int
    ) -> list[tuple[int, str, datetime]]:
        """(id, external id, last order time) of customers whose last counted order lies in
        `window` (since, cutoff]: after `since` (None: any) and at or before `cutoff`; a page
        by (last order time, id) after `after`, read from the index on (store_id,
        last_order_at): an inactivity program's candidates (domain/due.py decides who is due)."""
        since, until = window
        q = select(_cus.id, _cus.external_id, _cus.last_order_at).where(
            _cus.store_id == store_id, _cus.last_order_at <= until
        )
        if since is not None:
            q = q.where(_cus.last_order_at > since)
        if after is not None:
            q = q.where(_cus.last_order_at >= after[0], tuple_(_cus.last_order_at, _cus.id) > after)
        rows = self.conn.execute(q.order_by(_cus.last_order_at, _cus.id).limit(limit))
        return [(r.id, r.external_id, r.last_order_at) for r in rows]

    def exclude_lapsed(self, store_id: int, rule_id: int, arm_seq: int, days: int, now: datetime) -> int:
        """Arm an inactivity program of `days` at `now`: the lapse each customer is already
        due in never fires for them (domain/due.py decides; the value noted is the lapse)."""
        after: tuple[datetime, int] | None = None
        added = 0
        while True:
            page = self.inactive_customers(store_id, (None, cutoff(days, now)), after, 5_000)
            if not page:
                return added
            lapsed = [(cid, excluded_lapse(days, last, now)) for cid, _, last in page]
            exc = t.rule_exclusions.c
            ids = [cid for cid, lapse in lapsed if lapse is not None]
            # switched back on: the lapse they are in now replaces the one noted before
            self.conn.execute(
                delete(t.rule_exclusions).where(
                    exc.rule_id == rule_id, exc.arm_seq == arm_seq, exc.customer_id.in_(ids)
                )
            )
            rows = [
                {"rule_id": rule_id, "arm_seq": arm_seq, "customer_id": cid, "value": lapse}
                for cid, lapse in lapsed
                if lapse is not None
            ]
            if rows:
                self.conn.execute(insert(t.rule_exclusions), rows)
            added += len(rows)
            after = (page[-1][2], page[-1][0])

    def start_journey(self, store_id: int, rule_id: int, metric: str) -> int:
        """A journey's first step counts from each customer's value now: a progress row
        for everyone who has some already. Returns how many."""
        if metric not in METRICS:
            raise ValueError(metric)
        cus = t.customers.c
        source = select(sa_cast(rule_id, t.Id), cus.id, sa_cast(0, Integer), cus[metric], sa_false()).where(
            cus.store_id == store_id, cus[metric] > 0
        )
        result = self.conn.execute(
            insert(t.journey_progress).from_select(["rule_id", "customer_id", "step", "baseline", "done"], source),
            execution_options={"preserve_rowcount": True},
        )
        return result.rowcount or 0

    def exclude_customers_at_or_past(
        self, store_id: int, rule_id: int, arm_seq: int, metric: str, threshold: int
    ) -> int:
        """Arm a rule: every customer already at or past its threshold, and not yet
        excluded, is excluded, in one statement. Returns how many were added."""
        if metric not in METRICS:
            raise ValueError(metric)
        cus, exc = t.customers.c, t.rule_exclusions.c
        already = (
            select(exc.customer_id)
            .where(exc.customer_id == cus.id, exc.rule_id == rule_id, exc.arm_seq == arm_seq)
            .exists()
        )
        source = select(sa_cast(rule_id, t.Id), sa_cast(arm_seq, Integer), cus.id, cus[metric]).where(
            cus.store_id == store_id, cus[metric] >= threshold, ~already
        )
        result = self.conn.execute(
            insert(t.rule_exclusions).from_select(["rule_id", "arm_seq", "customer_id", "value"], source),
            execution_options={"preserve_rowcount": True},
        )
        # switched back on: those excluded before under this arm are excluded up to their value now
        now_value = select(cus[metric]).where(cus.id == exc.customer_id).scalar_subquery()
        self.conn.execute(
            update(t.rule_exclusions)
            .where(exc.rule_id == rule_id, exc.arm_seq == arm_seq, exc.value < now_value)
            .values(value=now_value)
        )
        return result.rowcount or 0
