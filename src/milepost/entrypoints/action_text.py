"""Actions (and the CLI's tag conditions) in the operator's words, as the CLI and the admin pages show them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from milepost.domain.codes import Discount
from milepost.domain.rules import Rule
from milepost.formatting import LOCALE, money

#: What a credit or a code action did, as the log keeps it: `credited 500 USD`, `issued GIFT-7K2P: 500 USD off`.
_MONEY_DONE = re.compile(r"^(credited|code issued:|issued \S+:) (-?\d+) ([A-Z]{3})( off)?$")

#: The actions said as a word and one field, quoted: `+tag 'VIP'`, `email 'vip'`.
_NAMED = {
    "add_tag": ("+tag", "tag"),
    "remove_tag": ("-tag", "tag"),
    "send_email": ("email", "template"),
    "trigger_workflow": ("workflow", "workflow"),
    "pool_code": ("code from pool", "pool"),
    "record_event": ("record event", "event"),
}


def action_text(action: Any, currency: str, locale: str = LOCALE) -> str:
    """One action in the operator's words: `email 'vip'`, `credit $10.00`, `+tag 'VIP'`; money
    as the store's `locale` writes it."""
    a = action.as_dict() if hasattr(action, "as_dict") else dict(action)
    kind = a.get("type")
    if kind in _NAMED:
        word, field = _NAMED[kind]
        return f"{word} {a[field]!r}"
    if kind == "credit":
        return f"credit {money(a['amount'], a.get('currency') or currency, locale)}"
    if kind == "points":
        return f"{a['points']:,} points"
    if kind == "alert":
        return f"alert {a['message']!r}" if a.get("message") else "alert"
    if kind == "internal_email":
        return f"internal email to {a.get('to') or 'the user in ' + repr(a.get('to_attribute'))}"
    if kind == "webhook":
        return f"webhook {a['url']}"
    if kind == "code":
        discount = Discount.of(a["discount"])
        if discount.kind == "fixed_amount":
            return f"code {money(discount.amount or 0, discount.currency or currency, locale)} off"
        return f"code {discount.describe()}"
    return str(kind)


def actions_text(actions: Iterable[Any], currency: str, locale: str = LOCALE) -> str:
    return "; ".join(action_text(a, currency, locale) for a in actions)


def conditions_text(r: Rule) -> str:
    """The tag conditions of a program as the CLI lists them: `has 'vip', lacks 'churned'`, or everyone."""
    return ", ".join(f"{'has' if c.present else 'lacks'} {c.tag!r}" for c in r.conditions) or "everyone"


def outcome_detail(detail: str, locale: str = LOCALE) -> str:
    """What an action did, as the milestone log keeps it, with its money as people read it:
    `credited 500 USD` -> `credited $5.00`, `issued GIFT-7K2P: 500 USD off` -> `issued GIFT-7K2P:
    $5.00 off`; other details as they are."""
    found = _MONEY_DONE.match(detail)
    if found is None:
        return detail
    done, amount, currency, off = found.groups()
    return f"{done} {money(int(amount), currency, locale)}{off or ''}"
