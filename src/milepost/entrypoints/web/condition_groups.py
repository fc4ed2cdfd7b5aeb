"""The builder's condition groups, as fields and back: a group is matched by all or any of
its items, may be negated ("not"), and holds condition rows and groups, to any depth.

Fields of the group at prefix P (`audience`, `b0-cond`): `P-match` (`all` | `any`) and
`P-not` (a checkbox); its items are numbered in one sequence, item i a row (`P-i-field`,
`P-i-op`, `P-i-value`) or a group of its own, prefix `P-i` (it posts `P-i-match`). Items
keep the order of their numbers, gaps allowed (a row removed in the page leaves one).

A group is the model's `{all|any: [...]}`, wrapped in `{not: ...}` when negated; the
outermost group of one item matched by all is that item (one row: the leaf), and so is a
negated one (`{not: leaf}`). An empty row or group is left out; no item: no condition.
`encode` writes any condition so that `read` gives it back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

PARTS = ("field", "op", "value")
#: Empty rows the page shows after a group's items, for typing without JavaScript.
EMPTY_ROWS = 2


@dataclass
class Row:
    prefix: str
    typed: dict[str, str]


@dataclass
class Group:
    prefix: str
    match: str = "all"
    negated: bool = False
    items: list[Row | Group] = field(default_factory=list)


# -- fields to a condition ------------------------------------------------------------------------


def tree(data: Mapping[str, Any], prefix: str) -> Group:
    """The group at `prefix` as posted, empty rows and groups left out."""
    group = Group(
        prefix, "any" if _text(data, f"{prefix}-match") == "any" else "all", bool(_text(data, f"{prefix}-not"))
    )
    numbers = sorted({int(m.group(1)) for k in data if (m := _item(prefix).match(k))})
    for i in numbers:
        at = f"{prefix}-{i}"
        if f"{at}-match" in data:
            sub = tree(data, at)
            if sub.items:
                group.items.append(sub)
            continue
        typed = {part: _text(data, f"{at}-{part}") for part in PARTS}
        if any(typed.values()):
            group.items.append(Row(at, typed))
    return group


def read(
    group: Group, leaf: Callable[[Row], dict[str, Any]], paths: dict[str, str], path: str = ""
) -> dict[str, Any] | None:
    """The group as the model's condition (`leaf` reads a row); `paths` learns which field
    each part of it came from (a model path under the root: `.all[1].not.value`)."""
    return _group(group, leaf, paths, path, root=True) if group.items else None


def _group(group: Group, leaf: Callable[[Row], dict[str, Any]], paths: dict[str, str], path: str, root: bool) -> Any:
    paths[path] = f"{group.prefix}-match"
    inner = f"{path}.not" if group.negated else path
    if (root or group.negated) and group.match == "all" and len(group.items) == 1:
        body = _part(group.items[0], leaf, paths, inner)
    else:
        items = [_part(item, leaf, paths, f"{inner}.{group.match}[{k}]") for k, item in enumerate(group.items)]
        body = {group.match: items}
    return {"not": body} if group.negated else body


def _part(item: Row | Group, leaf: Callable[[Row], dict[str, Any]], paths: dict[str, str], path: str) -> Any:
    if isinstance(item, Group):
        return _group(item, leaf, paths, path, root=False)
    paths[path] = f"{item.prefix}-field"
    for part in PARTS:
        paths[f"{path}.{part}"] = f"{item.prefix}-{part}"
    return leaf(item)


def field_of(paths: Mapping[str, str], rest: str, prefix: str) -> str:
    """The field a model problem names (`rest`: its path under the root), or the nearest
    group's; `prefix`-match when none is known."""
    while rest:
        if rest in paths:
            return paths[rest]
        rest = re.sub(r"(\.[a-z_]+|\[\d+\])$", "", rest)
    return paths.get("", f"{prefix}-match")


# -- a condition to fields ------------------------------------------------------------------------


def encode(
    condition: Mapping[str, Any] | None, prefix: str, value: Callable[[Mapping[str, Any]], str]
) -> dict[str, str]:
    """The fields that `read` turns back into `condition` (`value`: a leaf's value as typed)."""
    out: dict[str, str] = {f"{prefix}-match": "all"}
    if condition is not None:
        _encode_group(condition, prefix, value, out, root=True)
    return out


def _encode_group(
    c: Mapping[str, Any], prefix: str, value: Callable[[Mapping[str, Any]], str], out: dict[str, str], root: bool
) -> None:
    negated = "not" in c
    body = c["not"] if negated else c
    if negated:
        out[f"{prefix}-not"] = "on"
    kind = next((k for k in ("all", "any") if k in body), None)
    if kind is not None and (kind == "any" or len(body[kind]) > 1 or not (root or negated)):
        items = body[kind]
    else:  # a leaf, a `not` or a one-item all under the outermost or a negated group: its one item
        kind, items = "all", [body]
    out[f"{prefix}-match"] = kind
    for i, item in enumerate(items):
        at = f"{prefix}-{i}"
        if "field" in item:
            out.update({f"{at}-field": item["field"], f"{at}-op": item["op"], f"{at}-value": value(item)})
        else:
            out[f"{at}-match"] = "all"
            _encode_group(item, at, value, out, root=False)


# -- what the page draws --------------------------------------------------------------------------


def shown(group: Group, empty_rows: int = EMPTY_ROWS) -> dict[str, Any]:
    """The group as the template draws it: its items, then empty rows and (for typing
    without JavaScript) one empty group, each with the label of its place (`3.1`)."""
    return _shown(group, "", empty_rows, spare_group=True)


def _shown(group: Group, label: str, empty_rows: int, spare_group: bool) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    used = [int(item.prefix.rsplit("-", 1)[1]) for item in group.items]
    nxt = max(used, default=-1) + 1
    for item in group.items:
        place = f"{label}{len(items) + 1}"
        if isinstance(item, Group):
            items.append(_shown(item, place + ".", 1, spare_group=False))
        else:
            items.append({"kind": "row", "prefix": item.prefix, "label": place, **item.typed})
    for _ in range(empty_rows):
        items.append({"kind": "row", "prefix": f"{group.prefix}-{nxt}", "label": f"{label}{len(items) + 1}"})
        nxt += 1
    if spare_group:
        spare = Group(f"{group.prefix}-{nxt}")
        items.append({**_shown(spare, f"{label}{len(items) + 1}.", 2, spare_group=False), "spare": True})
    return {
        "kind": "group",
        "prefix": group.prefix,
        "label": label.rstrip("."),
        "match": group.match,
        "negated": group.negated,
        "items": items,
    }


def _item(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}-(\d+)-")


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""
