"""`mp.order_count_events`: what happens at a customer's Nth counted order."""

from __future__ import annotations

from typing import Any

from milepost.capabilities.rules import Rules
from milepost.service.rules import UNSET, NewRule, RuleDetails, Unset


class OrderCountEvents(Rules):
    kind = "order_count"

    def create(
        self,
        store: str,
        *,
        count: int,
        name: str,
        actions: list[dict[str, Any]],
        conditions: list[dict[str, Any]] | None = None,
        active: bool = True,
        clawback_days: int | None = None,
    ) -> RuleDetails:
        """Run `actions` once for each customer whose counted orders reach `count` from now
        on (customers already there never get it) and who meet `conditions`."""
        return self._create(
            store,
            NewRule(
                name=name,
                threshold=count,
                actions=actions,
                conditions=conditions,
                active=active,
                clawback_days=clawback_days,
            ),
        )

    def update(
        self,
        store: str,
        event_id: int,
        *,
        count: int | Unset = UNSET,
        name: str | Unset = UNSET,
        actions: list[dict[str, Any]] | Unset = UNSET,
        conditions: list[dict[str, Any]] | Unset = UNSET,
        active: bool | Unset = UNSET,
    ) -> RuleDetails:
        """Change what is given, for future crossings only; what is not given stays."""
        return self._update(
            store, event_id, threshold=count, name=name, actions=actions, conditions=conditions, active=active
        )

    def set_active(self, store: str, event_id: int, active: bool) -> RuleDetails:
        """Switch the event on or off; switched back on, it is not retroactive either."""
        return self.update(store, event_id, active=active)
