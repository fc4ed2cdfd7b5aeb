"""What a crossed rule does for one customer: `fire` checks the rule's tag conditions
and turns each of its actions into an intent (what to apply) and an outcome (what the
log shows). Pure: the service's firing pipeline (service/pipeline.py) decides which
crossings may fire and applies the intents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from milepost.domain.codes import DEFAULT_PATTERN, Discount
from milepost.domain.construct import CustomerView, Firing, Intent
from milepost.domain.rules import Crossing, Rule
from milepost.errors import ValidationError


def fire(crossing: Crossing, customer: CustomerView, order_id: str | None = None) -> Firing | None:
    """The firing of a crossed rule for this customer, or None if its conditions fail."""
    rule = crossing.rule
    tags = customer.tags
    if rule.conditions and not all(c.holds(tags) for c in rule.conditions):
        return None
    intents, outcomes = [], []
    for position, action in enumerate(rule.actions):
        kind, p = action.type, action.kw
        if position < rule.resume_at:  # ran before the wait this firing resumes after
            continue
        if kind == "wait":  # the rest of the branch runs on a later day, as a firing of its own
            intents.append(Intent(position, kind, (("days", p["days"]),)))
            outcomes.append({**_outcome(position, kind, "waiting", f"waiting {p['days']} days"), "branch": rule.branch})
            break
        if kind == "add_tag" or kind == "remove_tag":
            intent, outcome, tags = _tag(position, kind, p["tag"], tags)
        else:
            intent, outcome = _plan(position, kind, p, rule, crossing.value, customer, order_id)
        if intent is not None:
            intents.append(intent)
        outcomes.append(outcome if rule.branch is None else {**outcome, "branch": rule.branch})
    return Firing(rule, crossing.value, crossing.occurrence, tuple(intents), tuple(outcomes), tags)


def fail_over(firing: Firing, position: int, pool: str, customer: CustomerView) -> Firing:
    """An automation's firing whose `pool_code` action at `position` got no code: the
    actions before it stand, the ones after it are skipped, and the action's `on_failure`
    list runs instead (numbered after the branch's actions). `customer` is as the firing
    saw it, with its tags before it."""
    rule = firing.rule
    head = fire(
        Crossing(replace(rule, actions=rule.actions[: position + 1]), firing.value, firing.occurrence), customer
    )
    assert head is not None  # an automation's rule has no tag conditions
    failures = dict(rule.on_failure).get(position, ())
    after_head = CustomerView(customer.customer_id, customer.name, customer.email, head.tags_after, customer.attributes)
    tail = fire(Crossing(replace(rule, actions=failures, on_failure=()), firing.value, firing.occurrence), after_head)
    assert tail is not None
    base, why = len(rule.actions), f"pool {pool} has no code left"
    skipped = tuple(
        {**_outcome(p, a.type, "skipped", why), **({"branch": rule.branch} if rule.branch else {})}
        for p, a in enumerate(rule.actions)
        if p > position
    )
    moved = tuple(Intent(base + i.position, i.type, i.data) for i in tail.intents)
    moved_outcomes = tuple({**o, "position": base + o["position"], "on_failure": True} for o in tail.outcomes)
    intents = head.intents + moved
    return Firing(
        rule, firing.value, firing.occurrence, intents, head.outcomes + skipped + moved_outcomes, tail.tags_after
    )


def waiting_until(firing: Firing, until: str) -> Firing:
    """The firing, its wait's outcome naming the day the rest of the branch runs."""
    outcomes = tuple(
        {**o, "detail": f"waiting until {until}"} if o["type"] == "wait" and o["status"] == "waiting" else o
        for o in firing.outcomes
    )
    return Firing(firing.rule, firing.value, firing.occurrence, firing.intents, outcomes, firing.tags_after)


def _tag(
    position: int, kind: str, tag: str, tags: frozenset[str]
) -> tuple[Intent | None, dict[str, Any], frozenset[str]]:
    if kind == "add_tag":
        if tag in tags:
            return None, _outcome(position, kind, "skipped", f"already tagged {tag!r}"), tags
        return (
            Intent(position, kind, (("tag", tag),)),
            _outcome(position, kind, "done", f"tagged {tag!r}"),
            tags | {tag},
        )
    if tag not in tags:
        return None, _outcome(position, kind, "skipped", f"had no tag {tag!r}"), tags
    return (
        Intent(position, kind, (("tag", tag),)),
        _outcome(position, kind, "done", f"removed tag {tag!r}"),
        tags - {tag},
    )


def _outcome(position: int, kind: str, status: str, detail: str) -> dict[str, Any]:
    return {"position": position, "type": kind, "status": status, "detail": detail}


def _plan(
    position: int, kind: str, p: Mapping[str, Any], rule: Rule, value: int, customer: CustomerView, order_id: str | None
) -> tuple[Intent | None, dict[str, Any]]:
    if kind == "credit":
        data: tuple[tuple[str, Any], ...] = (("amount", p["amount"]), ("currency", p["currency"]))
        return Intent(position, kind, data), _outcome(position, kind, "done", f"credited {p['amount']} {p['currency']}")
    if kind == "points":
        n = p["points"]
        return Intent(position, kind, (("points", n),)), _outcome(position, kind, "done", f"gave {n} points")
    if kind == "code":
        discount = Discount.of(p["discount"])
        data = (
            ("discount", p["discount"]),
            ("pattern", p.get("pattern", DEFAULT_PATTERN)),
            ("expires_in_days", p.get("expires_in_days")),
        )
        return Intent(position, kind, data), _outcome(position, kind, "done", f"code issued: {discount.describe()}")
    if kind == "pool_code":  # the code is taken from the pool when the firing is written
        detail = f"code from pool {p['pool']!r}"
        fallback = position in dict(rule.on_failure)  # its on_failure list, not the default alert, says it failed
        return Intent(position, kind, (("pool", p["pool"]), ("on_failure", fallback))), _outcome(
            position, kind, "done", detail
        )
    if kind == "record_event":
        data = (("event", p["event"]), ("properties", tuple(sorted((p.get("properties") or {}).items()))))
        return Intent(position, kind, data), _outcome(position, kind, "done", f"recorded event {p['event']!r}")
    if kind == "internal_email":
        to = p.get("to") or attribute_email(customer, p.get("to_attribute", ""))
        if to is None:
            why = f"the customer has no email in {p.get('to_attribute')!r}"
            return None, _outcome(position, kind, "skipped", why)
        data = (("to", to), ("subject", p["subject"]), ("body", p["body"]))
        return Intent(position, kind, data), _outcome(position, kind, "queued", f"internal email to {to} queued")
    if kind == "alert":
        text = alert_text(p.get("message"), customer, value, rule.name, order_id)
        assignee, detail = alert_assignee(p, customer)
        return Intent(position, kind, (("message", text), ("assignee", assignee))), _outcome(
            position, kind, "done", detail
        )
    if kind == "send_email":
        return Intent(position, kind, (("template", p["template"]),)), _outcome(
            position, kind, "queued", f"email {p['template']!r} queued"
        )
    if kind == "trigger_workflow":
        return Intent(position, kind, (("workflow", p["workflow"]),)), _outcome(
            position, kind, "done", f"workflow {p['workflow']!r} recorded"
        )
    if kind == "webhook":
        return Intent(position, kind, (("url", p["url"]),)), _outcome(position, kind, "queued", "webhook queued")
    if kind == "send_sms":
        return Intent(position, kind, (("text", p["text"]),)), _outcome(position, kind, "queued", "text message queued")
    raise ValidationError(f"unknown action type {kind!r}")


def alert_assignee(p: Mapping[str, Any], customer: CustomerView) -> tuple[str | None, str]:
    """Who must act on an alert (a user's email, or none: anyone), and the outcome's words.
    An account manager comes from the customer attribute the action names, at the firing."""
    if p.get("assignee"):
        return p["assignee"], f"alert created for {p['assignee']}"
    attribute = p.get("assignee_attribute")
    if not attribute:
        return None, "alert created"
    email = attribute_email(customer, attribute)
    if email is not None:
        return email, f"alert created for {email} ({attribute})"
    return None, f"alert created for anyone: the customer has no email in {attribute!r}"


def attribute_email(customer: CustomerView, attribute: str) -> str | None:
    """The email address a customer attribute holds (an account manager's), or None."""
    value = customer.attributes.get(attribute)
    if isinstance(value, str) and "@" in value.strip() and len(value.strip()) <= 254:
        return value.strip().lower()
    return None


def alert_text(template: str | None, customer: CustomerView, value: int, milestone: str, order_id: str | None) -> str:
    fields = {
        "customer": customer.display,
        "customer_id": customer.customer_id,
        "count": value,
        "milestone": milestone,
        "order_id": order_id or "",
    }
    if template:
        return template.format_map(fields)
    who = (
        customer.display if customer.display == customer.customer_id else f"{customer.display} ({customer.customer_id})"
    )
    return f"{who} reached {value} {'order' if value == 1 else 'orders'}: {milestone}"
