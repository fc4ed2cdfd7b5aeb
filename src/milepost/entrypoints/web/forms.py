"""HTML forms to the Python API and back: what a browser posts becomes the same
values the HTTP API takes, and the model's problems come back as errors next to the
fields they name.

The action editor is built from the action types' own description
(`milepost.domain.actions.ACTION_TYPES`): each slot `i` posts `action-i-type` and one
field per parameter, `action-i-<param>`; a slot with no type is left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from milepost.domain.actions import ACTION_TYPES, ActionType
from milepost.errors import ValidationError
from milepost.formatting import parse_amount, units

#: How the action editor names each parameter (the API's descriptions speak of minor units).
PARAM_LABELS = {
    "tag": "Tag",
    "amount": "Credit amount",
    "points": "Points",
    "discount": "Discount",
    "pattern": "Code pattern (optional, like VIP-XXXX-XXXX)",
    "expires_in_days": "Code valid for, in days (optional)",
    "message": "Alert message (optional; may use {customer}, {count}, {milestone})",
    "assignee": "Assign to (optional: a user's email; they get an email and see it as theirs)",
    "assignee_attribute": "Or the customer's account manager, from the attribute (like account_manager)",
    "template": "Email template",
    "text": "Text message",
    "workflow": "Workflow",
    "url": "Webhook URL",
    "pool": "Coupon pool",
    "event": "Custom event name",
    "properties": "Properties, one a line: name: template (like coupon code: {{ code }})",
    "to": "To (a user's email)",
    "to_attribute": "Or the customer's account manager, from the attribute (like account_manager)",
    "subject": "Subject",
    "body": "Body",
}


def action_editor(
    slots: list[dict[str, str]],
    template_keys: list[str],
    email_reach: str,
    pool_keys: list[str] | None = None,
    types: Mapping[str, ActionType] = ACTION_TYPES,
) -> dict[str, Any]:
    """What a page with the action editor (actions.html) gives its template: the slots,
    the action types (a program's unless `types` says), their parameters and labels, the
    store's email templates and coupon pools, and whom an email would reach today, in words."""
    return {
        "slots": slots,
        "action_types": types,
        "action_params": action_params(types),
        "labels": PARAM_LABELS,
        "email_templates": template_keys,
        "email_reach": email_reach,
        "pools": pool_keys or [],
    }


def action_params(types: Mapping[str, ActionType] = ACTION_TYPES) -> dict[str, tuple[Any, list[str]]]:
    """Each parameter name of the action types once, with the types that take it (a
    slot shows one field per name: `tag` serves both add_tag and remove_tag)."""
    found: dict[str, tuple[Any, list[str]]] = {}
    for spec in types.values():
        for p in spec.params:
            if p.kind == "currency":
                continue  # always the store's
            found.setdefault(p.name, (p, []))[1].append(spec.name)
    return found


_PROBLEM_KEY = re.compile(r"^actions\[(\d+)\](?:\.(.+))?$")
MAX_SLOTS = 20


@dataclass
class Form:
    """The values a form shows and the errors by field (`""`: the form as a whole)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    def add(self, problems: Mapping[str, str], message: str = "") -> None:
        """The model's problems, each next to its field: `actions[1].amount` is the field
        `action-1-amount`; problems that name no field of the form go on top."""
        for key, reason in problems.items():
            m = _PROBLEM_KEY.match(key)
            if m:
                index, param = m.groups()
                name = f"action-{index}-{(param or 'type').split('.')[0]}"
                self.errors[name] = reason if param is None or "." not in param else f"{param}: {reason}"
            else:
                self.errors[key] = reason
        if not problems and message:
            self.errors[""] = message

    def add_error(self, error: ValidationError, fields: Collection[str]) -> None:
        """The model's problems that name one of `fields`, each next to it; the error's
        message on top when none does."""
        self.add({k: v for k, v in error.problems.items() if k in fields})
        if not any(k in fields for k in error.problems):
            self.errors[""] = str(error)


class FormError(ValueError):
    """A field that does not parse; `field` is its form name."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


def text(data: Mapping[str, Any], name: str) -> str:
    """The field's value, stripped; line breaks as `\n` (a browser posts a textarea's as `\r\n`)."""
    value = data.get(name, "")
    return value.strip().replace("\r\n", "\n") if isinstance(value, str) else ""


def whole(data: Mapping[str, Any], name: str, *, required: bool = True) -> int | None:
    raw = text(data, name)
    if not raw:
        if required:
            raise FormError(name, "is required")
        return None
    if not re.fullmatch(r"[+-]?\d{1,15}", raw.replace(",", "")):
        raise FormError(name, "must be a whole number")
    return int(raw.replace(",", ""))


def money(data: Mapping[str, Any], name: str, currency: str) -> int | None:
    """An amount typed in the currency's units (`10`, `10.50`, `1,000.00`), in minor units."""
    try:
        return parse_amount(text(data, name), currency)
    except ValueError as exc:
        raise FormError(name, str(exc)) from None


def checkbox(data: Mapping[str, Any], name: str) -> bool:
    return text(data, name) in ("on", "true", "1", "yes")


def actions_from(data: Mapping[str, Any], currency: str, form: Form) -> list[dict[str, Any]]:
    """The actions of the editor's slots, in order; fields that do not parse go to
    `form.errors` (the model checks the rest)."""
    actions, slots = slot_actions(data, currency, form)
    # the model numbers actions by their place in the list: keep slot numbers for errors
    form.values["_slots"] = slots
    return actions


def slot_actions(
    data: Mapping[str, Any],
    currency: str,
    form: Form,
    prefix: str = "action",
    types: Mapping[str, ActionType] = ACTION_TYPES,
) -> tuple[list[dict[str, Any]], list[int]]:
    """The actions of the editor whose fields are named `<prefix>-<slot>-<param>`, in
    order, and the slot each came from."""
    found = []
    for i in slot_numbers(data, prefix):
        kind = text(data, f"{prefix}-{i}-type")
        if not kind:
            continue
        spec = types.get(kind)
        action: dict[str, Any] = {"type": kind}
        if spec is None:
            form.errors[f"{prefix}-{i}-type"] = "choose an action"
            continue
        for p in spec.params:
            name = f"{prefix}-{i}-{p.name}"
            try:
                value = _param(data, name, p.kind, currency)
            except FormError as e:
                form.errors[e.field] = str(e)
                continue
            if value is not None:
                action[p.name] = value
        found.append((i, action))
    return [a for _, a in found], [i for i, _ in found]


def slot_numbers(data: Mapping[str, Any], prefix: str) -> list[int]:
    """The slots the editor at `prefix` posted a type for, in order (MAX_SLOTS in the page;
    more when a definition saved over the API has more actions)."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-type$")
    return sorted({int(m.group(1)) for k in data if (m := pattern.match(k))})


def renumber(problems: Mapping[str, str], slots: list[int]) -> dict[str, str]:
    """The model's `actions[k]` is the k-th filled slot: name the slot instead."""
    out = {}
    for key, reason in problems.items():
        m = _PROBLEM_KEY.match(key)
        if m and int(m.group(1)) < len(slots):
            rest = f".{m.group(2)}" if m.group(2) else ""
            key = f"actions[{slots[int(m.group(1))]}]{rest}"
        out[key] = reason
    return out


def action_slots(actions: list[dict[str, Any]], currency: str, extra: int = 2) -> list[dict[str, str]]:
    """What the editor shows in each slot: the actions' values as typed, then `extra` empty ones."""
    slots = []
    for a in actions:
        shown = {"type": a.get("type", "")}
        for key, value in a.items():
            if key == "type":
                continue
            if key == "amount" and a.get("type") == "credit" and isinstance(value, int):
                shown[key] = units(value, currency)
            elif key == "properties" and isinstance(value, dict):
                shown[key] = "\n".join(property_line(k, v) for k, v in value.items())
            elif key == "discount" and isinstance(value, dict):
                shown["discount_kind"] = value.get("kind", "")
                if "amount" in value:
                    shown["discount_amount"] = units(value["amount"], currency)
                if "percent" in value:
                    shown["discount_percent"] = str(value["percent"])
                if "product_id" in value:
                    shown["discount_product_id"] = value["product_id"]
            else:
                shown[key] = "" if value is None else str(value)
        slots.append(shown)
    return slots + [{"type": ""} for _ in range(extra)]


def slots_from_form(data: Mapping[str, Any], prefix: str = "action", least: int = 3) -> list[dict[str, str]]:
    """The slots as the browser posted them, to show a refused form again as it was."""
    slots = []
    for i in range(max([MAX_SLOTS - 1, *slot_numbers(data, prefix)]) + 1):
        start = f"{prefix}-{i}-"
        found = {k[len(start) :]: text(data, k) for k in data if k.startswith(start)}
        if found or i < least:
            slots.append({"type": "", **found})
    while slots and len(slots) > least and not any(slots[-1].values()):
        slots.pop()
    return [*slots, {"type": ""}]


def _param(data: Mapping[str, Any], name: str, kind: str, currency: str) -> Any:
    if kind == "currency":
        return None  # the store's
    if kind == "minor_units":
        return money(data, name, currency)
    if kind in ("points", "days", "wait_days"):
        return whole(data, name, required=False)
    if kind == "discount":
        return discount(data, name, currency)
    if kind == "properties":
        return properties(data, name)
    value = text(data, name)
    return value or None


def discount(data: Mapping[str, Any], name: str, currency: str) -> dict[str, Any] | None:
    """The discount of the fields `<name>_kind`, `_amount` (typed as people write money),
    `_percent` and `_product_id`, as the model takes it; no kind chosen: None."""
    kind = text(data, f"{name}_kind")
    if not kind:
        return None
    found: dict[str, Any] = {"kind": kind}
    if kind == "fixed_amount":
        found["amount"] = money(data, f"{name}_amount", currency)
    elif kind == "percentage":
        found["percent"] = whole(data, f"{name}_percent", required=False)
    elif kind == "free_gift":
        found["product_id"] = text(data, f"{name}_product_id") or None
    return {k: v for k, v in found.items() if v is not None}


def properties(data: Mapping[str, Any], name: str) -> dict[str, str] | None:
    """`name: template` lines as the model's properties; none typed: None. A name or value
    in double quotes is read as JSON text (`"a: b": "  two\\nlines"`), as `property_line` writes
    one that a plain line cannot hold."""
    found = {k: _quoted(v, name) if v.startswith('"') else v for k, v in property_lines(data, name).items()}
    return found or None


def property_lines(data: Mapping[str, Any], name: str) -> dict[str, str]:
    """The `name: value` lines typed in the field `name`, each name read (in quotes: as JSON
    text), each value as typed, stripped."""
    found = {}
    for n, line in enumerate(text(data, name).splitlines(), 1):
        if not line.strip():
            continue
        line = line.strip()
        if line.startswith('"'):
            try:
                key, end = json.JSONDecoder().raw_decode(line)
            except ValueError:
                raise FormError(name, f"line {n}: a name in quotes must end with a quote") from None
            colon, value = line[end:].lstrip()[:1], line[end:].lstrip()[1:]
        else:
            key, colon, value = line.partition(":")
            key = key.strip()
        if not colon or not isinstance(key, str) or not key:
            raise FormError(name, f"line {n}: write it as name: value")
        found[key] = value.strip()
    return found


def property_line(key: str, value: str) -> str:
    """A property as `properties` reads it back: a name or value a plain line cannot hold, in quotes."""
    return f"{property_name(key)}: {_plain(value, '') or json.dumps(value)}"


def property_name(key: str, banned: str = ":") -> str:
    """A property's name as `property_lines` reads it back (with a colon, in quotes; and
    with surrounding spaces, a line break or a leading quote, as the builder's rows too)."""
    return _plain(key, banned) or json.dumps(key)


def _plain(typed: str, banned: str) -> str:
    ok = typed.isprintable() and typed == typed.strip() and not typed.startswith('"')
    return typed if ok and not (banned and banned in typed) else ""


def _quoted(value: str, name: str) -> str:
    try:
        found = json.loads(value)
    except ValueError:
        return value  # quotes a template means to keep
    return found if isinstance(found, str) else value


# -- tag conditions and times of day, as operators type them ------------------------------------

_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?")


def tag_conditions(typed: str) -> list[dict[str, Any]]:
    """`VIP, !churned` as the model's conditions: has VIP, lacks churned."""
    tags = (t.strip() for t in typed.split(","))
    return [{"tag": t.lstrip("!").strip(), "has": not t.startswith("!")} for t in tags if t.lstrip("!").strip()]


def conditions_value(conditions: Any) -> str:
    """A rule's tag conditions as the conditions field shows them (`VIP, !churned`)."""
    return ", ".join(("" if c.present else "!") + c.tag for c in conditions)


def local_time(data: Mapping[str, Any], name: str, timezone: str) -> datetime | None:
    """A `datetime-local` field (2026-06-01T09:00) read in the store's time zone, as an
    aware UTC time; empty: None."""
    raw = text(data, name)
    if not raw:
        return None
    if not _LOCAL_TIME.fullmatch(raw):
        raise FormError(name, "must be a date and time like 2026-06-01 09:00")
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise FormError(name, "is not a date and time that exists") from None


def local_time_value(value: datetime | None, timezone: str) -> str:
    """An aware time as a `datetime-local` field shows it: in the store's time zone, to the minute."""
    if value is None:
        return ""
    try:
        value = value.astimezone(ZoneInfo(timezone))
    except OverflowError:  # the first or last hours of the calendar: shown in UTC
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(timespec="minutes")
