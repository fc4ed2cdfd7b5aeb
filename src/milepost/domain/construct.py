"""The domain's objects built once or more per event, shaped for the compiled build.

Everything else in `milepost.domain` reads as plain Python; the few objects ingest
builds per event or per firing live here, spelled out for mypyc (setup.py's
`COMPILED`, docs/performance.md has the figures):

- `tuple_new` (domain/tuples.py, a module of its own because the modules that build
  tuples with it are the ones imported here) builds a NamedTuple from its values
  without its generated `__new__`, an interpreted function even in the compiled
  build: half the cost. The values must be complete and in field order.
- The classes below spell out their `__init__`: mypyc turns an explicit one into
  native code (`object.__setattr__` on a frozen class becomes a plain store), while
  @dataclass's generated one stays interpreted, 5 times slower to build a class and
  15 times for a frozen one.

`CustomerState` (domain/records.py) is built the same way; it stays with the records
it is loaded from and written to. tests/unit/test_construct.py checks that each
explicit `__init__` sets every field, in field order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# imported, not only named for the type checker: the compiled build's dataclasses
# hold their fields' classes
from milepost.domain.events import Event
from milepost.domain.orders import OrderState
from milepost.domain.records import CustomerState
from milepost.domain.rules import Crossing, Rule


@dataclass(slots=True, init=False)
class OrderSlot:
    """An order as a batch works on it; `stored` is False until it is first written."""

    customer_id: int
    state: OrderState
    stored: bool
    changed: bool

    def __init__(self, customer_id: int, state: OrderState, stored: bool = False, changed: bool = False) -> None:
        self.customer_id = customer_id
        self.state = state
        self.stored = stored
        self.changed = changed


@dataclass(slots=True, init=False)
class Applied:
    """An accepted event (or an inactivity lapse come due), and the rule crossings it caused."""

    index: int
    event: Event
    customer: CustomerState
    crossings: list[Crossing]
    counted: bool  # an activity counted for the first time (its item is new)
    points: int  # how the points the event's order earns changed (a refund: negative)

    def __init__(
        self,
        index: int,
        event: Event,
        customer: CustomerState,
        crossings: list[Crossing],
        counted: bool = False,
        points: int = 0,
    ) -> None:
        self.index = index
        self.event = event
        self.customer = customer
        self.crossings = crossings
        self.counted = counted
        self.points = points


@dataclass(frozen=True, slots=True, init=False)
class CustomerView:
    """What a firing may read of a customer."""

    customer_id: str
    name: str | None
    email: str | None
    tags: frozenset[str]
    attributes: Mapping[str, Any]

    def __init__(
        self,
        customer_id: str,
        name: str | None = None,
        email: str | None = None,
        tags: frozenset[str] = frozenset(),
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        object.__setattr__(self, "customer_id", customer_id)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "email", email)
        object.__setattr__(self, "tags", tags)
        object.__setattr__(self, "attributes", {} if attributes is None else attributes)

    @property
    def display(self) -> str:
        return self.name or self.email or self.customer_id


@dataclass(frozen=True, slots=True, init=False)
class Intent:
    """One action to apply: `type` is the action type, `data` what it needs."""

    position: int
    type: str
    data: tuple[tuple[str, Any], ...]

    def __init__(self, position: int, type: str, data: tuple[tuple[str, Any], ...]) -> None:
        object.__setattr__(self, "position", position)
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "data", data)

    def get(self, name: str) -> Any:
        for key, value in self.data:
            if key == name:
                return value
        raise KeyError(name)


@dataclass(frozen=True, slots=True, init=False)
class Firing:
    """What a crossed rule does for one customer: its intents, the log's outcomes, the tags after."""

    rule: Rule
    value: int
    occurrence: int
    intents: tuple[Intent, ...]
    outcomes: tuple[dict[str, Any], ...]
    tags_after: frozenset[str]

    def __init__(
        self,
        rule: Rule,
        value: int,
        occurrence: int,
        intents: tuple[Intent, ...],
        outcomes: tuple[dict[str, Any], ...],
        tags_after: frozenset[str] = frozenset(),
    ) -> None:
        object.__setattr__(self, "rule", rule)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "occurrence", occurrence)
        object.__setattr__(self, "intents", intents)
        object.__setattr__(self, "outcomes", outcomes)
        object.__setattr__(self, "tags_after", tags_after)


@dataclass(frozen=True, slots=True, init=False)
class Decided:
    """A firing decided for an applied event or lapse."""

    applied: Applied
    firing: Firing

    def __init__(self, applied: Applied, firing: Firing) -> None:
        object.__setattr__(self, "applied", applied)
        object.__setattr__(self, "firing", firing)
