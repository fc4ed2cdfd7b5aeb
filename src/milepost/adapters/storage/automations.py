"""Automations (rules of kind "automation", with a key and a JSON definition), the
candidates of their daily triggers, selected by index, and their run log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.domain.automations import mentions

_r, _runs, _cus, _f, _w = t.rules.c, t.automation_runs.c, t.customers.c, t.firings.c, t.automation_waits.c
_m = t.automation_run_misses.c
#: The instant each instant trigger selects by (an index on (store_id, column) where one pays).
_INSTANTS = {"first_order_at": _cus.first_order_at, "created_at": _cus.created_at, "last_order_at": _cus.last_order_at}


class AutomationQueries(TxBase):
    def automation_rows(self, store_id: int, key: str | None = None) -> list[Any]:
        """The store's automations (not deleted), by id; or the one with `key`."""
        q = select(t.rules).where(_r.store_id == store_id, _r.kind == "automation", _r.deleted_at.is_(None))
        if key is not None:
            q = q.where(_r.key == key)
        return list(self.conn.execute(q.order_by(_r.id)))

    def automations_naming(self, store_id: int, field_name: str, value: str) -> list[str]:
        """The keys of the store's automations whose definition names `value` in `field_name`
        (a template, a pool, `aggregate.<key>`): what may not be deleted under them."""
        rows = self.automation_rows(store_id)
        return [r.key for r in rows if mentions(orjson.loads(r.definition), field_name, value)]

    def automation_candidates(
        self, store_id: int, instant: str | None, window: tuple[datetime, datetime] | None, after_id: int, limit: int
    ) -> list[tuple[int, str, datetime | None]]:
        """(id, external id, the instant) of a page of customers by id after `after_id`: those
        whose `instant` (first_order_at, created_at, last_order_at) lies in `window`, or,
        with no instant (a date attribute), every customer of the store."""
        column = _INSTANTS[instant] if instant else _cus.created_at
        q = select(_cus.id, _cus.external_id, column).where(_cus.store_id == store_id, _cus.id > after_id)
        if instant and window:
            q = q.where(column >= window[0], column < window[1])
        rows = self.conn.execute(q.order_by(_cus.id).limit(limit))
        return [(r[0], r[1], r[2]) for r in rows]

    def customers_created_at(self, customer_ids: list[int]) -> dict[int, datetime]:
        if not customer_ids:
            return {}
        q = select(_cus.id, _cus.created_at).where(_cus.id.in_(customer_ids))
        return {r.id: r.created_at for r in self.conn.execute(q)}

    def insert_automation_run(
        self,
        store_id: int,
        rule_id: int,
        day: date,
        counts: dict[str, int],
        branches: dict[str, int],
        started_at: datetime,
        finished_at: datetime,
    ) -> None:
        values = {"store_id": store_id, "rule_id": rule_id, "day": day, **counts}
        branches_json = orjson.dumps(branches).decode()
        self.conn.execute(
            insert(t.automation_runs).values(
                **values, branches=branches_json, started_at=started_at, finished_at=finished_at
            )
        )

    def automation_runs(self, store_id: int, rule_id: int, before_id: int | None, limit: int) -> list[Any]:
        """The automation's runs, newest first; `before_id` pages on."""
        q = select(t.automation_runs).where(_runs.store_id == store_id, _runs.rule_id == rule_id)
        if before_id is not None:
            q = q.where(_runs.id < before_id)
        return list(self.conn.execute(q.order_by(_runs.id.desc()).limit(limit)))

    def automation_firings(
        self, store_id: int, rule_id: int, occurrence: int, after_id: int, limit: int
    ) -> list[tuple[int, str, str]]:
        """(firing id, customer's external id, outcomes JSON) of one day's firings, by id: the
        day's own (at `occurrence`, the day's number) and the waits it resumed (at minus the
        wait's id)."""
        day = date.fromordinal(date(1970, 1, 1).toordinal() + occurrence)
        resumed = select(-_w.id).where(_w.rule_id == rule_id, _w.due_day == day)
        q = (
            select(_f.id, _cus.external_id, _f.actions)
            .join(t.customers, _cus.id == _f.customer_id)
            .where(and_(_f.store_id == store_id, _f.rule_id == rule_id, _f.id > after_id))
            .where(or_(_f.occurrence == occurrence, _f.occurrence.in_(resumed)))
            .order_by(_f.id)
            .limit(limit)
        )
        return [(r.id, r.external_id, r.actions) for r in self.conn.execute(q)]

    def insert_automation_misses(
        self, store_id: int, rule_id: int, day: date, misses: list[tuple[int, str, str]], now: datetime
    ) -> None:
        """(customer id, reason, detail JSON) of the day's customers it fired nothing for, in
        one statement; one already recorded for (automation, day, customer, reason) stays."""
        if not misses:
            return
        rows = [
            {"store_id": store_id, "rule_id": rule_id, "day": day, "customer_id": c, "reason": r, "detail": d}
            | {"created_at": now}
            for c, r, d in misses
        ]
        dialect_insert = pg_insert if self.pg else sqlite_insert
        self.conn.execute(dialect_insert(t.automation_run_misses).on_conflict_do_nothing(), rows)

    def automation_misses(self, store_id: int, rule_id: int, day: date, after_id: int, limit: int) -> list[Any]:
        """A page, by id after `after_id`, of the day's misses, each with its customer's
        external id, name and email."""
        q = (
            select(_m.id, _m.reason, _m.detail, _cus.external_id, _cus.name, _cus.email)
            .join(t.customers, _cus.id == _m.customer_id)
            .where(_m.store_id == store_id, _m.rule_id == rule_id, _m.day == day, _m.id > after_id)
            .order_by(_m.id)
            .limit(limit)
        )
        return list(self.conn.execute(q))

    def due_waits(self, store_id: int, rule_id: int, day: date, after_id: int, limit: int) -> list[Any]:
        """A page, by id after `after_id`, of the automation's waits due on or before `day`
        and not resumed yet, each with its customer's external id."""
        q = (
            select(_w.id, _w.customer_id, _w.step, _w.branch, _w.due_day, _cus.external_id)
            .join(t.customers, _cus.id == _w.customer_id)
            .where(_w.store_id == store_id, _w.rule_id == rule_id, _w.due_day <= day, _w.resumed_at.is_(None))
            .where(_w.id > after_id)
            .order_by(_w.id)
            .limit(limit)
        )
        return list(self.conn.execute(q))

    def resume_waits(self, wait_ids: list[int], now: datetime) -> None:
        if wait_ids:
            self.conn.execute(update(t.automation_waits).where(_w.id.in_(wait_ids)).values(resumed_at=now))
