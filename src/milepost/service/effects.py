"""What a firing writes: the milestone record, ledger entries, alerts, outbox rows.

Keys are natural and stable, milestone:<rule>:<customer>:<occurrence>:<action>,
so a ledger entry or a message can never be written twice for one firing.
"""

from __future__ import annotations

import orjson

from milepost.domain.engine import Decided
from milepost.domain.events import OrderEvent
from milepost.domain.records import Store
from milepost.service.ports import BatchWrite, FiringRow, LedgerRow, OutboxRow


def effects_of(batch: BatchWrite, decided: list[Decided], firing_ids: list[int], store: Store) -> None:
    """Append every internal effect and outbox row of `decided` to `batch`.
    Tags are not written here: the caller writes each customer's net change."""
    for d, firing_id in zip(decided, firing_ids, strict=True):
        f, a = d.firing, d.applied
        customer = a.customer
        order_id = a.event.order_id if isinstance(a.event, OrderEvent) else None
        batch.firings.append(
            FiringRow(
                firing_id,
                f.rule.id,
                f.rule.version,
                customer.id,
                f.occurrence,
                f.value,
                order_id,
                a.event.key,
                orjson.dumps(f.outcomes).decode(),
            )
        )
        base_key = f"milestone:{f.rule.id}:{customer.id}:{f.occurrence}"
        context = {
            "store": store.key,
            "milestone": {
                "id": f.rule.id,
                "name": f.rule.name,
                "version": f.rule.version,
                "value": f.value,
                "firing_id": firing_id,
            },
            "customer": {"id": customer.external_id, "email": customer.email, "name": customer.name},
            "order_id": order_id,
        }
        for intent in f.intents:
            key = f"{base_key}:{intent.position}"
            kind = intent.type
            if kind == "credit":
                batch.ledger.append(
                    LedgerRow(
                        customer.id,
                        intent.get("amount"),
                        intent.get("currency"),
                        "milestone",
                        key,
                        firing_id,
                        order_id,
                        f.rule.name,
                    )
                )
            elif kind == "alert":
                batch.alerts.append((customer.id, firing_id, intent.get("message")))
            elif kind == "trigger_workflow":
                batch.workflow_runs.append((intent.get("workflow"), customer.id, firing_id))
            elif kind == "send_email":
                payload = {**context, "template": intent.get("template")}
                batch.outbox.append(OutboxRow(key, "email", customer.id, firing_id, orjson.dumps(payload).decode()))
            elif kind == "webhook":
                payload = {"url": intent.get("url"), "type": "milestone.reached", "data": context}
                batch.outbox.append(OutboxRow(key, "webhook", customer.id, firing_id, orjson.dumps(payload).decode()))
