"""Actions in the operator's words, as the CLI and the admin pages show them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from milepost.domain.codes import Discount
from milepost.formatting import money


def action_text(action: Any, currency: str) -> str:
    """One action in the operator's words: `email 'vip'`, `credit $10.00`, `+tag 'VIP'`."""
    a = action.as_dict() if hasattr(action, "as_dict") else dict(action)
    kind = a.get("type")
    if kind == "add_tag":
        return f"+tag {a['tag']!r}"
    if kind == "remove_tag":
        return f"-tag {a['tag']!r}"
    if kind == "credit":
        return f"credit {money(a['amount'], a.get('currency') or currency)}"
    if kind == "points":
        return f"{a['points']:,} points"
    if kind == "alert":
        return f"alert {a['message']!r}" if a.get("message") else "alert"
    if kind == "send_email":
        return f"email {a['template']!r}"
    if kind == "trigger_workflow":
        return f"workflow {a['workflow']!r}"
    if kind == "webhook":
        return f"webhook {a['url']}"
    if kind == "code":
        discount = Discount.of(a["discount"])
        if discount.kind == "fixed_amount":
            return f"code {money(discount.amount or 0, discount.currency or currency)} off"
        return f"code {discount.describe()}"
    return str(kind)


def actions_text(actions: Iterable[Any], currency: str) -> str:
    return "; ".join(action_text(a, currency) for a in actions)
