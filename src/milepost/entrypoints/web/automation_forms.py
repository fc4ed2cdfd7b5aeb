"""The automation builder's form, read and written: what an administrator types (a trigger
and its fields, condition groups for the audience and each branch, each branch's actions
with the on-failure list of each pool code) turned into the definition `mp.automations`
takes, the same JSON the HTTP API takes; the model's problems, named by their field paths
(`branches[0].actions[1].pool`), put back next to the fields they name; and any saved
definition written as the fields that read back into it (`encode`), so opening and saving
it in the builder changes nothing.

Field names: `trigger_<field>`; an event trigger's property rows `where-<r>-property|op|value`
(the operator one of `event_filters.OPS`, `eq` when none; a property's name in quotes as JSON
text when it has surrounding spaces, a line break or a leading quote; the value a `scalar`,
comma-separated `scalars` for "is one of"); condition groups at `audience` and `b<b>-cond` for
branch b (condition_groups.py); a branch's `b<b>-name`, its actions `b<b>-action-<slot>-<param>` and
the on-failure list of the pool code in a slot `b<b>-action-<slot>-fail-<k>-<param>`.
Empty rows, groups, slots and branches are left out. Amounts (the amount spent, credit) are
typed as the rest of the admin takes money (`formatting.parse_amount`); an attribute's value
and an event property's as `scalar` reads them (`10`, `true`, `gold`, `"10"` for the text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from milepost.domain import event_filters
from milepost.domain.action_types import AUTOMATION_ACTION_TYPES
from milepost.domain.aggregates import METRICS
from milepost.entrypoints.web import condition_groups, forms
from milepost.errors import ValidationError
from milepost.formatting import units

MONEY_FIELDS = frozenset({"amount_spent"})
TRIGGER_FIELDS = ("type", "days", "attribute", "yearly", "event", "program")
#: The operators an event trigger's property row offers, in words.
WHERE_OPS = event_filters.OP_WORDS
WHERE_PARTS = ("property", "op", "value")
TOP_FIELDS = ("key", "name", "active_from", "send_at_local_hour", "active")
#: What an on-failure list may do: not take another pool code, nor wait.
FAILURE_TYPES = {k: t for k, t in AUTOMATION_ACTION_TYPES.items() if k not in ("pool_code", "wait")}
#: Each trigger type in the operator's words, as the form's choice offers it.
TRIGGER_TYPES = {
    "first_purchase": "Days after the first paid purchase",
    "signup": "Days after sign-up",
    "inactive": "Days without an order",
    "date_attribute": "A date in a customer attribute (a birthday, a renewal)",
    "event": "An event arrives (an event type or a custom event's name)",
    "milestone": "A milestone program is reached",
    "manual": "Started by a Trigger workflow action",
}
#: The operators a condition row offers, in words.
OPS = {
    "valid": "is a valid address",
    "present": "is present",
    "is": "is (true / false)",
    "has": "has",
    "lacks": "lacks",
    "=": "=",
    "!=": "≠",
    "<": "<",
    "<=": "≤",
    ">": ">",
    ">=": "≥",
    "between": "between (like 1 and 2)",
    "in": "is one of (comma-separated)",
}
_BETWEEN = re.compile(r"^\s*(.+?)\s*(?:\band\b|\bto\b|\.\.|\u2013|,|(?<=\d)-)\s*(.+?)\s*$")
_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def fields_offered(aggregates: Mapping[str, str]) -> dict[str, str]:
    """What a condition row's field may be (value: words): the profile, the metrics, the
    store's aggregates (key: name) and, typed, `attribute.<name>`."""
    return {
        "email": "Email address",
        "email_consent": "Email consent",
        "sms_consent": "SMS consent",
        "tag": "Tag",
        **{k: v.capitalize() for k, v in METRICS.items()},
        **{f"aggregate.{k}": f"Aggregate: {name}" for k, name in aggregates.items()},
        "attribute.": "A customer attribute: attribute.<name>",
    }


# -- the form to a definition -----------------------------------------------------------------


class Builder:
    """One posted form read: `definition` for the model, `form` as typed (with the errors of
    fields that did not parse), and where each part of the definition came from, to put the
    model's problems back on the right fields."""

    def __init__(self, data: Mapping[str, Any], currency: str, key: str | None = None) -> None:
        self.data, self.currency = data, currency
        self.form = forms.Form({k: v for k, v in data.items() if k != "csrf_token"})
        self.form.values["key"] = key if key is not None else forms.text(data, "key")
        self.paths: dict[str, dict[str, str]] = {}  # condition's root prefix -> model path -> field
        self.slots: dict[str, list[int]] = {}  # action editor's prefix -> the slots filled, in order
        self.where_rows: dict[tuple[str, str], int] = {}  # (property, operator) -> its posted row
        self.branch_of: list[int] = []  # the definition's branch k came from the form's branch b
        self.definition = self._read()

    def _read(self) -> dict[str, Any]:
        d, f = self.data, self.form
        hour = self._try(forms.whole, d, "send_at_local_hour", required=False)
        return {
            "key": f.values["key"],
            "name": forms.text(d, "name"),
            "trigger": self._trigger(),
            "audience": self._condition("audience"),
            "branches": self._branches(),
            "active_from": forms.text(d, "active_from") or None,
            "send_at_local_hour": hour,
            "active": forms.checkbox(d, "active"),
        }

    def _try(self, read: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return read(*args, **kwargs)
        except forms.FormError as e:
            self.form.errors[e.field] = str(e)
            return None

    def _trigger(self) -> dict[str, Any]:
        d = self.data
        kind = forms.text(d, "trigger_type")
        trigger: dict[str, Any] = {"type": kind}
        days = self._try(forms.whole, d, "trigger_days", required=False)
        if kind in ("first_purchase", "signup", "inactive", "date_attribute") and days is not None:
            trigger["days"] = days
        if kind == "date_attribute":
            trigger["attribute"] = forms.text(d, "trigger_attribute")
            trigger["yearly"] = forms.checkbox(d, "trigger_yearly")
        elif kind == "event":
            trigger["event"] = forms.text(d, "trigger_event")
            where = self._where()
            if where:
                trigger["where"] = where
        elif kind == "milestone":
            trigger["program"] = forms.text(d, "trigger_program")
        return trigger

    def _where(self) -> dict[str, Any] | None:
        """The event's property rows `where-<r>-…` as the trigger's `where`: a property's lone
        `eq` as its plain value, else its operators. A row with neither property nor value is
        left out (its operator, `=` unless chosen, tests nothing alone)."""
        found: dict[str, dict[str, Any]] = {}
        for r in where_numbers(self.data):
            raw_name, op, raw = (forms.text(self.data, f"where-{r}-{part}") for part in WHERE_PARTS)
            if not (raw_name or raw):
                continue
            name = self._try(where_property, raw_name, f"where-{r}-property")
            op = op or "eq"
            if op not in event_filters.OPS:
                self.form.errors[f"where-{r}-op"] = f"is not an operator; one of {', '.join(event_filters.OPS)}"
            elif name is not None and (name, op) in self.where_rows:
                self.form.errors[f"where-{r}-op"] = "repeats an earlier row's property and operator"
            elif name is not None:
                self.where_rows[(name, op)] = r
                value = self._try(where_value, op, raw, f"where-{r}-value")
                if value is not None:
                    found.setdefault(name, {})[op] = value
        return {name: ops["eq"] if list(ops) == ["eq"] else ops for name, ops in found.items()} or None

    def _condition(self, prefix: str) -> dict[str, Any] | None:
        """The condition groups at `prefix` (condition_groups.py); nothing filled: None."""
        self.paths[prefix] = {}
        return condition_groups.read(condition_groups.tree(self.data, prefix), self._leaf, self.paths[prefix])

    def _leaf(self, row: condition_groups.Row) -> dict[str, Any]:
        leaf: dict[str, Any] = {"field": row.typed["field"], "op": row.typed["op"]}
        value = self._try(_value, row.typed, f"{row.prefix}-value", self.currency)
        if value is not None:
            leaf["value"] = value
        return leaf

    def _branches(self) -> list[dict[str, Any]]:
        out = []
        for b in branch_numbers(self.data):
            branch = self._branch(b)
            if branch is not None:
                out.append(branch)
                self.branch_of.append(b)
        return out

    def _branch(self, b: int) -> dict[str, Any] | None:
        name = forms.text(self.data, f"b{b}-name")
        when = self._condition(f"b{b}-cond")
        actions = self._actions(f"b{b}-action")
        if not (name or when or actions):
            return None
        branch: dict[str, Any] = {"name": name, "actions": actions}
        if when:
            branch["when"] = when
        return branch

    def _actions(self, prefix: str) -> list[dict[str, Any]]:
        """The editor's actions, each pool code with the on-failure list of its slot."""
        actions, self.slots[prefix] = forms.slot_actions(
            self.data, self.currency, self.form, prefix, AUTOMATION_ACTION_TYPES
        )
        for action, slot in zip(actions, self.slots[prefix], strict=True):
            fail = f"{prefix}-{slot}-fail"
            failures, self.slots[fail] = forms.slot_actions(self.data, self.currency, self.form, fail, FAILURE_TYPES)
            if failures and action["type"] == "pool_code":
                action["on_failure"] = failures
            elif failures:
                self.form.errors[fail] = "runs when a pool has no code left: only a “Give a code from a pool” has one"
        return actions

    # -- the model's problems, next to their fields ---------------------------------------------

    def add_problems(self, error: ValidationError) -> None:
        for path, reason in error.problems.items():
            self.form.errors.setdefault(self._field(path), reason)
        if not error.problems:
            self.form.errors[""] = str(error)

    def _field(self, path: str) -> str:
        if path in TOP_FIELDS:
            return path
        if path.startswith("trigger.where"):
            return self._where_field(path[len("trigger.where.") :])
        if path.startswith("trigger."):
            return "trigger_" + path[8:].split(".")[0]
        if path.startswith("audience"):
            return condition_groups.field_of(self.paths.get("audience", {}), path[8:], "audience")
        m = re.match(r"^branches\[(\d+)\](.*)$", path)
        if m is None or int(m.group(1)) >= len(self.branch_of):
            return "branches" if path.startswith("branches") else ""
        b, rest = self.branch_of[int(m.group(1))], m.group(2)
        if rest.startswith(".when"):
            return condition_groups.field_of(self.paths.get(f"b{b}-cond", {}), rest[5:], f"b{b}-cond")
        m = re.match(r"^\.actions(?:\[(\d+)\](?:\.on_failure(?:\[(\d+)\])?)?(?:\.(.+))?)?$", rest)
        if m is None:
            return f"b{b}-name"
        action, failure, param = m.groups()
        if action is None:
            return f"b{b}-action"
        slot = self._slot(f"b{b}-action", int(action))
        if ".on_failure" not in rest:
            return f"{slot}-{(param or 'type').split('.')[0]}"
        if failure is None:
            return f"{slot}-fail"
        return f"{self._slot(f'{slot}-fail', int(failure))}-{(param or 'type').split('.')[0]}"

    def _where_field(self, rest: str) -> str:
        """A `where` problem's path under it (`value.gt`, `value`) to its row's field."""
        name, _, op = rest.rpartition(".")
        for key in ((name, op), (rest, "eq")):
            if key in self.where_rows:
                return f"where-{self.where_rows[key]}-value"
        rows = [r for (n, _), r in self.where_rows.items() if n == rest]
        return f"where-{rows[0]}-property" if rows else "where"

    def _slot(self, prefix: str, k: int) -> str:
        """The fields' prefix of the model's k-th action of the editor at `prefix`."""
        slots = self.slots.get(prefix, [])
        return f"{prefix}-{slots[k] if k < len(slots) else k}"


def branch_numbers(data: Mapping[str, Any]) -> list[int]:
    """The branches the form posted (`b<b>-…`), in order."""
    return sorted({int(m.group(1)) for k in data if (m := _BRANCH.match(k))})


def where_numbers(data: Mapping[str, Any]) -> list[int]:
    """The event property rows the form posted (`where-<r>-…`), in order."""
    return sorted({int(m.group(1)) for k in data if (m := _WHERE.match(k))})


_BRANCH = re.compile(r"^b(\d+)-")
_WHERE = re.compile(r"^where-(\d+)-(?:property|op|value)$")


def _value(row: Mapping[str, str], name: str, currency: str) -> Any:
    """A condition row's value as the model takes it: none, true/false, a tag, an attribute's
    value or list of values (`scalar`), a pair for `between`, an amount for money, a number."""
    f, op, raw = row["field"], row["op"], row["value"]
    if op in ("valid", "present") or (not raw and op != "is"):
        return None
    if op == "is":
        if raw.lower() not in _TRUE + _FALSE:
            raise forms.FormError(name, "must be true or false")
        return raw.lower() in _TRUE
    if f == "tag":
        return raw
    if f.startswith("attribute."):
        return scalars(raw, name) if op == "in" else scalar(raw, name)
    if op == "between":
        m = _BETWEEN.match(raw)
        if m is None:
            raise forms.FormError(name, "must be two values, like 1 and 2")
        return [_number(f, m.group(1), name, currency), _number(f, m.group(2), name, currency)]
    return _number(f, raw, name, currency)


def _number(f: str, raw: str, name: str, currency: str) -> int | None:
    if f in MONEY_FIELDS:
        return forms.money({name: raw}, name, currency)
    return forms.whole({name: raw}, name)


# -- values typed as text: an attribute's, an event property's ----------------------------------

_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
_PIECE = re.compile(r'"(?:[^"\\]|\\.)*"|[^,"]+|,')


def scalar(raw: str, name: str) -> Any:
    """A value as typed: a number, true or false, "text in quotes", else the text itself."""
    typed = raw.strip()
    if typed.startswith('"'):
        try:
            value = json.loads(typed)
        except ValueError:
            raise forms.FormError(name, 'text in quotes must end with a quote, like "10"') from None
        if not isinstance(value, str):
            raise forms.FormError(name, 'text in quotes must end with a quote, like "10"')
        return value
    if _NUMBER.match(typed):
        return json.loads(typed)
    return {"true": True, "false": False}.get(typed, typed)


def scalars(raw: str, name: str) -> list[Any]:
    """Comma-separated values, each a `scalar` (a comma inside quotes is text)."""
    pieces = _PIECE.findall(raw)
    if "".join(pieces) != raw:
        raise forms.FormError(name, 'text in quotes must end with a quote, like "a, b"')
    values, current = [], ""
    for piece in [*pieces, ","]:
        if piece != ",":
            current += piece
        elif current.strip():
            values.append(scalar(current, name))
            current = ""
    return values


def scalar_text(value: Any, listed: bool = False) -> str:
    """A value as `scalar` reads it back: text that would read as something else, in quotes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    plain = text.isprintable() and text == text.strip() and scalar(text, "") == text and not text.startswith('"')
    return text if text and plain and not (listed and "," in text) else json.dumps(text)


def scalars_text(value: Any) -> str:
    """A value, or a list of them comma-separated, as `scalar` (`scalars`) reads it back."""
    return ", ".join(scalar_text(v, True) for v in value) if isinstance(value, list) else scalar_text(value)


# -- an event trigger's property rows -----------------------------------------------------------


def where_property(raw: str, name: str) -> str:
    """A property row's name: as typed, or in quotes as JSON text (`" spaced "`)."""
    typed = scalar(raw, name) if raw.startswith('"') else raw
    if not typed:
        raise forms.FormError(name, "is required")
    return str(typed)


def where_value(op: str, raw: str, name: str) -> Any:
    """A property row's value for its operator: true or false for `exists`, a number to
    compare, a list of `scalars` for `in`, else a `scalar`."""
    if op == "exists":
        if raw.lower() not in _TRUE + _FALSE:
            raise forms.FormError(name, "must be true or false")
        return raw.lower() in _TRUE
    if not raw:
        raise forms.FormError(name, "is required")
    if op == "in":
        return scalars(raw, name)
    value = scalar(raw, name)
    if op in ("gt", "gte", "lt", "lte") and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise forms.FormError(name, "must be a number, like 50 or 9.5")
    return value


def where_rows(where: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """A saved `where` as rows, one per property and operator (`{"gt": 50, "lt": 100}`: two)."""
    return [
        {"property": forms.property_name(name, banned=""), "op": op, "value": scalars_text(value)}
        for name, test in (where or {}).items()
        for op, value in (test.items() if isinstance(test, Mapping) else [("eq", test)])
    ]


# -- a definition to the form -----------------------------------------------------------------


def encode(definition: Mapping[str, Any], currency: str) -> dict[str, str]:
    """The fields that show a saved definition (`Automation.as_dict()`), as the builder
    posts them: `Builder` reads them back into the same definition."""
    trigger = definition["trigger"]
    out = {k: _shown(definition.get(k)) for k in ("key", "name", "active_from", "send_at_local_hour")}
    for name in TRIGGER_FIELDS:
        out[f"trigger_{name}"] = _shown(trigger.get(name))
    for r, row in enumerate(where_rows(trigger.get("where"))):
        out.update({f"where-{r}-{part}": row[part] for part in WHERE_PARTS})
    for name, on in (("active", definition.get("active")), ("trigger_yearly", trigger.get("yearly"))):
        out.pop(name, None)
        if on:
            out[name] = "on"
    out.update(condition_groups.encode(definition.get("audience"), "audience", _leaf_value(currency)))
    for b, branch in enumerate(definition["branches"]):
        out[f"b{b}-name"] = branch.get("name", "")
        out.update(condition_groups.encode(branch.get("when"), f"b{b}-cond", _leaf_value(currency)))
        for i, action in enumerate(branch.get("actions", [])):
            plain = {k: v for k, v in action.items() if k != "on_failure"}
            out.update(_slot_fields(f"b{b}-action-{i}", plain, currency))
            for j, failure in enumerate(action.get("on_failure", [])):
                out.update(_slot_fields(f"b{b}-action-{i}-fail-{j}", failure, currency))
    return out


def _slot_fields(prefix: str, action: Mapping[str, Any], currency: str) -> dict[str, str]:
    (slot,) = forms.action_slots([dict(action)], currency, extra=0)
    return {f"{prefix}-{k}": v for k, v in slot.items() if k != "currency"}


def _leaf_value(currency: str) -> Any:
    return lambda leaf: typed_value(leaf["field"], leaf["op"], leaf.get("value"), currency)


# -- what the page draws ----------------------------------------------------------------------


def view(data: Mapping[str, Any], more: int = 0) -> dict[str, Any]:
    """What the builder's template draws of the fields (saved or posted): the event's
    property rows typed and two empty ones, each branch's number, each condition's groups
    (condition_groups.shown) and each action editor's slots (an on-failure list's by
    `<action prefix>-<slot>-fail`); `more` empty branches after."""
    numbers = branch_numbers(data) or [0]
    numbers += [max(numbers) + 1 + k for k in range(more)]
    groups = {p: condition_groups.shown(condition_groups.tree(data, p)) for p in ["audience"]}
    slots: dict[str, list[dict[str, str]]] = {}
    for b in numbers:
        groups[f"b{b}-cond"] = condition_groups.shown(condition_groups.tree(data, f"b{b}-cond"))
        prefix = f"b{b}-action"
        slots[prefix] = forms.slots_from_form(data, prefix, least=1)
        for i in range(len(slots[prefix])):
            slots[f"{prefix}-{i}-fail"] = forms.slots_from_form(data, f"{prefix}-{i}-fail", least=0)
    return {"branch_numbers": numbers, "groups": groups, "branch_slots": slots, "where_rows": _where_shown(data)}


def _where_shown(data: Mapping[str, Any]) -> list[dict[str, str]]:
    posted = where_numbers(data)
    rows = []
    for r in posted:
        row = {part: forms.text(data, f"where-{r}-{part}") for part in WHERE_PARTS}
        if row["property"] or row["value"]:
            rows.append({"prefix": f"where-{r}", **row})
    nxt = max(posted, default=-1) + 1
    rows += [{"prefix": f"where-{nxt + k}"} for k in range(condition_groups.EMPTY_ROWS)]
    return [{**row, "label": str(k + 1)} for k, row in enumerate(rows)]


def typed_value(f: str, op: str, value: Any, currency: str) -> str:
    """A condition's value as the builder's row shows it (and `_value` reads it back)."""
    if value is None:
        return ""
    if isinstance(value, bool) and not f.startswith("attribute."):
        return "true" if value else "false"
    if f.startswith("attribute."):
        return scalars_text(value)
    if isinstance(value, list):
        shown = [typed_value(f, "=", v, currency) for v in value]
        return " and ".join(shown) if op == "between" else ", ".join(shown)
    if f in MONEY_FIELDS and isinstance(value, int):
        return units(value, currency)
    return str(value)


def _shown(value: Any) -> str:
    return "" if value is None else str(value)
