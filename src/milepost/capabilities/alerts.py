"""`mp.alerts`: what milestones ask an agent to do, and the agents' answers."""

from __future__ import annotations

from milepost.capabilities.wiring import Capability
from milepost.domain.records import Alert
from milepost.service import reports


class Alerts(Capability):
    def acknowledge(self, store: str, alert_id: int, by: str) -> Alert:
        """Mark an open alert taken by `by`; an acknowledged one stays as it was."""
        return reports.acknowledge_alert(self._w.db, self._w.clock(), self._w.store_id(store), alert_id, by)

    def resolve(self, store: str, alert_id: int, by: str) -> Alert:
        """Mark an alert dealt with by `by`; a resolved one stays as it was."""
        return reports.resolve_alert(self._w.db, self._w.clock(), self._w.store_id(store), alert_id, by)

    def list(
        self,
        store: str,
        status: str | None = "open",
        limit: int = 100,
        before_id: int | None = None,
        assignee: str | None = None,
    ) -> list[Alert]:
        """Newest first; pass the last id seen as `before_id` for the next page. `status`:
        open, acknowledged, resolved, unresolved (open or acknowledged), or None for all;
        `assignee`: the alerts of the user with this email."""
        with self._w.db.read() as tx:
            return tx.alerts(self._w.store_id(store), status, limit, before_id, assignee.lower() if assignee else None)
