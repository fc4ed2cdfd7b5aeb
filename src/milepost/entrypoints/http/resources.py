"""What the admin API answers: one shape per resource, the same wherever it appears.

Ids are stable strings with a prefix (`oce_12`, `mst_3`, `alr_5`, `led_9`, `pts_4`);
templates are named by their key and customers by the store's own id. Times are
ISO 8601 with an offset (UTC). Amounts are integers of minor units (cents).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from milepost.domain import records
from milepost.entrypoints.http.models import ACTIONS_SCHEMA, CountingStatus
from milepost.entrypoints.http.wire import public_id
from milepost.service.rules import RuleDetails

Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
T = TypeVar("T")
ActionList = Annotated[list[dict[str, Any]], WithJsonSchema(ACTIONS_SCHEMA)]


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` for the next one (null: the last page)."""

    data: list[T]
    next_cursor: str | None


class Store(BaseModel):
    key: str = Field(description="The store's key; it never changes.")
    name: str
    currency: str
    timezone: str
    counting_status: CountingStatus
    allow_negative_credit: bool
    points_per_unit: int = Field(description="Points an order earns per whole unit of the currency; 0: none.")
    allow_negative_points: bool
    email_from_name: str | None = Field(description="Null: the server's default (MILEPOST_EMAIL_FROM_NAME).")
    email_from_address: str | None = Field(description="Null: the server's default (MILEPOST_EMAIL_FROM_ADDRESS).")

    @classmethod
    def of(cls, s: records.Store) -> Store:
        return cls(
            key=s.key,
            name=s.name,
            currency=s.currency,
            timezone=s.timezone,
            counting_status=s.counting_status,
            allow_negative_credit=s.allow_negative_credit,
            points_per_unit=s.points_per_unit,
            allow_negative_points=s.allow_negative_points,
            email_from_name=s.email_from_name,
            email_from_address=s.email_from_address,
        )


class TagCondition(BaseModel):
    tag: str
    has: bool = Field(description="true: customers who have the tag; false: customers who lack it.")


class OrderCountEvent(BaseModel):
    id: str = Field(examples=["oce_12"])
    name: str
    count: int
    active: bool
    conditions: list[TagCondition]
    actions: ActionList
    version: int = Field(description="Goes up with every change; the milestone log names the version that fired.")
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, d: RuleDetails) -> OrderCountEvent:
        r = d.rule
        return cls(
            id=public_id("order_count_event", r.id),  # type: ignore[arg-type]
            name=r.name,
            count=r.threshold,
            active=r.active,
            conditions=[TagCondition(tag=c.tag, has=c.present) for c in r.conditions],
            actions=[a.as_dict() for a in r.actions],
            version=r.version,
            created_at=d.created_at,
            updated_at=d.updated_at,
        )


class OrderCountEventChange(OrderCountEvent):
    excluded: int = Field(
        description="Customers already at or past the count when this change armed the event: "
        "they never get it (events are not retroactive)."
    )

    @classmethod
    def of(cls, d: RuleDetails) -> OrderCountEventChange:
        return cls(**OrderCountEvent.of(d).model_dump(), excluded=d.excluded)


class Preview(BaseModel):
    """A template as one customer would get it."""

    subject: str
    text: str
    html: str | None


class Template(BaseModel):
    key: str
    name: str
    subject: str
    body_text: str
    body_html: str | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, row: dict[str, Any]) -> Template:
        return cls(**{name: row[name] for name in cls.model_fields})


class ActionOutcome(BaseModel):
    """What one action of a firing did (`done`, `skipped`, `queued`)."""

    model_config = ConfigDict(extra="allow")

    position: int
    type: str
    status: str
    detail: str | None = None


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
        return cls(
            id=public_id("milestone", m.id),  # type: ignore[arg-type]
            program_id=public_id("program", m.rule_id),  # type: ignore[arg-type]
            order_count_event_id=(
                public_id("order_count_event", m.rule_id) if m.rule_kind == "order_count" else None  # type: ignore[arg-type]
            ),
            occurrence=m.occurrence,
            name=m.rule_name,
            version=m.rule_version,
            customer_id=m.customer_id,
            value=m.value,
            order_id=m.order_id,
            event_id=m.event_key,
            fired_at=m.fired_at,
            actions=[ActionOutcome(**a) for a in m.actions],
        )


class LedgerEntry(BaseModel):
    """One movement of store credit: a milestone's credit, a spend or an operator's adjustment."""

    id: str = Field(examples=["led_9"])
    customer_id: str
    amount: int = Field(description="Minor units; negative when credit was used or taken away.")
    currency: str
    reason: str = Field(description="`milestone` (a credit action), `spend` or `adjustment`.")
    idempotency_key: str
    milestone_id: str | None = Field(description="The milestone that gave the credit.")
    milestone: str | None = Field(description="Its order count event's name.")
    order_id: str | None
    note: str | None
    actor: str | None
    created_at: Timestamp

    @classmethod
    def of(cls, e: records.LedgerEntry) -> LedgerEntry:
        prefix = f"{e.reason}:"  # spends and adjustments are keyed per kind
        key = e.idempotency_key
        return cls(
            id=public_id("ledger_entry", e.id),  # type: ignore[arg-type]
            customer_id=e.customer_id,
            amount=e.amount,
            currency=e.currency,
            reason=e.reason,
            idempotency_key=key.removeprefix(prefix) if e.reason != "milestone" else key,
            milestone_id=public_id("milestone", e.firing_id),
            milestone=e.milestone,
            order_id=e.order_id,
            note=e.note,
            actor=e.actor,
            created_at=e.created_at,
        )


class Credit(BaseModel):
    balance: int = Field(description="The balance in the store's currency.")
    balances: dict[str, int] = Field(description="Every currency the customer holds credit in.")
    ledger: list[LedgerEntry] = Field(description="Oldest first.")


class PointsEntry(BaseModel):
    """One movement of points: earned by an order (or taken back by its refund), given by a
    milestone, spent, or an operator's adjustment."""

    id: str = Field(examples=["pts_4"])
    customer_id: str
    points: int = Field(description="Negative when points were spent, taken back or taken away.")
    reason: str = Field(description="`earn` (an order), `milestone` (a points action), `spend` or `adjustment`.")
    idempotency_key: str
    milestone_id: str | None = Field(description="The milestone that gave the points.")
    milestone: str | None = Field(description="Its program's name.")
    order_id: str | None
    note: str | None
    actor: str | None
    created_at: Timestamp

    @classmethod
    def of(cls, e: records.PointsEntry) -> PointsEntry:
        key = e.idempotency_key
        if e.reason in ("spend", "adjustment"):  # keyed per kind, like credit
            key = key.removeprefix(f"{e.reason}:")
        return cls(
            id=public_id("points_entry", e.id),  # type: ignore[arg-type]
            customer_id=e.customer_id,
            points=e.points,
            reason=e.reason,
            idempotency_key=key,
            milestone_id=public_id("milestone", e.firing_id),
            milestone=e.milestone,
            order_id=e.order_id,
            note=e.note,
            actor=e.actor,
            created_at=e.created_at,
        )


class Points(BaseModel):
    balance: int = Field(description="The sum of the ledger.")
    ledger: list[PointsEntry] = Field(description="Oldest first.")

    @classmethod
    def of(cls, entries: list[records.PointsEntry]) -> Points:
        return cls(balance=sum(e.points for e in entries), ledger=[PointsEntry.of(e) for e in entries])


class Customer(BaseModel):
    id: str = Field(description="The store's own customer id.")
    email: str | None
    name: str | None
    phone: str | None = Field(description="E.164.")
    email_consent: bool
    sms_consent: bool
    attributes: dict[str, Any]
    order_count: int
    amount_spent: int
    currency: str
    first_order_at: Timestamp | None
    last_order_at: Timestamp | None
    review_count: int
    referral_count: int
    billing_cycles: int = Field(description="Subscription billing cycles paid.")
    tags: list[str]
    credit: Credit
    points_balance: int = Field(description="The sum of the points ledger (GET .../points).")
    points_earned: int = Field(
        description="Points purchases earned over the customer's lifetime: refunds take theirs back; "
        "spending, adjustments and points from milestones do not count."
    )
    milestones: list[Milestone] = Field(description="Milestones reached, oldest first.")
    created_at: Timestamp

    @classmethod
    def of(cls, c: records.CustomerReport, currency: str) -> Customer:
        return cls(
            id=c.external_id,
            email=c.email,
            name=c.name,
            phone=c.phone,
            email_consent=c.email_consent,
            sms_consent=c.sms_consent,
            attributes=c.attributes,
            order_count=c.order_count,
            amount_spent=c.amount_spent,
            currency=currency,
            first_order_at=c.aggregates.first_order_at,
            last_order_at=c.aggregates.last_order_at,
            review_count=c.aggregates.review_count,
            referral_count=c.aggregates.referral_count,
            billing_cycles=c.aggregates.billing_cycles,
            tags=list(c.tags),
            credit=Credit(
                balance=c.balances.get(currency, 0),
                balances=c.balances,
                ledger=[LedgerEntry.of(e) for e in c.ledger],
            ),
            points_balance=c.points_balance,
            points_earned=c.points_earned,
            milestones=[Milestone.of(m) for m in c.milestones],
            created_at=c.created_at,
        )


class Alert(BaseModel):
    id: str = Field(examples=["alr_5"])
    customer_id: str | None
    message: str
    status: str = Field(description="`open` or `acknowledged`.")
    milestone_id: str | None = Field(description="The milestone whose alert action created it.")
    created_at: Timestamp
    acknowledged_at: Timestamp | None
    acknowledged_by: str | None

    @classmethod
    def of(cls, a: records.Alert) -> Alert:
        return cls(
            id=public_id("alert", a.id),  # type: ignore[arg-type]
            customer_id=a.customer_id,
            message=a.message,
            status=a.status,
            milestone_id=public_id("milestone", a.firing_id),
            created_at=a.created_at,
            acknowledged_at=a.acknowledged_at,
            acknowledged_by=a.acknowledged_by,
        )
