"""The two collections of milestone programs the admin sees: every program, and the order
count events (the programs on the number of orders). How each is named and found, listed,
edited and deleted through the Python API; the HTTP API (`http/program_resource.py`) and the
CLI (`cli/program_commands.py`) both take it from here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from milepost.bootstrap import Milepost
from milepost.capabilities.order_count_events import OrderCountEvents
from milepost.capabilities.programs import Programs
from milepost.service.rules import RuleDetails


@dataclass(frozen=True, slots=True)
class ProgramCollection:
    noun: str  # in messages: "no milestone program prg_12 in this store"
    kind: str  # of its ids (domain/ids.py): `program` for prg_12
    capability: Callable[[Milepost], Programs | OrderCountEvents]  # mp.programs or mp.order_count_events

    def find(self, mp: Milepost, store: str, rule_id: int) -> RuleDetails:
        return self.capability(mp).get(store, rule_id)

    def find_all(self, mp: Milepost, store: str, **kwargs: Any) -> list[RuleDetails]:
        """The store's programs of the collection; `kwargs`: include_deleted, after, limit."""
        return self.capability(mp).list(store, **kwargs)

    def update(self, mp: Milepost, store: str, rule_id: int, **changes: Any) -> RuleDetails:
        return self.capability(mp).update(store, rule_id, **changes)

    def delete(self, mp: Milepost, store: str, rule_id: int) -> None:
        self.capability(mp).delete(store, rule_id)


PROGRAMS = ProgramCollection("milestone program", "program", lambda mp: mp.programs)
ORDER_COUNT_EVENTS = ProgramCollection("order count event", "order_count_event", lambda mp: mp.order_count_events)
