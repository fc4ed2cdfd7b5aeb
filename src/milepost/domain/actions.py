"""What a milestone can do, described as data so forms and validation share it.

Each action type (domain/action_types.py) names its parameters; `validate_actions` checks a rule's
actions when it is saved, and `intents_for` turns them into intents when it
fires. Nothing here performs an effect.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from milepost.domain.action_types import ACTION_TYPES, MAX_DAYS, MAX_WAIT, ActionType, Param
from milepost.domain.codes import Discount, Pattern
from milepost.errors import ValidationError

__all__ = ["ACTION_TYPES", "MAX_DAYS", "Action", "ActionType", "Param", "validate_actions"]

SMS_MAX = 1600  # characters of one text message, as providers take it
MESSAGE_FIELDS = frozenset({"customer", "count", "milestone", "customer_id", "order_id"})
_SAMPLE_FIELDS = {"customer": "Ada", "count": 5, "milestone": "VIP", "customer_id": "c1", "order_id": "o1"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_WIDE = re.compile(r"\d{4,}")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{1,63}$")
_ATTRIBUTE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@dataclass(frozen=True, slots=True)
class Action:
    type: str
    params: tuple[tuple[str, Any], ...]
    kw: dict[str, Any] = field(init=False, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kw", dict(self.params))

    def param(self, name: str, default: Any = None) -> Any:
        return self.kw.get(name, default)

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, **dict(self.params)}


def validate_actions(
    raw: Any, store_currency: str, templates: set[str] | None = None, types: Mapping[str, ActionType] = ACTION_TYPES
) -> tuple[Action, ...]:
    """Check a list of action mappings and return them as `Action`s, or raise with every problem.
    `types`: the action types allowed (an automation's add record_event and internal_email)."""
    if not isinstance(raw, list | tuple) or not raw:
        raise ValidationError("a milestone needs at least one action", {"actions": "at least one action"})
    problems: dict[str, str] = {}
    actions = []
    for i, item in enumerate(raw):
        action = _validate_one(item, f"actions[{i}]", store_currency, templates, problems, types)
        if action is not None:
            actions.append(action)
    if problems:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
    return tuple(actions)


def _validate_one(
    item: Any,
    where: str,
    currency: str,
    templates: set[str] | None,
    problems: dict[str, str],
    types: Mapping[str, ActionType] = ACTION_TYPES,
) -> Action | None:
    if not isinstance(item, dict):
        problems[where] = "must be an object with a 'type'"
        return None
    kind = item.get("type")
    spec = types.get(kind) if isinstance(kind, str) else None
    if spec is None:
        problems[f"{where}.type"] = f"must be one of {', '.join(types)}"
        return None
    known = {p.name for p in spec.params}
    for extra in sorted(set(item) - known - {"type"}):
        problems[f"{where}.{extra}"] = f"is not a parameter of {spec.name}"
    params: list[tuple[str, Any]] = []
    for p in spec.params:
        value = item.get(p.name)
        if value is None:
            if p.required:
                problems[f"{where}.{p.name}"] = "is required"
            elif p.kind == "currency":
                params.append((p.name, currency))
            continue
        if p.kind in _STRUCTURED:
            try:
                params.append((p.name, _STRUCTURED[p.kind](value, currency)))
            except ValidationError as exc:
                # the parsers name the field: discount.percent, pattern, expires_in_days
                problems.update({f"{where}.{k or p.name}": v for k, v in _reasons(exc)})
            continue
        reason = _check(p.kind, value, templates)
        if reason:
            problems[f"{where}.{p.name}"] = reason
        else:
            value = value.strip() if isinstance(value, str) else value
            params.append((p.name, value.lower() if p.kind == "user" else value))
    if spec.name == "alert" and item.get("assignee") is not None and item.get("assignee_attribute") is not None:
        problems[f"{where}.assignee_attribute"] = "name an agent or an attribute, not both"
    if spec.name == "internal_email" and (item.get("to") is None) == (item.get("to_attribute") is None):
        problems[f"{where}.to"] = "name a user (to) or an attribute (to_attribute), one of them"
    if spec.name == "credit" and item.get("currency") not in (None, currency):
        problems[f"{where}.currency"] = f"must be the store's currency, {currency}"
    return Action(spec.name, tuple(params))


def _discount(value: Any, currency: str) -> dict[str, Any]:
    return Discount.parse(value, currency).as_dict()


def _pattern(value: Any, currency: str) -> str:
    return Pattern.parse(value).text


def _days(value: Any, currency: str) -> int:
    if value.__class__ is not int or not 1 <= value <= MAX_DAYS:
        raise ValidationError("", {"expires_in_days": f"must be a whole number of days from 1 to {MAX_DAYS}"})
    return int(value)


def _wait_days(value: Any, currency: str) -> int:
    if value.__class__ is not int or not 1 <= value <= MAX_WAIT:
        raise ValidationError("", {"days": f"must be a whole number of days from 1 to {MAX_WAIT}"})
    return int(value)


def _properties(value: Any, currency: str) -> dict[str, str]:
    ok = isinstance(value, dict) and len(value) <= 50
    if not ok or not all(isinstance(k, str) and k and isinstance(v, str) and len(v) <= 1000 for k, v in value.items()):
        raise ValidationError("", {"properties": "must be an object of name: template text (at most 50)"})
    return dict(value)


#: Parameter kinds checked and normalized by the domain's own parsers.
_STRUCTURED = {
    "discount": _discount,
    "pattern": _pattern,
    "days": _days,
    "wait_days": _wait_days,
    "properties": _properties,
}


def _reasons(exc: ValidationError) -> list[tuple[str, str]]:
    return list(exc.problems.items()) or [("", str(exc))]


def _check(kind: str, value: Any, templates: set[str] | None) -> str | None:
    if kind == "minor_units":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 10**12
        return None if ok else "must be a positive integer of minor units (cents)"
    if kind == "points":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 10**9
        return None if ok else "must be a positive integer of points, at most 1,000,000,000"
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    if "\x00" in value:
        return "must not contain NUL characters"
    if kind == "currency" and not _CURRENCY.match(value):
        return "must be an ISO 4217 code in capitals, like 'USD'"
    if kind == "template" and templates is not None and value not in templates:
        return f"no email template with the key {value!r}"
    if kind == "url" and not _is_http_url(value):
        return "must be an http(s) URL"
    if kind == "message":
        return _check_message(value)
    if kind == "user" and not _EMAIL.match(value.strip()):
        return "must be the email address of a user, like agent@shop.example"
    if kind == "attribute" and not _ATTRIBUTE.match(value.strip()):
        return "must be a customer attribute's name: letters, digits, _ . - (at most 100)"
    if kind == "sms" and len(value) > SMS_MAX:
        return f"must be at most {SMS_MAX} characters"
    if kind == "body" and len(value) > 10_000:
        return "must be at most 10,000 characters"
    if kind == "text" and len(value) > 100:
        return "must be at most 100 characters"
    return None


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. a malformed IPv6 host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_message(value: str) -> str | None:
    try:
        parsed = [(f, spec) for _, f, spec, _ in string.Formatter().parse(value) if f is not None]
    except ValueError as exc:
        return f"is not a valid message template: {exc}"
    if any("{" in (spec or "") or _WIDE.search(spec or "") for _, spec in parsed):
        return "is not a valid message template: nested fields or a width above 999 in a format spec"
    names = {f for f, _ in parsed}
    unknown = names - MESSAGE_FIELDS
    if unknown:
        known = ", ".join("{" + f + "}" for f in sorted(MESSAGE_FIELDS))
        return f"unknown placeholder {{{sorted(unknown)[0]}}}; use {known}"
    try:  # format specs like {customer:d} or nested fields fail only when filled in
        value.format_map(_SAMPLE_FIELDS)
    except (ValueError, KeyError, IndexError, AttributeError, TypeError) as exc:
        return f"is not a valid message template: {exc}"
    return None
