"""A segment's definition as one SQL condition on a customer row `c`: set-based, the
database finds the members (never every customer loaded into Python).

Each filter is a condition on `c` or a subquery correlated with `c.id`, read through an
index by customer: events(customer_id, occurred_at), customer_tags(customer_id, tag),
firings(customer_id, rule_id, ...), segment_members(segment_id, customer_id). Groups are
ORed, the filters of a group ANDed. Everything is as of one instant `as_of`: events after
it are not counted; days ago and rolling windows count back from it.

JSON values (attributes, event payloads) compare by kind: a number with a number, a text
with a text (in code point order on both backends, so a date as YYYY-MM-DD compares as a
date), a boolean with a boolean; a value of another kind, or none, is not equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from milepost.adapters.storage.aggregates import _NET
from milepost.domain.aggregate_definitions import ORDERS, Aggregate, is_custom, window
from milepost.domain.segments import (
    AggregateFilter,
    AttributeFilter,
    EventFilter,
    Filter,
    Groups,
    MetricFilter,
    MilestoneFilter,
    PropertyFilter,
    Segment,
    SegmentFilter,
    TagFilter,
)

_OPS = {"more_than": ">", "exactly": "=", "less_than": "<"}
_DAY = timedelta(days=1)
_MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class Scope:
    """What a definition is evaluated against: the store, the instant, and what its
    filters name (segments with their ids, aggregates by key)."""

    store_id: int
    timezone: str
    as_of: datetime
    segments: Mapping[str, tuple[int, Segment]]
    aggregates: Mapping[str, Aggregate]


class SegmentSql:
    """Builds the condition's text and its bound values; `ts` is the backend's time binder."""

    def __init__(self, scope: Scope, pg: bool, ts: Callable[[datetime | None], Any], folded: bool = False) -> None:
        self.scope, self.pg, self.ts = scope, pg, ts
        self.params: dict[str, Any] = {"store": scope.store_id, "as_of": ts(scope.as_of)}
        # folded: the event filters read columns of `ev`, one row per customer that folds
        # their events once (`folded_events`), not a subquery each
        self.folded = folded
        self.columns: dict[tuple[Any, ...], tuple[str, str]] = {}  # filter's events -> (column, SQL)

    def condition(self, groups: Groups, depth: int = 0) -> str:
        if depth > _MAX_DEPTH:
            raise ValueError("segments name each other too deeply")
        false = "FALSE" if self.pg else "0"  # an unknown (NULL) filter is false: NOT must not keep it unknown
        ors = [" AND ".join(f"COALESCE(({self._filter(f, depth)}), {false})" for f in group) for group in groups]
        return " OR ".join(f"({o})" for o in ors)

    def _bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return ":" + name

    def _filter(self, f: Filter, depth: int) -> str:
        if isinstance(f, EventFilter):
            return self._event(f)
        if isinstance(f, TagFilter):
            has = f"EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND t.tag = {self._bind(f.tag)})"
            return has if f.has else f"NOT {has}"
        if isinstance(f, AttributeFilter):
            return self._compare("c.attributes", (f.attribute,), f.op, f.value)
        if isinstance(f, MetricFilter):
            return f"c.{f.metric} {_OPS[f.condition]} {self._bind(f.value)}"
        if isinstance(f, AggregateFilter):
            return self._aggregate(self.scope.aggregates[f.aggregate], f)
        if isinstance(f, MilestoneFilter):
            rule = self._bind(f.program)
            reached = f"EXISTS (SELECT 1 FROM firings f WHERE f.customer_id = c.id AND f.rule_id = {rule}"
            reached += " AND f.fired_at <= :as_of)"
            return reached if f.reached else f"NOT {reached}"
        return self._segment(f, depth)

    def _segment(self, f: SegmentFilter, depth: int) -> str:
        segment_id, other = self.scope.segments[f.segment]
        if other.kind == "static":
            inside = f"EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = {self._bind(segment_id)}"
            inside += " AND m.customer_id = c.id)"
        else:
            inside = f"({self.condition(other.groups, depth + 1)})"
        return inside if f.member else f"NOT {inside}"

    # -- events --------------------------------------------------------------------------

    def _events(self, f: EventFilter, since: datetime | None = None) -> str:
        """The customer's events that `f` counts, up to `as_of` (from `since`, excluded)."""
        base = "FROM events e WHERE e.customer_id = c.id AND e.store_id = :store AND e.occurred_at <= :as_of"
        return f"{base} AND {self._matches(f, since)}"

    def _matches(self, f: EventFilter, since: datetime | None) -> str:
        """Whether the event `e` is one that `f` counts (its name, `since`, its properties)."""
        name = self._bind(f.event)
        custom_name = "(e.payload::json ->> 'name')" if self.pg else "json_extract(e.payload, '$.name')"
        sql = f"(e.type = {name} OR (e.type = 'custom' AND {custom_name} = {name}))"
        if since is not None:
            sql += f" AND e.occurred_at > {self._bind(self.ts(since))}"
        for w in f.where:
            sql += " AND " + self._property(w)
        return sql

    def _column(self, f: EventFilter, since: datetime | None, last: bool) -> str:
        """The `ev` column of the count (or latest time) of the events `f` counts: one per
        distinct set of events, however many filters read it."""
        key = (f.event, since, f.where, last)
        if key not in self.columns:
            name, match = f"v{len(self.columns)}", self._matches(f, since)
            folded = (
                f"MAX(CASE WHEN {match} THEN e.occurred_at END)"
                if last
                else f"SUM(CASE WHEN {match} THEN 1 ELSE 0 END)"
            )
            self.columns[key] = (name, folded)
        column = "ev." + self.columns[key][0]
        return column if last else f"COALESCE({column}, 0)"

    def folded_events(self, ids: str) -> str:
        """The join of `ev` for the customers `ids` (an expanding parameter's name), or ''
        when no event filter was folded."""
        if not self.columns:
            return ""
        columns = ", ".join(f"{sql} AS {name}" for name, sql in self.columns.values())
        return (
            f" LEFT JOIN (SELECT e.customer_id AS customer_id, {columns} FROM events e"
            f" WHERE e.customer_id IN :{ids} AND e.store_id = :store AND e.occurred_at <= :as_of"
            " GROUP BY e.customer_id) ev ON ev.customer_id = c.id"
        )

    def _property(self, w: PropertyFilter) -> str:
        return self._compare("e.payload", w.path, w.op, w.value)

    def _event(self, f: EventFilter) -> str:
        as_of = self.scope.as_of
        if f.metric == "last_occurred":
            last = self._column(f, None, True) if self.folded else f"(SELECT MAX(e.occurred_at) {self._events(f)})"
            newest, oldest = as_of - f.value * _DAY, as_of - (f.value + 1) * _DAY  # f.value whole days ago
            if f.condition == "more_than":
                return f"{last} <= {self._bind(self.ts(oldest))}"
            if f.condition == "less_than":
                return f"{last} > {self._bind(self.ts(newest))}"
            return f"{last} > {self._bind(self.ts(oldest))} AND {last} <= {self._bind(self.ts(newest))}"
        since = None if f.within_days is None else as_of - f.within_days * _DAY
        if self.folded:
            return f"{self._column(f, since, False)} {_OPS[f.condition]} {self._bind(f.value)}"
        events = self._events(f, since)
        if (f.condition, f.value) == ("more_than", 0):
            return f"EXISTS (SELECT 1 {events})"
        if (f.condition, f.value) in (("exactly", 0), ("less_than", 1)):
            return f"NOT EXISTS (SELECT 1 {events})"
        return f"(SELECT COUNT(*) {events}) {_OPS[f.condition]} {self._bind(f.value)}"

    # -- aggregates ----------------------------------------------------------------------

    def _aggregate(self, a: Aggregate, f: AggregateFilter) -> str:
        """The aggregate's value as of the store-local day of `as_of` (the whole days
        before it), as service/aggregate_values.py computes it for one customer."""
        day = self.scope.as_of.astimezone(ZoneInfo(self.scope.timezone)).date()
        start, end = window(day, a.window_days, self.scope.timezone)
        bounds = self._between(start, end)
        if a.source == ORDERS:
            value = f"COALESCE(SUM({_NET}), 0)" if a.function == "sum" else "COUNT(*)"
            sql = (
                f"(SELECT {value} FROM orders o WHERE o.store_id = :store AND o.customer_id = c.id AND o.counts"
                f" {bounds('o.counted_at')} AND o.external_id IN (SELECT e.order_id FROM events e"
                f" WHERE e.customer_id = c.id AND e.store_id = :store AND e.order_id IS NOT NULL"
                f" {bounds('e.occurred_at')}))"
            )
        else:
            custom = is_custom(a.source)
            path = ("properties", a.property or "") if custom else (a.property or "",)
            value = f"COALESCE(SUM({self._number('e.payload', path)}), 0)" if a.function == "sum" else "COUNT(*)"
            kind = self._bind("custom" if custom else a.source)
            named = f" AND {self._text('e.payload', ('name',))} = {self._bind(a.source)}" if custom else ""
            sql = (
                f"(SELECT {value} FROM events e WHERE e.customer_id = c.id AND e.store_id = :store"
                f" AND e.type = {kind}{named} {bounds('e.occurred_at')})"
            )
        return f"{sql} {_OPS[f.condition]} {self._bind(f.value)}"

    def _between(self, start: datetime | None, end: datetime) -> Callable[[str], str]:
        low = None if start is None else self._bind(self.ts(start))
        high = self._bind(self.ts(end))
        return lambda column: (f"AND {column} >= {low} " if low else "") + f"AND {column} < {high}"

    # -- JSON values ---------------------------------------------------------------------

    def _path(self, doc: str, path: tuple[str, ...]) -> tuple[str, str]:
        """(the JSON kind, the value as text on PostgreSQL / as itself on SQLite) at `path`.
        Paths are checked names (letters, digits, '_', '-', '.'): safe inside the text."""
        if self.pg:
            array = "{" + ",".join(f'"{p}"' for p in path) + "}"
            return f"json_typeof({doc}::json #> '{array}')", f"({doc}::json #>> '{array}')"
        dotted = "$." + ".".join(f'"{p}"' for p in path)
        return f"json_type({doc}, '{dotted}')", f"json_extract({doc}, '{dotted}')"

    def _number(self, doc: str, path: tuple[str, ...]) -> str:
        kind, value = self._path(doc, path)
        if self.pg:
            return f"CASE WHEN {kind} = 'number' THEN {value}::numeric END"
        return f"CASE WHEN {kind} IN ('integer', 'real') THEN {value} END"

    def _text(self, doc: str, path: tuple[str, ...]) -> str:
        kind, value = self._path(doc, path)
        return f"CASE WHEN {kind} = '{'string' if self.pg else 'text'}' THEN {value} END"

    def _compare(self, doc: str, path: tuple[str, ...], op: str, v: Any) -> str:
        kind, value = self._path(doc, path)
        if op == "is_set":
            return f"COALESCE({kind}, 'null') <> 'null' AND COALESCE({self._text(doc, path)}, 'x') <> ''"
        if op == "contains":
            found = "strpos({}, {}) > 0" if self.pg else "instr({}, {}) > 0"
            return found.format(self._text(doc, path), self._bind(v))
        if op == "!=":
            return f"NOT COALESCE(({self._compare(doc, path, '=', v)}), {'FALSE' if self.pg else '0'})"
        sign = "=" if op == "=" else op
        if isinstance(v, bool):
            if op != "=":
                return "1 = 0"
            if self.pg:
                return f"{kind} = 'boolean' AND {value} = '{'true' if v else 'false'}'"
            return f"{kind} = '{'true' if v else 'false'}'"
        if isinstance(v, int | float):
            return f"{self._number(doc, path)} {sign} {self._bind(v)}"
        collated = ' COLLATE "C"' if self.pg else ""
        return f"{self._text(doc, path)}{collated} {sign} {self._bind(v)}"
