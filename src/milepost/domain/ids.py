"""Public ids: one spelling of each thing's id everywhere (CLI, HTTP API, admin, messages),
its kind's prefix and its number, like `oce_9`. Where an id is read, the bare number
(`9`) is accepted too, for scripts; another kind's prefix is refused, naming that kind.
"""

from __future__ import annotations

from typing import overload

#: each kind of id, and its prefix
PREFIXES = {
    "order_count_event": "oce",
    "program": "prg",
    "milestone": "mst",
    "alert": "alr",
    "ledger_entry": "led",
    "points_entry": "pts",
    "api_key": "key",
    "webhook_endpoint": "whe",
    "delivery": "dlv",
    "mailbox_message": "msg",
}
_KINDS = {prefix: kind for kind, prefix in PREFIXES.items()}
MAX_DIGITS = 18  # a BIGINT holds every number of 18 digits


class BadId(ValueError):
    """Text that is not an id of the kind expected; the message says why."""


def noun(kind: str) -> str:
    """The kind in words: `order count event`."""
    return "API key" if kind == "api_key" else kind.replace("_", " ")


@overload
def format_id(kind: str, number: int) -> str: ...
@overload
def format_id(kind: str, number: int | None) -> str | None: ...
def format_id(kind: str, number: int | None) -> str | None:
    """The public id of `kind`'s `number`: `format_id("delivery", 12)` is `dlv_12`."""
    return None if number is None else f"{PREFIXES[kind]}_{number}"


def rule_kind(rule_kind: str) -> str:
    """The kind of id of a rule: an order count event's, or a milestone program's."""
    return "order_count_event" if rule_kind == "order_count" else "program"


def parse_id(kind: str, text: str | int) -> int:
    """The number behind an id of `kind`, given as `oce_9` or `9`; BadId for anything
    else, naming the kind of a prefix that is another kind's."""
    value = str(text).strip()
    prefix, underscore, digits = value.rpartition("_")
    expected = PREFIXES[kind]
    if underscore and prefix != expected:
        other = _KINDS.get(prefix)
        if other is not None:
            raise BadId(f"{value} is {_a(noun(other))} id, not {_a(noun(kind))} id (like {expected}_9, or 9)")
        raise BadId(f"{value!r} is not {_a(noun(kind))} id (like {expected}_9, or 9)")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_DIGITS:
        raise BadId(f"{value!r} is not {_a(noun(kind))} id (like {expected}_9, or 9)")
    return int(digits)


def _a(words: str) -> str:
    return f"an {words}" if words[0] in "aeiouAEIOU" else f"a {words}"
