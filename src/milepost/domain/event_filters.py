"""An event trigger's `where`: the tests an event's properties must pass, as data.

`{"prop": value}` is equality; `{"prop": {"op": value, ...}}` applies each operator
(all must hold):

- `eq`, `ne`: the property is (is not) the value, JSON value for JSON value: `"10"` is
  not `10`, `true` is not `1`; an absent property is not equal to anything (`ne` holds).
- `gt`, `gte`, `lt`, `lte`: the property is a number (not a boolean, not a numeric
  string) compared to the value, a number.
- `in`: the property is one of the values of a non-empty list.
- `contains`: the property is a string holding the value (a string), or a list with an
  element equal to the value.
- `exists`: `true`, the property is there and not null; `false`, it is absent or null.

`parse` checks a `where` and names each problem by its path
(`trigger.where.value.gt: must be a number`); `passes` is the pure test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "contains", "exists")
_ORDER = {"gt": 1, "gte": 1, "lt": 1, "lte": 1}
#: Each operator in the operator's words, as the admin offers it.
OP_WORDS = {
    "eq": "=",
    "ne": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "in": "is one of",
    "contains": "contains",
    "exists": "exists (true / false)",
}


@dataclass(frozen=True, slots=True)
class PropertyTest:
    name: str
    op: str
    value: Any


def parse(raw: Any, where: str, problems: dict[str, str]) -> tuple[PropertyTest, ...]:
    """The tests of a `where` object, or its problems by path."""
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        problems[where] = "must be an object of property: value, or property: {operator: value}"
        return ()
    found: list[PropertyTest] = []
    for name, test in raw.items():
        path = f"{where}.{name}"
        if not isinstance(name, str) or not name:
            problems[where] = "a property's name must be text"
        elif isinstance(test, Mapping):
            if not test:
                problems[path] = f"must name an operator: {', '.join(OPS)}"
            for op, value in test.items():
                found.extend(_test(name, op, value, f"{path}.{op}", problems))
        else:
            found.extend(_test(name, "eq", test, path, problems))
    return tuple(sorted(found, key=lambda t: (t.name, OPS.index(t.op))))


def _test(name: str, op: Any, value: Any, path: str, problems: dict[str, str]) -> list[PropertyTest]:
    if op not in OPS:
        problems[path] = f"is not an operator; one of {', '.join(OPS)}"
        return []
    reason = _problem(op, value)
    if reason:
        problems[path] = reason
        return []
    return [PropertyTest(name, op, tuple(value) if isinstance(value, list) else value)]


def _problem(op: str, value: Any) -> str | None:
    if op in _ORDER:
        return None if _number(value) else f"{op} compares numbers: must be a number"
    if op == "exists":
        return None if isinstance(value, bool) else "must be true or false"
    if op == "in":
        ok = isinstance(value, list) and value and all(_scalar(v) for v in value)
        return None if ok else "must be a non-empty list of strings, numbers or booleans"
    return None if _scalar(value) else "must be a string, number or boolean"


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _scalar(v: Any) -> bool:
    return isinstance(v, str | int | float | bool)


def passes(tests: tuple[PropertyTest, ...], properties: Mapping[str, Any]) -> bool:
    """Whether the properties pass every test."""
    return all(_passes(t, properties) for t in tests)


def _passes(t: PropertyTest, properties: Mapping[str, Any]) -> bool:
    present = properties.get(t.name) is not None
    actual = properties.get(t.name)
    if t.op == "exists":
        return present is t.value
    if t.op == "ne":
        return not (present and same(actual, t.value))
    if not present:
        return False
    if t.op == "eq":
        return same(actual, t.value)
    if t.op == "in":
        return any(same(actual, v) for v in t.value)
    if t.op == "contains":
        if isinstance(actual, str):
            return isinstance(t.value, str) and t.value in actual
        return isinstance(actual, list) and any(same(a, t.value) for a in actual)
    if not _number(actual):
        return False
    compared: dict[str, bool] = {
        "gt": actual > t.value,
        "gte": actual >= t.value,
        "lt": actual < t.value,
        "lte": actual <= t.value,
    }
    return compared[t.op]


def same(a: Any, b: Any) -> bool:
    """JSON value for JSON value: a boolean only equals a boolean, a number a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if _number(a) and _number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def as_dict(tests: tuple[PropertyTest, ...]) -> dict[str, Any]:
    """The `where` as the API gives it: a property's lone `eq` as its plain value."""
    out: dict[str, Any] = {}
    for t in tests:
        value = list(t.value) if isinstance(t.value, tuple) else t.value
        out.setdefault(t.name, {})[t.op] = value
    return {name: ops["eq"] if list(ops) == ["eq"] else ops for name, ops in out.items()}


def said(t: PropertyTest) -> str:
    """`value > 50`, in words for the admin."""
    value = (
        ", ".join(map(str, t.value))
        if isinstance(t.value, tuple)
        else str(t.value).lower()
        if isinstance(t.value, bool)
        else str(t.value)
    )
    return f"{t.name} {OP_WORDS[t.op].split(' (')[0]} {value}"
