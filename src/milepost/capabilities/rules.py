"""What `mp.programs` and `mp.order_count_events` share: every program is a rule of the
store, and an order count event is a program of the kind "order_count". A subclass names
the kind it sees (None: every kind)."""

from __future__ import annotations

from typing import Any, ClassVar

from milepost.capabilities.wiring import Capability
from milepost.service.rules import NewRule, RuleDetails, create_rule, delete_rule, get_rule, list_rules, update_rule


class Rules(Capability):
    kind: ClassVar[str | None]

    def get(self, store: str, program_id: int) -> RuleDetails:
        return get_rule(self._w.db, self._w.store_id(store), program_id, kind=self.kind)

    def delete(self, store: str, program_id: int) -> None:
        """Switch it off for good and hide it; its past firings stay in the milestone log."""
        delete_rule(self._w.db, self._w.clock(), self._w.store_id(store), program_id, kind=self.kind)

    def list(
        self,
        store: str,
        include_deleted: bool = False,
        after: tuple[int, int] | None = None,
        limit: int | None = None,
    ) -> list[RuleDetails]:
        """By threshold (an event's count), then id; `after` (the last (threshold, id)
        seen) and `limit` give one page."""
        return list_rules(self._w.db, self._w.store_id(store), include_deleted, after, limit, kind=self.kind)

    def _create(self, store: str, new: NewRule) -> RuleDetails:
        w = self._w
        return create_rule(w.db, w.clock(), w.store_id(store), new, check_url=w.check_url)

    def _update(self, store: str, program_id: int, **changes: Any) -> RuleDetails:
        w = self._w
        return update_rule(
            w.db, w.clock(), w.store_id(store), program_id, check_url=w.check_url, kind=self.kind, **changes
        )
