"""A line of the milestone log, and what each of its actions did."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from milepost.domain import records
from milepost.entrypoints.http.schemas.responses import Timestamp, from_record
from milepost.entrypoints.http.wire import public_id


class ActionOutcome(BaseModel):
    """What one action of a firing did: `done` or `skipped`; an email, text or webhook as its
    delivery stands now: `pending`, `failing`, `sent`, `skipped` or `dead` (`queued` only if
    its delivery is no longer found)."""

    model_config = ConfigDict(extra="allow")

    position: int
    type: str
    status: str
    detail: str | None = None
    delivery_id: str | None = Field(default=None, description="The delivery of an email, text or webhook.")
    reason: str | None = Field(
        default=None, description="Why a message was not sent (skipped, dead, failing), e.g. no email consent."
    )

    @classmethod
    def of(cls, a: dict[str, Any]) -> ActionOutcome:
        return cls(**{**a, "delivery_id": public_id("delivery", a.get("delivery_id"))})


class Milestone(BaseModel):
    """One line of the milestone log: who reached which order count event, when, on which order."""

    id: str = Field(examples=["mst_3"])
    program_id: str = Field(description="The milestone program that fired (order count events are programs too).")
    order_count_event_id: str | None = Field(description="The order count event that fired; null for other programs.")
    occurrence: int = Field(description="1, or which mark of a repeating program (2 for its second, ...).")
    name: str = Field(description="The program's name when it fired.")
    version: int = Field(description="The program's version that fired.")
    customer_id: str
    value: int = Field(description="The customer's value of the program's metric when it fired.")
    order_id: str | None
    event_id: str = Field(description="The id of the event that took the customer to the count.")
    fired_at: Timestamp
    actions: list[ActionOutcome]

    @classmethod
    def of(cls, m: records.MilestoneReached) -> Milestone:
        return from_record(
            cls,
            m,
            id=public_id("milestone", m.id),
            program_id=public_id("program", m.rule_id),
            order_count_event_id=(public_id("order_count_event", m.rule_id) if m.rule_kind == "order_count" else None),
            name=m.rule_name,
            version=m.rule_version,
            event_id=m.event_key,
            actions=[ActionOutcome.of(a) for a in m.actions],
        )
