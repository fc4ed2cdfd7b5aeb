"""A customer: profile, metrics, tags, credit, points, milestones reached and discount codes;
customers in a list; tags added by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, Field, model_validator

from milepost.domain.records import CustomerLine, CustomerReport, IssuedCode
from milepost.entrypoints.http.schemas.codes import CodeOut
from milepost.entrypoints.http.schemas.ledgers import Credit, LedgerEntry
from milepost.entrypoints.http.schemas.milestones import Milestone
from milepost.entrypoints.http.schemas.requests import Body, text
from milepost.entrypoints.http.schemas.responses import Timestamp, from_record
from milepost.entrypoints.http.wire import public_id
from milepost.service.ports.customers import EventLine


class CustomerCode(CodeOut):
    """A code as `GET .../codes` answers it, and the milestone that issued it."""

    milestone_id: str | None = Field(description="The milestone that issued it.")
    program_id: str | None = Field(description="The program of that milestone.")
    milestone: str | None = Field(description="Its program's name.")

    @classmethod
    def issued(cls, c: IssuedCode, now: datetime) -> CustomerCode:
        return cls(
            **CodeOut.of(c.code, now).model_dump(),
            milestone_id=public_id("milestone", c.firing_id),
            program_id=public_id("program", c.rule_id),
            milestone=c.rule_name,
        )


#: What a customer shows of its aggregates; the other fields are the report's own.
_FROM_AGGREGATES = ("first_order_at", "last_order_at", "review_count", "referral_count", "billing_cycles")


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
    codes: list[CustomerCode] = Field(description="Discount codes given, oldest first, with their status now.")
    created_at: Timestamp

    @classmethod
    def of(cls, c: CustomerReport, currency: str, now: datetime) -> Customer:
        """`c` as the API shows it, its codes' status as of `now`."""
        aggregates = {name: getattr(c.aggregates, name) for name in _FROM_AGGREGATES}
        return from_record(
            cls,
            c,
            id=c.external_id,
            currency=currency,
            **aggregates,
            tags=list(c.tags),
            credit=Credit(
                balance=c.balances.get(currency, 0),
                balances=c.balances,
                ledger=[LedgerEntry.of(e) for e in c.ledger],
            ),
            milestones=[Milestone.of(m) for m in c.milestones],
            codes=[CustomerCode.issued(code, now) for code in c.codes],
        )


class CustomerLineOut(BaseModel):
    """A customer as a list shows them."""

    id: str = Field(description="The store's own customer id.")
    name: str | None
    email: str | None
    order_count: int
    amount_spent: int = Field(description="Minor units of `currency`.")
    currency: str
    last_order_at: Timestamp | None

    @classmethod
    def line(cls, c: CustomerLine, currency: str) -> CustomerLineOut:
        return from_record(cls, c, id=c.external_id, currency=currency)


Tag = Annotated[str, text(100)]


class TagsIn(Body):
    """One tag, or several: `{"tag": "VIP"}` or `{"tags": ["VIP", "Wholesale"]}`."""

    tag: Tag | None = Field(None, description="A tag to add (1 to 100 characters, kept as typed, trimmed).")
    tags: list[Tag] | None = Field(None, max_length=100, description="Tags to add.")

    @model_validator(mode="after")
    def _some(self) -> TagsIn:
        if self.tag is None and not self.tags:
            raise ValueError("give a tag as `tag`, or tags as `tags`")
        return self

    def given(self) -> list[str]:
        return ([self.tag] if self.tag is not None else []) + (self.tags or [])


class TagsOut(BaseModel):
    """The customer's tags after the change, sorted."""

    tags: list[str]


class CustomerEvent(BaseModel):
    """One event of a customer's history, as Milepost received it."""

    id: str = Field(
        description="The event's id, as its source sent it (Milepost's own: derived from what it describes)."
    )
    source: str = Field(description="Where it came from (the id is unique per source); `milepost`: an internal event.")
    type: str
    occurred_at: Timestamp
    order_id: str | None
    payload: dict[str, Any] = Field(description='The event as received; an internal event\'s `{"type", "data"}`.')

    @classmethod
    def of(cls, e: EventLine) -> CustomerEvent:
        try:
            payload = orjson.loads(e.payload)
        except orjson.JSONDecodeError:
            payload = {}
        return cls(
            id=e.external_id,
            source=e.source,
            type=e.type,
            occurred_at=e.occurred_at,
            order_id=e.order_id,
            payload=payload if isinstance(payload, dict) else {},
        )
