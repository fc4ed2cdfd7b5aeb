"""`mp.reports`: what happened in a store: the milestone log and what each firing sent,
the activity per day, the outbox and workflow runs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from milepost.capabilities.wiring import Capability
from milepost.domain.delivery import Delivery
from milepost.domain.records import MilestoneReached
from milepost.service import dashboard, reports


class Reports(Capability):
    def milestone_log(
        self,
        store: str,
        *,
        customer_id: str | None = None,
        rule_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[MilestoneReached]:
        """Who reached which milestone, newest first, of one customer or program, in a
        window of time; pass the last id seen as `before_id` for the next page. An email,
        text or webhook action shows its delivery's status now (pending, failing, sent,
        skipped, dead), its `delivery_id`, and when it was not sent the `reason`."""
        store_id = self._w.store_id(store)
        with self._w.db.read() as tx:
            internal = None
            if customer_id is not None:
                found = tx.customer(store_id, customer_id)
                if found is None:
                    return []
                internal = found[0].id
            return reports.milestone_log(
                tx,
                store_id,
                customer_id=internal,
                rule_id=rule_id,
                since=since,
                until=until,
                before_id=before_id,
                limit=limit,
            )

    def firing_deliveries(self, store: str, milestone_ids: Iterable[int]) -> dict[tuple[int, int], Delivery]:
        """The email, text or webhook each queued action of these milestones (log ids) sent,
        by (milestone id, action position): whether it went out yet."""
        with self._w.db.read() as tx:
            return tx.firing_deliveries(self._w.store_id(store), list(milestone_ids))

    def activity(self, store: str, days: int = 30) -> dashboard.Activity:
        """Per day of the store, the last `days` days: milestones reached, rewards given
        (credit, points, codes) and delivery attempts with how many sent."""
        return dashboard.activity(self._w.db, self._w.store(store), self._w.clock(), days)

    def outbox(self, store: str) -> list[dict[str, Any]]:
        """The rows of the store's outbox, as stored."""
        with self._w.db.read() as tx:
            return tx.outbox_rows(self._w.store_id(store))

    def workflow_runs(self, store: str) -> list[dict[str, Any]]:
        """The workflows milestones triggered, as stored."""
        with self._w.db.read() as tx:
            return tx.workflow_runs(self._w.store_id(store))
