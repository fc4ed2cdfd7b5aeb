"""Automations that ship as examples: in the HTTP API's OpenAPI document, the docs and
the tests. Plain data, a definition as `mp.automations.create` takes it."""

from __future__ import annotations

from typing import Any

POOL = "1year_anniversary_discount"

#: The first-purchase anniversary (issue 22's example): a code from a pool for one- and
#: two-time buyers, the account manager told when the pool is empty, thanks for the rest.
ANNIVERSARY: dict[str, Any] = {
    "key": "first_purchase_anniversary",
    "name": "First purchase anniversary",
    "trigger": {"type": "first_purchase", "days": 365},
    "audience": {"all": [{"field": "email", "op": "valid"}, {"field": "email_consent", "op": "is", "value": True}]},
    "branches": [
        {
            "name": "1-2 orders",
            "when": {"field": "aggregate.orders_365d", "op": "between", "value": [1, 2]},
            "actions": [
                {
                    "type": "pool_code",
                    "pool": POOL,
                    "on_failure": [
                        {
                            "type": "alert",
                            "message": "{customer} got no code: pool " + POOL + " is empty",
                            "assignee_attribute": "account_manager",
                        },
                        {
                            "type": "internal_email",
                            "to_attribute": "account_manager",
                            "subject": "No anniversary code for {{ customer.name }}",
                            "body": "Pool " + POOL + " is empty: {{ customer.id }} got nothing.",
                        },
                    ],
                },
                {
                    "type": "record_event",
                    "event": "coupon assigned",
                    "properties": {"promotion": POOL, "coupon code": "{{ code }}"},
                },
                {"type": "add_tag", "tag": "coupon_1year_anniversary"},
                {"type": "send_email", "template": "anniversary_gift"},
            ],
        },
        {
            "name": "3+ orders",
            "when": {"field": "aggregate.orders_365d", "op": ">=", "value": 3},
            "actions": [{"type": "send_email", "template": "anniversary_thanks"}],
        },
    ],
    "active_from": "2026-01-01",
    "send_at_local_hour": 9,
    "active": True,
}
