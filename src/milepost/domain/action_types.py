"""The action types a milestone may use, with their parameters: the data that the forms,
the API's schema and the validation of a rule's actions (domain/actions.py) share."""

from __future__ import annotations

from dataclasses import dataclass

from milepost.domain.codes import DEFAULT_PATTERN


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: str  # text | minor_units | points | currency | template | url | message | sms | discount | pattern | days
    # | user (a user's email) | attribute (a customer attribute's name) | wait_days (an automation's wait)
    required: bool = True
    description: str = ""


@dataclass(frozen=True, slots=True)
class ActionType:
    name: str
    label: str
    params: tuple[Param, ...]
    external: bool = False  # True: delivered through the outbox


MAX_DAYS = 3650  # a code's life, at most ten years
MAX_WAIT = 365  # an automation's "wait N days", at most a year

ACTION_TYPES: dict[str, ActionType] = {
    a.name: a
    for a in (
        ActionType("add_tag", "Add tag", (Param("tag", "text", description="Tag to add"),)),
        ActionType("remove_tag", "Remove tag", (Param("tag", "text", description="Tag to remove"),)),
        ActionType(
            "credit",
            "Credit the account",
            (
                Param("amount", "minor_units", description="Store credit in minor units (cents)"),
                Param("currency", "currency", required=False, description="Defaults to the store's"),
            ),
        ),
        ActionType(
            "points",
            "Give points",
            (Param("points", "points", description="Points to add to the customer's points ledger"),),
        ),
        ActionType(
            "code",
            "Give a discount code",
            (
                Param(
                    "discount",
                    "discount",
                    description="What the code gives: {kind: fixed_amount, amount} (minor units), "
                    "{kind: percentage, percent}, {kind: free_shipping} or {kind: free_gift, product_id}",
                ),
                Param(
                    "pattern",
                    "pattern",
                    required=False,
                    description="Like VIP-XXXX-XXXX: X a random character, 9 a digit, A a letter; "
                    f"at least 8 random places. Default {DEFAULT_PATTERN}",
                ),
                Param(
                    "expires_in_days",
                    "days",
                    required=False,
                    description=f"Days the code is good for once issued (1 to {MAX_DAYS}); default: no expiry",
                ),
            ),
        ),
        ActionType(
            "pool_code",
            "Give a code from a pool",
            (Param("pool", "text", description="Key of the coupon pool the code is taken from"),),
        ),
        ActionType(
            "alert",
            "Admin alert",
            (
                Param(
                    "message",
                    "message",
                    required=False,
                    description="Text for the agent; may use {customer}, {count}, {milestone}",
                ),
                Param(
                    "assignee",
                    "user",
                    required=False,
                    description="Email of the user who must act: they get an internal email and see the alert "
                    "as theirs",
                ),
                Param(
                    "assignee_attribute",
                    "attribute",
                    required=False,
                    description="Or a customer attribute holding the email of the customer's account manager, "
                    "like account_manager",
                ),
            ),
        ),
        ActionType(
            "send_email",
            "Send email",
            (Param("template", "template", description="Email template key"),),
            external=True,
        ),
        ActionType(
            "send_sms",
            "Send text message",
            (
                Param(
                    "text",
                    "sms",
                    description="The message, a template like an email's body: {{ customer.name }}, "
                    "{{ milestone.name }}; at most 1600 characters",
                ),
            ),
            external=True,
        ),
        ActionType(
            "trigger_workflow",
            "Trigger workflow",
            (Param("workflow", "text", description="Name of the automation to start"),),
        ),
        ActionType(
            "webhook",
            "Webhook",
            (Param("url", "url", description="HTTPS endpoint that receives the milestone"),),
            external=True,
        ),
    )
}

#: What an automation's branches may do beyond a program's actions (domain/automations.py).
AUTOMATION_ACTION_TYPES: dict[str, ActionType] = {
    **ACTION_TYPES,
    **{
        a.name: a
        for a in (
            ActionType(
                "record_event",
                "Record a custom event",
                (
                    Param("event", "text", description="The custom event's name, like 'coupon assigned'"),
                    Param(
                        "properties",
                        "properties",
                        required=False,
                        description='Its properties: name -> a template, like {"coupon code": "{{ code }}"} '
                        "(code: the pool code taken earlier in the branch)",
                    ),
                ),
            ),
            ActionType(
                "wait",
                "Wait N days",
                (
                    Param(
                        "days",
                        "wait_days",
                        description=f"Days to wait (1 to {MAX_WAIT}): the rest of the branch runs on that "
                        "later day, through the daily run",
                    ),
                ),
            ),
            ActionType(
                "internal_email",
                "Internal email to an agent",
                (
                    Param("to", "user", required=False, description="Email of the user it goes to"),
                    Param(
                        "to_attribute",
                        "attribute",
                        required=False,
                        description="Or a customer attribute holding the agent's email, like account_manager",
                    ),
                    Param("subject", "text", description="Subject, a template like an email's"),
                    Param("body", "body", description="Body text, a template like an email's"),
                ),
            ),
        )
    },
}
