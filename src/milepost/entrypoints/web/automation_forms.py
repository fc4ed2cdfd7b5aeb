"""The automation builder's form, read and written: what an administrator types (a trigger
and its fields, rows of field / operator / value combined with all or any, branches each
with its condition rows, its action editor and the on-failure list of its pool code) turned
into the definition `mp.automations` takes, the same JSON the HTTP API takes; the model's
problems, named by their field paths (`branches[0].actions[1].pool`), put back next to the
fields they name; and a saved definition shown in the form as it was typed.

Field names: `trigger_<field>`; an event trigger's property rows `where-<r>-property|op|value`
(the operator one of `event_filters.OPS`; a row's value typed as a number, true/false, a
comma-separated list for "is one of", or text, `"quoted"` when text looks like a number);
condition rows `<rows>-<r>-field|op|value` with
`<rows>-match` (`audience`, or `b<b>-cond` for branch b); a branch's `b<b>-name`, its
actions `b<b>-action-<slot>-<param>` and its on-failure list `b<b>-fail-<slot>-<param>`.
Empty rows, slots and branches are left out. Amounts (the amount spent, credit) are typed
as the rest of the admin takes money (`formatting.parse_amount`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from milepost.domain import event_filters
from milepost.domain.action_types import AUTOMATION_ACTION_TYPES
from milepost.domain.aggregates import METRICS
from milepost.entrypoints.web import forms
from milepost.errors import ValidationError
from milepost.formatting import units

MAX_BRANCHES = 10
MAX_ROWS = 20
MONEY_FIELDS = frozenset({"amount_spent"})
TRIGGER_FIELDS = ("type", "days", "attribute", "yearly", "event", "program")
#: The operators an event trigger's property row offers, in words.
WHERE_OPS = event_filters.OP_WORDS
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
TOP_FIELDS = ("key", "name", "active_from", "send_at_local_hour", "active")
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
        self.form = forms.Form({"key": key if key is not None else forms.text(data, "key")})
        self.rows: dict[str, list[int]] = {}  # condition rows' prefix -> the posted rows filled, in order
        self.slots: dict[str, list[int]] = {}  # action editor's prefix -> the slots filled, in order
        self.where_rows: dict[tuple[str, str], int] = {}  # (property, operator) -> its posted row
        self.branch_of: list[int] = []  # the definition's branch k came from the form's branch b
        self.definition = self._read()

    def _read(self) -> dict[str, Any]:
        d, f = self.data, self.form
        for name in ("name", "active_from", "send_at_local_hour"):
            f.values[name] = forms.text(d, name)
        f.values["active"] = forms.checkbox(d, "active")
        hour = self._try(forms.whole, d, "send_at_local_hour", required=False)
        return {
            "key": f.values["key"],
            "name": f.values["name"],
            "trigger": self._trigger(),
            "audience": self._condition("audience"),
            "branches": self._branches(),
            "active_from": f.values["active_from"] or None,
            "send_at_local_hour": hour,
            "active": f.values["active"],
        }

    def _try(self, read: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return read(*args, **kwargs)
        except forms.FormError as e:
            self.form.errors[e.field] = str(e)
            return None

    def _trigger(self) -> dict[str, Any]:
        d = self.data
        for name in TRIGGER_FIELDS:
            self.form.values[f"trigger_{name}"] = forms.text(d, f"trigger_{name}")
        self.form.values["trigger_yearly"] = forms.checkbox(d, "trigger_yearly")
        kind = self.form.values["trigger_type"]
        trigger: dict[str, Any] = {"type": kind}
        days = self._try(forms.whole, d, "trigger_days", required=False)
        if kind in ("first_purchase", "signup", "inactive", "date_attribute") and days is not None:
            trigger["days"] = days
        if kind == "date_attribute":
            trigger["attribute"] = self.form.values["trigger_attribute"]
            trigger["yearly"] = self.form.values["trigger_yearly"]
        elif kind == "event":
            trigger["event"] = self.form.values["trigger_event"]
            where = self._where()
            if where:
                trigger["where"] = where
        elif kind == "milestone":
            trigger["program"] = self.form.values["trigger_program"]
        return trigger

    def _where(self) -> dict[str, Any] | None:
        """The event's property rows `where-<r>-…` as the trigger's `where`: a property's lone
        `eq` as its plain value, else its operators."""
        typed, found = [], dict[str, dict[str, Any]]()
        for r in range(MAX_ROWS):
            row = {part: forms.text(self.data, f"where-{r}-{part}") for part in ("property", "op", "value")}
            if not any(row.values()):
                continue
            typed.append(row)
            op = row["op"] or "eq"
            if not row["property"]:
                self.form.errors[f"where-{r}-property"] = "is required"
                continue
            self.where_rows[(row["property"], op)] = r
            value = self._try(_where_value, op, row["value"], f"where-{r}-value")
            if value is not None:
                found.setdefault(row["property"], {})[op] = value
        self.form.values["where-rows"] = typed
        return {name: ops["eq"] if list(ops) == ["eq"] else ops for name, ops in found.items()} or None

    def _condition(self, prefix: str) -> dict[str, Any] | None:
        """The rows `<prefix>-<r>-…` combined by `<prefix>-match`; no row filled: None."""
        match = forms.text(self.data, f"{prefix}-match") or "all"
        self.form.values[f"{prefix}-match"] = match
        leaves, filled, typed = [], [], []
        for r in range(MAX_ROWS):
            row = {part: forms.text(self.data, f"{prefix}-{r}-{part}") for part in ("field", "op", "value")}
            if not any(row.values()):
                continue
            typed.append(row)
            filled.append(r)
            leaf: dict[str, Any] = {"field": row["field"], "op": row["op"]}
            value = self._try(_value, row, f"{prefix}-{r}-value", self.currency)
            if value is not None:
                leaf["value"] = value
            leaves.append(leaf)
        self.form.values[f"{prefix}-rows"] = typed
        self.rows[prefix] = filled
        if len(leaves) == 1:
            return leaves[0]
        return {"any" if match == "any" else "all": leaves} if leaves else None

    def _branches(self) -> list[dict[str, Any]]:
        out, shown = [], []
        for b in range(MAX_BRANCHES):
            if not any(k.startswith(f"b{b}-") for k in self.data):
                continue
            branch = self._branch(b)
            shown.append(b)
            if branch is not None:
                out.append(branch)
                self.branch_of.append(b)
        self.form.values["branch_numbers"] = shown
        return out

    def _branch(self, b: int) -> dict[str, Any] | None:
        name = forms.text(self.data, f"b{b}-name")
        self.form.values[f"b{b}-name"] = name
        when = self._condition(f"b{b}-cond")
        actions = self._actions(f"b{b}-action")
        failures = self._actions(f"b{b}-fail")
        if not (name or when or actions or failures):
            return None
        if failures:
            pool = next((a for a in actions if a["type"] == "pool_code"), None)
            if pool is None:
                self.form.errors[f"b{b}-fail"] = (
                    "runs when a pool has no code left: add a “Give a code from a pool” action"
                )
            else:
                pool["on_failure"] = failures
        branch: dict[str, Any] = {"name": name, "actions": actions}
        if when:
            branch["when"] = when
        return branch

    def _actions(self, prefix: str) -> list[dict[str, Any]]:
        actions, self.slots[prefix] = forms.slot_actions(
            self.data, self.currency, self.form, prefix, AUTOMATION_ACTION_TYPES
        )
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
            return self._where_field(path[14:])
        if path.startswith("trigger."):
            return "trigger_" + path[8:].split(".")[0]
        if path.startswith("audience"):
            return self._row_field("audience", path[8:])
        m = re.match(r"^branches\[(\d+)\](.*)$", path)
        if m is None or int(m.group(1)) >= len(self.branch_of):
            return "branches" if path.startswith("branches") else ""
        b, rest = self.branch_of[int(m.group(1))], m.group(2)
        if rest.startswith(".when"):
            return self._row_field(f"b{b}-cond", rest[5:])
        m = re.match(r"^\.actions(?:\[(\d+)\](?:\.on_failure(?:\[(\d+)\])?)?(?:\.(.+))?)?$", rest)
        if m is None:
            return f"b{b}-name"
        action, failure, param = m.groups()
        if action is None:
            return f"b{b}-action"
        if ".on_failure" in rest:
            if failure is None:
                return f"b{b}-fail"
            return self._slot_field(f"b{b}-fail", int(failure), param)
        return self._slot_field(f"b{b}-action", int(action), param)

    def _row_field(self, prefix: str, rest: str) -> str:
        m = re.match(r"^(?:\.(?:all|any)\[(\d+)\])?(?:\.(field|op|value))?", rest)
        rows = self.rows.get(prefix, [])
        k = int(m.group(1) or 0) if m else len(rows)
        if m is None or not (m.group(1) or m.group(2)) or k >= len(rows):
            return f"{prefix}-match"
        return f"{prefix}-{rows[k]}-{m.group(2) or 'field'}"

    def _where_field(self, rest: str) -> str:
        """A `where` problem's path (`value.gt`, `value`) to its row's field."""
        name, _, op = rest.rpartition(".")
        for key in ((name, op), (rest, "eq")):
            if key in self.where_rows:
                return f"where-{self.where_rows[key]}-value"
        rows = [r for (n, _), r in self.where_rows.items() if n == rest]
        return f"where-{rows[0]}-property" if rows else "where"

    def _slot_field(self, prefix: str, k: int, param: str | None) -> str:
        slots = self.slots.get(prefix, [])
        slot = slots[k] if k < len(slots) else k
        return f"{prefix}-{slot}-{(param or 'type').split('.')[0]}"


def _value(row: Mapping[str, str], name: str, currency: str) -> Any:
    """A condition row's value as the model takes it: none, true/false, a tag, a list, a
    pair for `between`, an amount for money, a number, else the text."""
    f, op, raw = row["field"], row["op"], row["value"]
    if op in ("valid", "present") or (not raw and op != "is"):
        return None
    if op == "is":
        if raw.lower() not in _TRUE + _FALSE:
            raise forms.FormError(name, "must be true or false")
        return raw.lower() in _TRUE
    if f == "tag" or f.startswith("attribute."):
        return [v.strip() for v in raw.split(",") if v.strip()] if op == "in" else raw
    if op == "between":
        m = _BETWEEN.match(raw)
        if m is None:
            raise forms.FormError(name, "must be two values, like 1 and 2")
        return [_number(f, m.group(1), name, currency), _number(f, m.group(2), name, currency)]
    return _number(f, raw, name, currency)


def _where_value(op: str, raw: str, name: str) -> Any:
    """A property row's value: true/false for `exists`, a number to compare, a list for
    `in`, else a number, true/false or text as typed (`"10"`, quoted, is text)."""
    if op == "exists":
        if raw.lower() not in _TRUE + _FALSE:
            raise forms.FormError(name, "must be true or false")
        return raw.lower() in _TRUE
    if not raw:
        raise forms.FormError(name, "is required")
    if op in ("gt", "gte", "lt", "lte"):
        if not _NUMBER.match(raw):
            raise forms.FormError(name, "must be a number, like 50 or 9.5")
        return _json_value(raw)
    if op == "in":
        return [_json_value(v.strip()) for v in raw.split(",") if v.strip()]
    return _json_value(raw)


def _json_value(raw: str) -> Any:
    if _NUMBER.match(raw):
        return float(raw) if "." in raw else int(raw)
    if raw in ("true", "false"):
        return raw == "true"
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1]
    return raw


def _where_shown(value: Any) -> str:
    """A `where` value as a row shows it: text that would read as a number or true/false, quoted."""
    if isinstance(value, list):
        return ", ".join(_where_shown(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and _json_value(value) != value:
        return f'"{value}"'
    return str(value)


def _where_rows(where: Mapping[str, Any]) -> list[dict[str, str]]:
    rows = []
    for name, test in where.items():
        for op, value in test.items() if isinstance(test, Mapping) else [("eq", test)]:
            rows.append({"property": name, "op": op, "value": _where_shown(value)})
    return rows


def _number(f: str, raw: str, name: str, currency: str) -> int | None:
    if f in MONEY_FIELDS:
        return forms.money({name: raw}, name, currency)
    return forms.whole({name: raw}, name)


# -- a definition to the form -----------------------------------------------------------------


def saved(definition: Mapping[str, Any], currency: str) -> forms.Form:
    """The builder's form showing a saved definition (`Automation.as_dict()`)."""
    trigger = definition["trigger"]
    values: dict[str, Any] = {k: _shown(definition.get(k)) for k in ("key", "name", "active_from")}
    values["send_at_local_hour"] = _shown(definition.get("send_at_local_hour"))
    values["active"] = bool(definition.get("active"))
    for name in TRIGGER_FIELDS:
        values[f"trigger_{name}"] = _shown(trigger.get(name))
    values["trigger_yearly"] = bool(trigger.get("yearly"))
    values["where-rows"] = _where_rows(trigger.get("where") or {})
    form = forms.Form(values)
    _rows(form, "audience", definition.get("audience"), currency)
    numbers = []
    for b, branch in enumerate(definition["branches"]):
        numbers.append(b)
        values[f"b{b}-name"] = branch.get("name", "")
        _rows(form, f"b{b}-cond", branch.get("when"), currency)
    values["branch_numbers"] = numbers
    return form


def branch_slots(definition: Mapping[str, Any] | None, currency: str) -> dict[str, list[dict[str, str]]]:
    """Each action editor's slots (by prefix) as a saved definition fills them."""
    out: dict[str, list[dict[str, str]]] = {}
    for b, branch in enumerate((definition or {}).get("branches", [])):
        actions = branch.get("actions", [])
        plain = [{k: v for k, v in a.items() if k != "on_failure"} for a in actions]
        failures: list[dict[str, Any]] = next((a["on_failure"] for a in actions if a.get("on_failure")), [])
        out[f"b{b}-action"] = forms.action_slots(plain, currency, extra=1)
        out[f"b{b}-fail"] = forms.action_slots(failures, currency, extra=1)
    return out


def posted_slots(data: Mapping[str, Any], numbers: list[int]) -> dict[str, list[dict[str, str]]]:
    """Each action editor's slots as the browser posted them, to show a refused form again."""
    out = {}
    for b in numbers:
        out[f"b{b}-action"] = forms.slots_from_form(data, f"b{b}-action", least=1)
        out[f"b{b}-fail"] = forms.slots_from_form(data, f"b{b}-fail", least=1)
    return out


def _rows(form: forms.Form, prefix: str, condition: Mapping[str, Any] | None, currency: str) -> None:
    """A saved condition as rows; one the rows cannot show (nested groups, `not`) says so on top."""
    group = "any" if condition and "any" in condition else "all"
    items = [] if condition is None else condition.get(group, [condition] if "field" in condition else None)
    if items is None or any("field" not in c for c in items):
        form.errors[""] = "A condition has nested groups this form cannot show: saving here replaces it."
        items = []
    form.values[f"{prefix}-match"] = group
    form.values[f"{prefix}-rows"] = [
        {"field": c["field"], "op": c["op"], "value": typed_value(c["field"], c["op"], c.get("value"), currency)}
        for c in items
    ]


def typed_value(f: str, op: str, value: Any, currency: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        shown = [typed_value(f, "=", v, currency) for v in value]
        return " and ".join(shown) if op == "between" else ", ".join(shown)
    if f in MONEY_FIELDS and isinstance(value, int):
        return units(value, currency)
    return str(value)


def _shown(value: Any) -> str:
    return "" if value is None else str(value)
