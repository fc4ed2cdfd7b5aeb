"""Records that cross the service boundary: what storage loads and what callers read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from milepost.domain.aggregates import Aggregates
from milepost.domain.codes import Code
from milepost.domain.events import STATUS_RANK
from milepost.domain.money import exponent


@dataclass(frozen=True, slots=True)
class Store:
    id: int
    key: str
    name: str
    currency: str
    timezone: str
    counting_status: str = "paid"
    allow_negative_credit: bool = False
    rules_version: int = 0  # bumped by every change to the store's rules or webhook endpoints
    email_from_name: str | None = None  # None: the settings' default
    email_from_address: str | None = None
    points_per_unit: int = 0  # points per whole unit of the currency of an order's net amount; 0: none
    allow_negative_points: bool = False
    points_expire_days: int | None = None  # earned points expire this many days later; None: never
    points_expire_since: datetime | None = None  # when that period was set: older points count from then
    points_expired_until: datetime | None = None  # the expiry sweep's mark (see scheduler/expiry.py)
    milestone_emails: str = "marketing"  # or "transactional": sent without marketing consent (domain/consent.py)
    reply_to_address: str | None = None  # the Reply-To of the store's emails; None: replies go to the sender
    logo_url: str | None = None  # an https URL of the store's logo, for its emails and pages
    locale: str = "en_US"  # a CLDR locale: how the store's money is written ($10.00, 10,00 €)

    @property
    def counting_rank(self) -> int:
        return STATUS_RANK[self.counting_status]

    @property
    def unit(self) -> int:
        """One whole unit of the store's currency, in minor units (100 cents)."""
        unit: int = 10 ** exponent(self.currency)
        return unit


_NO_AGGREGATES = Aggregates()  # immutable: one instance serves every new customer


@dataclass(slots=True, init=False)
class CustomerState:
    """A customer as a batch works on it: loaded once, changed in memory, written once.
    (Its __init__ is spelled out so that the compiled build builds it natively.)"""

    id: int
    external_id: str
    aggregates: Aggregates
    email: str | None
    name: str | None
    email_consent: bool
    sms_consent: bool
    attributes: dict[str, Any]
    profile_at: datetime | None
    phone: str | None
    is_new: bool
    changed: bool
    profile_changed: bool  # a customer event changed the profile, not only the counts

    def __init__(
        self,
        id: int,  # the field's name
        external_id: str,
        aggregates: Aggregates = _NO_AGGREGATES,
        email: str | None = None,
        name: str | None = None,
        email_consent: bool = False,
        sms_consent: bool = False,
        attributes: dict[str, Any] | None = None,
        profile_at: datetime | None = None,
        phone: str | None = None,
        is_new: bool = False,
        changed: bool = False,
        profile_changed: bool = False,
    ) -> None:
        self.id = id
        self.external_id = external_id
        self.aggregates = aggregates
        self.email = email
        self.name = name
        self.email_consent = email_consent
        self.sms_consent = sms_consent
        self.attributes = {} if attributes is None else attributes
        self.profile_at = profile_at
        self.phone = phone
        self.is_new = is_new
        self.changed = changed
        self.profile_changed = profile_changed


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: int
    customer_id: str
    amount: int
    currency: str
    reason: str
    created_at: datetime
    idempotency_key: str
    firing_id: int | None = None
    milestone: str | None = None
    order_id: str | None = None
    note: str | None = None
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class PointsEntry:
    """One movement of points: earned by an order (or taken back by its refund), given by
    a milestone, spent, or corrected by an operator."""

    id: int
    customer_id: str
    points: int
    reason: str  # earn | milestone | spend | adjustment
    created_at: datetime
    idempotency_key: str
    firing_id: int | None = None
    milestone: str | None = None
    order_id: str | None = None
    note: str | None = None
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class MilestoneReached:
    """One line of the milestone log: who reached what, when, on which order."""

    id: int
    rule_id: int
    rule_name: str
    rule_version: int
    customer_id: str
    value: int
    order_id: str | None
    event_key: str
    fired_at: datetime
    actions: tuple[dict[str, Any], ...]
    occurrence: int = 1  # a repeating program's 1st, 2nd, ... mark
    rule_kind: str = "order_count"  # an order count event, or another milestone program


@dataclass(frozen=True, slots=True)
class CustomerLine:
    """One customer in a list of them."""

    external_id: str
    name: str | None
    email: str | None
    order_count: int
    amount_spent: int
    last_order_at: datetime | None


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    customer_id: str | None
    message: str
    status: str
    created_at: datetime
    firing_id: int | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    assignee: str | None = None  # the email of the user who must act; None: anyone
    resolved_at: datetime | None = None
    resolved_by: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A discount code the customer holds, with the milestone that issued it (none for a
    code that no firing issued). Its status depends on the time it is asked at:
    `milepost.domain.codes.check(code, code.customer_id, now)`."""

    code: Code
    firing_id: int | None = None
    rule_id: int | None = None
    rule_name: str | None = None  # the program's name
    occurrence: int | None = None


@dataclass(frozen=True, slots=True)
class CustomerReport:
    """Everything the store operator sees of one customer."""

    external_id: str
    email: str | None
    name: str | None
    email_consent: bool
    sms_consent: bool
    attributes: dict[str, Any]
    aggregates: Aggregates
    tags: tuple[str, ...]
    balances: dict[str, int]
    ledger: tuple[LedgerEntry, ...]
    milestones: tuple[MilestoneReached, ...]
    created_at: datetime
    phone: str | None = None
    points_balance: int = 0  # the sum of the points ledger
    codes: tuple[IssuedCode, ...] = ()  # discount codes the customer holds, oldest first

    @property
    def order_count(self) -> int:
        return self.aggregates.order_count

    @property
    def points_earned(self) -> int:
        """Points earned by purchases over the customer's lifetime (refunds take theirs back)."""
        return self.aggregates.points_earned

    @property
    def amount_spent(self) -> int:
        return self.aggregates.amount_spent


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A store's API key as listed: never the secret, which is shown once at creation."""

    id: int
    store_id: int
    name: str
    scope: str  # ingest | admin
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
