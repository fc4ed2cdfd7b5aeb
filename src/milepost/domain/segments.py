"""Segments as data: who is in one is decided by filters, combined with AND inside a group,
and groups combined with OR. Pure: parsing, validation and what a definition depends on;
storage turns a definition into one set-based query (adapters/storage/segments.py).

A definition, as JSON:

    {"key": "first_redemption", "name": "New customers who just made their first redemption",
     "kind": "auto",
     "groups": [{"filters": [
        {"type": "event", "event": "customer.created", "metric": "has_occurred",
         "condition": "more_than", "value": 0},
        {"type": "event", "event": "redemption.succeeded", "metric": "has_occurred",
         "condition": "exactly", "value": 1}]}]}

(`"filters": [...]` at the top is one group.) The filters:

- `event`: the customer's events named `event` (an event type, an internal event such as
  `redemption.succeeded`, or a custom event's name). Metric `has_occurred`: how many, all
  time or within the last `within_days` days; `last_occurred`: whole days since the latest
  one (a customer without one never matches). `condition` is `more_than`, `exactly` or
  `less_than` the `value`. `where` keeps only the events whose payload property (a dotted
  path, `properties.value`) compares to a value (`properties.value > 50`).
- `tag`: has (`op` `has`) or lacks (`lacks`) the tag.
- `attribute`: the customer's attribute compared (`=`, `!=`, `<`, `>`, `contains`, `is_set`).
- `metric`: one of the customer's counts and totals (order_count, amount_spent in minor
  units, ...) against a value, by condition.
- `aggregate`: one of the store's aggregates, as of the day, against a value, by condition.
- `milestone`: the customer reached (`reached` true) or has not reached a program's milestone.
- `segment`: the customer is (`member` true) or is not a member of another segment.

Kinds: `auto` segments follow their definition; `static` ones are the members of the
definition when the segment was created, kept as they were.

A filter `changes_with_time` when time passing alone can change its answer (a last
occurrence counted in days, a rolling window, an aggregate as of the day): the daily
re-evaluation looks only at the segments that have one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from milepost.domain.aggregates import METRICS
from milepost.domain.ids import BadId, format_id, parse_id
from milepost.domain.pools import check_key
from milepost.errors import ValidationError

KINDS = ("auto", "static")
EVENT_METRICS = ("has_occurred", "last_occurred")
CONDITIONS = ("more_than", "exactly", "less_than")
ATTRIBUTE_OPS = ("=", "!=", "<", ">", "contains", "is_set")
FILTER_TYPES = ("event", "tag", "attribute", "metric", "aggregate", "milestone", "segment")
MAX_DAYS = 3660
MAX_VALUE = 10**15
MAX_GROUPS = 20
MAX_FILTERS = 50
MAX_NAME = 200
_NAME = re.compile(r"^[^\x00-\x1f]{1,200}$")
_PATH = re.compile(r"^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,7}$")
_ATTRIBUTE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_TAG_MAX = 100


@dataclass(frozen=True, slots=True)
class PropertyFilter:
    path: tuple[str, ...]  # into the event's payload: ("properties", "value")
    op: str  # ATTRIBUTE_OPS
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        out = {"property": ".".join(self.path), "op": self.op}
        return out if self.op == "is_set" else {**out, "value": self.value}


@dataclass(frozen=True, slots=True)
class EventFilter:
    event: str
    metric: str  # EVENT_METRICS
    condition: str  # CONDITIONS
    value: int  # a count, or days ago
    within_days: int | None = None  # has_occurred: the last N days only; None: all time
    where: tuple[PropertyFilter, ...] = ()

    @property
    def changes_with_time(self) -> bool:
        return self.metric == "last_occurred" or self.within_days is not None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "event", "event": self.event, "metric": self.metric}
        out |= {"condition": self.condition, "value": self.value}
        if self.within_days is not None:
            out["within_days"] = self.within_days
        if self.where:
            out["where"] = [w.as_dict() for w in self.where]
        return out


@dataclass(frozen=True, slots=True)
class TagFilter:
    tag: str
    has: bool = True
    changes_with_time = False

    def as_dict(self) -> dict[str, Any]:
        return {"type": "tag", "op": "has" if self.has else "lacks", "tag": self.tag}


@dataclass(frozen=True, slots=True)
class AttributeFilter:
    attribute: str
    op: str  # ATTRIBUTE_OPS
    value: Any = None
    changes_with_time = False

    def as_dict(self) -> dict[str, Any]:
        out = {"type": "attribute", "attribute": self.attribute, "op": self.op}
        return out if self.op == "is_set" else {**out, "value": self.value}


@dataclass(frozen=True, slots=True)
class MetricFilter:
    metric: str  # METRICS
    condition: str
    value: int
    changes_with_time = False

    def as_dict(self) -> dict[str, Any]:
        return {"type": "metric", "metric": self.metric, "condition": self.condition, "value": self.value}


@dataclass(frozen=True, slots=True)
class AggregateFilter:
    """An aggregate is as of the store-local day: it changes at midnight with no event."""

    aggregate: str
    condition: str
    value: int
    changes_with_time = True

    def as_dict(self) -> dict[str, Any]:
        return {"type": "aggregate", "aggregate": self.aggregate, "condition": self.condition, "value": self.value}


@dataclass(frozen=True, slots=True)
class MilestoneFilter:
    program: int  # the program's id
    reached: bool = True
    changes_with_time = False

    def as_dict(self) -> dict[str, Any]:
        return {"type": "milestone", "program": format_id("program", self.program), "reached": self.reached}


@dataclass(frozen=True, slots=True)
class SegmentFilter:
    segment: str  # the other segment's key
    member: bool = True
    changes_with_time = False  # the other segment's filters say (Segments.changes_with_time)

    def as_dict(self) -> dict[str, Any]:
        return {"type": "segment", "segment": self.segment, "member": self.member}


Filter = EventFilter | TagFilter | AttributeFilter | MetricFilter | AggregateFilter | MilestoneFilter | SegmentFilter
#: Groups combined with OR, each a tuple of filters combined with AND.
Groups = tuple[tuple[Filter, ...], ...]


@dataclass(frozen=True, slots=True)
class Segment:
    key: str
    name: str
    kind: str  # KINDS
    groups: Groups
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None  # its row, once stored

    def filters(self) -> Iterator[Filter]:
        for group in self.groups:
            yield from group

    def refers_to(self) -> frozenset[str]:
        """The keys of the segments its filters name."""
        return frozenset(f.segment for f in self.filters() if isinstance(f, SegmentFilter))

    @property
    def changes_with_time(self) -> bool:
        """Whether one of its own filters changes with time alone (not counting the
        segments it names: see `changes_with_time` below)."""
        return any(f.changes_with_time for f in self.filters())

    def event_names(self) -> frozenset[str]:
        return frozenset(f.event for f in self.filters() if isinstance(f, EventFilter))

    def definition(self) -> dict[str, Any]:
        return {"groups": [{"filters": [f.as_dict() for f in g]} for g in self.groups]}

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "kind": self.kind, **self.definition()}


@dataclass(frozen=True, slots=True)
class Known:
    """What a definition may name in its store: None, not checked."""

    aggregates: frozenset[str] | None = None
    programs: frozenset[int] | None = None
    segments: Mapping[str, frozenset[str]] | None = None  # each segment's key: the keys it names


def changes_with_time(key: str, segments: Mapping[str, Segment]) -> bool:
    """Whether time alone can change the members of `key`: a filter of its own, or of a
    segment it names (through any number of others), does."""
    seen: set[str] = set()
    todo = [key]
    while todo:
        k = todo.pop()
        if k in seen or k not in segments:
            continue
        seen.add(k)
        todo.extend(segments[k].refers_to())
        if segments[k].changes_with_time:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Member:
    """A customer in a segment, as a list shows them."""

    external_id: str
    name: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class Transition:
    """A customer entering (or leaving) a segment, recorded once."""

    id: int
    customer_id: str  # the store's id of the customer
    entered: bool  # false: left
    at: datetime


def moved_by(segment: Segment, names: frozenset[str], segments: Mapping[str, Segment]) -> bool:
    """Whether events of these names (types, internal or custom names) may move customers
    in or out of `segment`: a filter of another kind (tags, attributes, totals, ...) always
    may; an event filter when it names one of them; a segment filter when that auto
    segment may be moved (a static one never is)."""
    seen: set[str] = set()
    todo = [segment]
    while todo:
        s = todo.pop()
        for f in s.filters():
            if isinstance(f, SegmentFilter):
                other = segments.get(f.segment)
                if other is not None and other.kind == "auto" and other.key not in seen:
                    seen.add(other.key)
                    todo.append(other)
            elif not isinstance(f, EventFilter) or f.event in names:
                return True
    return False


# --- parsing ----------------------------------------------------------------------------


def parse(raw: Any, known: Known = Known()) -> Segment:
    """The segment `raw` defines, checked: or a ValidationError naming each field's path
    and reason (an unknown operator, a negative day count, an aggregate, program or segment
    the store lacks, a segment that refers back to itself)."""
    problems: dict[str, str] = {}
    if not isinstance(raw, Mapping):
        raise ValidationError("a segment must be an object", {"": "must be an object"})
    for extra in sorted(set(raw) - {"key", "name", "kind", "groups", "filters"}):
        problems[extra] = "is not a field of a segment"
    key = _key(raw.get("key"), problems)
    if key and known.segments is not None and key not in known.segments:  # naming itself is a loop, not unknown
        known = replace(known, segments={**known.segments, key: frozenset()})
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or not _NAME.match(name.strip()):
        problems["name"] = f"is required, at most {MAX_NAME} characters"
    kind = raw.get("kind", "auto")
    if kind not in KINDS:
        problems["kind"] = "must be 'auto' (follows its filters) or 'static' (the members when it was created)"
    groups = _groups(raw, known, problems)
    if key and known.segments is not None and not problems:
        _cycles(key, groups, known.segments, "filters" in raw, problems)
    if problems:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
    assert isinstance(name, str)
    return Segment(key, name.strip(), str(kind), groups)


def _key(value: Any, problems: dict[str, str]) -> str:
    try:
        return check_key(value)
    except ValidationError:
        problems["key"] = "lowercase letters, digits, '-' or '_', at most 64"
        return ""


def _groups(raw: Mapping[str, Any], known: Known, problems: dict[str, str]) -> Groups:
    if ("groups" in raw) == ("filters" in raw):
        problems["groups"] = "give 'groups' (a list of {filters: [...]}, any may hold) or 'filters' (all must hold)"
        return ()
    if "filters" in raw:
        return (_filters(raw["filters"], "filters", known, problems),)
    items = raw["groups"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_GROUPS:
        problems["groups"] = f"must be a list of 1 to {MAX_GROUPS} groups"
        return ()
    out = []
    for i, group in enumerate(items):
        where = f"groups[{i}]"
        if not isinstance(group, Mapping) or set(group) != {"filters"}:
            problems[where] = "must be an object with only 'filters'"
            continue
        out.append(_filters(group["filters"], f"{where}.filters", known, problems))
    return tuple(out)


def _filters(raw: Any, where: str, known: Known, problems: dict[str, str]) -> tuple[Filter, ...]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_FILTERS:
        problems[where] = f"must be a list of 1 to {MAX_FILTERS} filters"
        return ()
    out = []
    for i, item in enumerate(raw):
        parsed = _filter(item, f"{where}[{i}]", known, problems)
        if parsed is not None:
            out.append(parsed)
    return tuple(out)


_FIELDS = {
    "event": {"event", "metric", "condition", "value", "within_days", "where"},
    "tag": {"op", "tag"},
    "attribute": {"attribute", "op", "value"},
    "metric": {"metric", "condition", "value"},
    "aggregate": {"aggregate", "condition", "value"},
    "milestone": {"program", "reached"},
    "segment": {"segment", "member"},
}


def _filter(raw: Any, where: str, known: Known, problems: dict[str, str]) -> Filter | None:
    if not isinstance(raw, Mapping) or raw.get("type") not in FILTER_TYPES:
        problems[f"{where}.type"] = f"must be one of {', '.join(FILTER_TYPES)}"
        return None
    kind = raw["type"]
    p = _Problems(where, problems)
    for extra in sorted(set(raw) - _FIELDS[kind] - {"type"}):
        p.add(extra, f"is not a field of a {kind} filter")
    return _PARSERS[kind](raw, p, known)


class _Problems:
    """The problems of one filter, each under the filter's path."""

    def __init__(self, where: str, problems: dict[str, str]) -> None:
        self.where, self.problems, self.count = where, problems, len(problems)

    def add(self, name: str, reason: str) -> None:
        self.problems[f"{self.where}.{name}"] = reason

    @property
    def any(self) -> bool:
        return len(self.problems) > self.count


def _event(raw: Mapping[str, Any], p: _Problems, known: Known) -> Filter | None:
    event = raw.get("event")
    if not isinstance(event, str) or not event.strip() or len(event) > 200 or not event.isprintable():
        p.add("event", "must name an event type, an internal event or a custom event, at most 200 characters")
    metric = raw.get("metric", "has_occurred")
    if metric not in EVENT_METRICS:
        p.add("metric", "must be 'has_occurred' (how many times) or 'last_occurred' (how many days ago)")
    condition = _condition(raw, p)
    days = metric == "last_occurred"
    value = _whole(raw.get("value"), "value", p, "a whole number of days, 0 or more" if days else None)
    within = raw.get("within_days")
    if within is not None:
        if days:
            p.add("within_days", "only a has_occurred filter counts within the last N days")
        elif within.__class__ is not int or not 1 <= within <= MAX_DAYS:
            p.add("within_days", f"must be a whole number of days from 1 to {MAX_DAYS}, or left out for all time")
    props = _where(raw.get("where"), p)
    if p.any:
        return None
    return EventFilter(str(event).strip(), str(metric), condition, value, within, props)


def _where(raw: Any, p: _Problems) -> tuple[PropertyFilter, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > 10:
        p.add("where", "must be a list of at most 10 {property, op, value}")
        return ()
    out = []
    for i, item in enumerate(raw):
        name = f"where[{i}]"
        if not isinstance(item, Mapping):
            p.add(name, "must be {property, op, value}")
            continue
        for extra in sorted(set(item) - {"property", "op", "value"}):
            p.add(f"{name}.{extra}", "is not a field of a property filter")
        path = item.get("property")
        if not isinstance(path, str) or not _PATH.match(path):
            p.add(f"{name}.property", "must be a dotted path into the event, like properties.value")
            continue
        op, value = _compare(item, name, p)
        out.append(PropertyFilter(tuple(path.split(".")), op, value))
    return tuple(out)


def _compare(raw: Mapping[str, Any], prefix: str, p: _Problems) -> tuple[str, Any]:
    """The (op, value) of an attribute or property comparison, checked."""
    pre = f"{prefix}." if prefix else ""
    op, value = raw.get("op"), raw.get("value")
    if op not in ATTRIBUTE_OPS:
        p.add(f"{pre}op", f"unknown operator {op!r}: must be one of {', '.join(ATTRIBUTE_OPS)}")
        return "=", None
    if op == "is_set":
        if value is not None:
            p.add(f"{pre}value", "is_set takes no value")
    elif op == "contains":
        if not isinstance(value, str) or not value:
            p.add(f"{pre}value", "contains takes a non-empty text")
    elif op in ("<", ">"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            p.add(f"{pre}value", "must be a number, or a text compared in order (a date as YYYY-MM-DD)")
    elif not isinstance(value, str | int | float | bool):
        p.add(f"{pre}value", "must be a text, number or boolean")
    return str(op), value


def _condition(raw: Mapping[str, Any], p: _Problems) -> str:
    condition = raw.get("condition")
    if condition not in CONDITIONS:
        p.add("condition", f"unknown condition {condition!r}: must be one of {', '.join(CONDITIONS)}")
        return "exactly"
    return str(condition)


def _whole(value: Any, name: str, p: _Problems, reason: str | None = None) -> int:
    if value.__class__ is not int or not 0 <= value <= MAX_VALUE:
        p.add(name, reason or "must be a whole number, 0 or more")
        return 0
    return int(value)


def _tag(raw: Mapping[str, Any], p: _Problems, known: Known) -> Filter | None:
    op, tag = raw.get("op"), raw.get("tag")
    if op not in ("has", "lacks"):
        p.add("op", f"unknown operator {op!r}: must be 'has' or 'lacks'")
    if not isinstance(tag, str) or not tag.strip() or len(tag) > _TAG_MAX:
        p.add("tag", f"must be a tag, at most {_TAG_MAX} characters")
    return None if p.any else TagFilter(str(tag).strip(), op == "has")


def _attribute(raw: Mapping[str, Any], p: _Problems, known: Known) -> Filter | None:
    name = raw.get("attribute")
    if not isinstance(name, str) or not _ATTRIBUTE.match(name):
        p.add("attribute", "must name a customer attribute: letters, digits, '_', '.', '-', at most 100")
    op, value = _compare(raw, "", p)
    return None if p.any else AttributeFilter(str(name), op, value)


def _metric(raw: Mapping[str, Any], p: _Problems, known: Known) -> Filter | None:
    metric = raw.get("metric")
    if metric not in METRICS:
        p.add("metric", f"must be one of {', '.join(METRICS)}")
    condition, value = _condition(raw, p), _whole(raw.get("value"), "value", p)
    return None if p.any else MetricFilter(str(metric), condition, value)


def _aggregate(raw: Mapping[str, Any], p: _Problems, known: Known) -> Filter | None:
    key = raw.get("aggregate")
    if not isinstance(key, str) or not key:
        p.add("aggregate", "must name one of the store's aggregates by key")
    elif known.aggregates is not None and key not in known.aggregates:
        p.add("aggregate", f"no aggregate with the key {key!r} in this store")
    condition, value = _condition(raw, p), _whole(raw.get("value"), "value", p)
    return None if p.any else AggregateFilter(str(key), condition, value)


def _milestone(raw: Mapping[str, Any], p: _Problems, known: Known) -> Filter | None:
    program, reached = _program_id(raw.get("program")), raw.get("reached", True)
    if program is None:
        p.add("program", "must be a program's id, like prg_9 (an order count event's too)")
    elif known.programs is not None and program not in known.programs:
        p.add("program", f"no program with the id {program} in this store")
    if not isinstance(reached, bool):
        p.add("reached", "must be true (reached) or false (not reached)")
    return None if p.any or not isinstance(program, int) else MilestoneFilter(program, reached)


def _segment(raw: Mapping[str, Any], p: _Problems, known: Known) -> Filter | None:
    key, member = raw.get("segment"), raw.get("member", True)
    if not isinstance(key, str) or not key:
        p.add("segment", "must name another segment by key")
    elif known.segments is not None and key not in known.segments:
        p.add("segment", f"no segment with the key {key!r} in this store")
    if not isinstance(member, bool):
        p.add("member", "must be true (a member) or false (not a member)")
    return None if p.any else SegmentFilter(str(key), member)


def _program_id(value: Any) -> int | None:
    if value.__class__ is int:
        return int(value)
    for kind in ("program", "order_count_event"):
        try:
            return parse_id(kind, value) if isinstance(value, str) else None
        except BadId:
            continue
    return None


_PARSERS = {
    "event": _event,
    "tag": _tag,
    "attribute": _attribute,
    "metric": _metric,
    "aggregate": _aggregate,
    "milestone": _milestone,
    "segment": _segment,
}


def _cycles(
    key: str, groups: Groups, segments: Mapping[str, frozenset[str]], shorthand: bool, problems: dict[str, str]
) -> None:
    """Refuse a filter naming a segment that leads back to `key`, with the way round."""
    graph = {**segments, key: frozenset()}
    for g, group in enumerate(groups):
        for i, f in enumerate(group):
            if not isinstance(f, SegmentFilter):
                continue
            way = _way_back(f.segment, key, graph)
            if way is not None:
                round_trip = " → ".join([key, *way])
                where = f"filters[{i}]" if shorthand else f"groups[{g}].filters[{i}]"
                problems[f"{where}.segment"] = f"refers back to this segment ({round_trip})"


def _way_back(start: str, target: str, graph: Mapping[str, frozenset[str]]) -> list[str] | None:
    """The keys from `start` to `target` through the segments' references, if any."""
    todo: list[list[str]] = [[start]]
    seen: set[str] = set()
    while todo:
        way = todo.pop()
        last = way[-1]
        if last == target:
            return way
        if last in seen:
            continue
        seen.add(last)
        todo.extend([*way, nxt] for nxt in sorted(graph.get(last, frozenset())))
    return None


# --- the example that ships ---------------------------------------------------------------

FIRST_REDEMPTION: dict[str, Any] = {
    "key": "first_redemption",
    "name": "New customers who just made their first redemption",
    "kind": "auto",
    "filters": [
        {"type": "event", "event": "customer.created", "metric": "has_occurred", "condition": "more_than", "value": 0},
        {
            "type": "event",
            "event": "redemption.succeeded",
            "metric": "has_occurred",
            "condition": "exactly",
            "value": 1,
        },
    ],
}
