"""Why an automation fired nothing for a customer it reached, in words the run log shows.

- `no_branch`: in the audience, in no branch; the detail names, per branch, the
  conditions that did not hold, each with the customer's value ("orders_365d between
  [1, 2]: is 0").
- After a wait, the rest of the branch is stopped when the automation is off that day
  (`disabled`), the customer no longer matches its audience (`left_audience`, with the
  audience's conditions that failed), or the branch is no longer in it (`branch_gone`).

Nothing here fires: a miss is no firing, so the customer may qualify another day or start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from milepost.domain.automations import AllOf, AnyOf, Automation, Condition, Leaf, Not, Profile, holds
from milepost.domain.records import CustomerState

NO_BRANCH, LEFT_AUDIENCE, DISABLED, BRANCH_GONE = "no_branch", "left_audience", "disabled", "branch_gone"
#: Each reason in the operator's words.
REASONS = {
    NO_BRANCH: "no branch matched",
    LEFT_AUDIENCE: "left the audience",
    DISABLED: "automation disabled",
    BRANCH_GONE: "branch no longer in the automation",
}


@dataclass(frozen=True, slots=True)
class Miss:
    """A customer the run reached and fired nothing for, and why."""

    customer: CustomerState
    reason: str
    detail: dict[str, Any]


def no_branch(automation: Automation, profile: Profile) -> dict[str, Any]:
    """Per branch, the conditions the customer failed."""
    return {"branches": [{"name": b.name, "failed": failed(b.when, profile)} for b in automation.branches]}


def failed(condition: Condition | None, p: Profile) -> list[str]:
    """The leaves that make the condition false for the customer, each with their value;
    a condition that holds: none."""
    if condition is None or holds(condition, p):
        return []
    if isinstance(condition, AllOf | AnyOf):
        return [text for c in condition.items for text in failed(c, p)]
    if isinstance(condition, Not):
        return [f"not ({'; '.join(_said(leaf, p) for leaf in _leaves(condition.item))})"]
    return [_said(condition, p)]


def _leaves(c: Condition) -> list[Leaf]:
    if isinstance(c, Leaf):
        return [c]
    if isinstance(c, Not):
        return _leaves(c.item)
    return [leaf for i in c.items for leaf in _leaves(i)]


def _said(leaf: Leaf, p: Profile) -> str:
    value = "" if leaf.value is None else f" {list(leaf.value) if isinstance(leaf.value, tuple) else leaf.value}"
    return f"{leaf.field} {leaf.op}{value}: {_actual(leaf.field, p)}"


def _actual(f: str, p: Profile) -> str:
    if f == "email":
        return f"is {p.email!r}" if p.email else "is absent"
    if f in ("email_consent", "sms_consent"):
        return f"is {str(getattr(p, f)).lower()}"
    if f == "tag":
        return f"tags are {', '.join(sorted(p.tags))}" if p.tags else "has no tags"
    if f.startswith("attribute."):
        value = p.attributes.get(f[10:])
        return "is absent" if value in (None, "") else f"is {value!r}"
    number = p.aggregates.get(f[10:], 0) if f.startswith("aggregate.") else p.metrics.get(f, 0)
    return f"is {number}"
