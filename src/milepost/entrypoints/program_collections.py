"""The two collections of milestone programs the admin sees: every program, and the order
count events (the programs on the number of orders). How each is named and found, listed,
edited and deleted through the Python API; the HTTP API (`http/program_resource.py`) and the
CLI (`cli/program_commands.py`) both take it from here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from milepost.bootstrap import Milepost
from milepost.service.rules import RuleDetails


@dataclass(frozen=True, slots=True)
class ProgramCollection:
    noun: str  # in messages: "no milestone program 12 in this store"
    find: Callable[[Milepost, str, int], RuleDetails]  # (mp, store, id)
    find_all: Callable[..., list[RuleDetails]]  # (mp, store, include_deleted=, after=, limit=)
    update: Callable[..., RuleDetails]  # (mp, store, id, **changes)
    delete: Callable[[Milepost, str, int], None]


PROGRAMS = ProgramCollection(
    "milestone program",
    lambda mp, store, rule_id: mp.programs.get(store, rule_id),
    lambda mp, store, **kwargs: mp.programs.list(store, **kwargs),
    lambda mp, store, rule_id, **changes: mp.programs.update(store, rule_id, **changes),
    lambda mp, store, rule_id: mp.programs.delete(store, rule_id),
)
ORDER_COUNT_EVENTS = ProgramCollection(
    "order count event",
    lambda mp, store, rule_id: mp.order_count_events.get(store, rule_id),
    lambda mp, store, **kwargs: mp.order_count_events.list(store, **kwargs),
    lambda mp, store, rule_id, **changes: mp.order_count_events.update(store, rule_id, **changes),
    lambda mp, store, rule_id: mp.order_count_events.delete(store, rule_id),
)
