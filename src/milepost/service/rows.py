"""The rows a batch hands over to storage, shaped for the compiled build.

They are built per firing or per message, so each spells out its `__init__`: the
compiled build (setup.py) turns an explicit one into native code, while @dataclass's
own stays interpreted and, for a frozen class with nine fields, cost some 7,000
instructions, as much as deciding the firing itself. This is the service layer's
room for such constructors (domain/construct.py is the domain's, and
adapters/storage/rows.py builds the storage's tuples); tests/unit/test_construct.py
checks each `__init__` sets every field in field order. `milepost.service.ports`
exports them with the storage protocols."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True, init=False)
class FiringRow:
    id: int
    rule_id: int
    rule_version: int
    customer_id: int
    occurrence: int
    value: int
    order_id: str | None
    event_key: str
    actions: str  # JSON list of outcomes

    def __init__(
        self,
        id: int,
        rule_id: int,
        rule_version: int,
        customer_id: int,
        occurrence: int,
        value: int,
        order_id: str | None,
        event_key: str,
        actions: str,
    ) -> None:
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "rule_id", rule_id)
        object.__setattr__(self, "rule_version", rule_version)
        object.__setattr__(self, "customer_id", customer_id)
        object.__setattr__(self, "occurrence", occurrence)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "order_id", order_id)
        object.__setattr__(self, "event_key", event_key)
        object.__setattr__(self, "actions", actions)


#: The unit of a ledger row of points; any other unit is a currency code (ISO 4217).
POINTS_UNIT = "points"


@dataclass(frozen=True, slots=True, init=False)
class LedgerRow:
    """One entry of a ledger: store credit in a currency, or points. Storage writes it to
    its unit's table (credit_ledger or points_ledger)."""

    customer_id: int
    amount: int  # minor units of the currency, or points
    unit: str  # a currency code (store credit), or POINTS_UNIT
    reason: str
    idempotency_key: str
    firing_id: int | None
    order_id: str | None
    note: str | None
    actor: str | None

    def __init__(
        self,
        customer_id: int,
        amount: int,
        unit: str,
        reason: str,
        idempotency_key: str,
        firing_id: int | None = None,
        order_id: str | None = None,
        note: str | None = None,
        actor: str | None = None,
    ) -> None:
        object.__setattr__(self, "customer_id", customer_id)
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "idempotency_key", idempotency_key)
        object.__setattr__(self, "firing_id", firing_id)
        object.__setattr__(self, "order_id", order_id)
        object.__setattr__(self, "note", note)
        object.__setattr__(self, "actor", actor)

    @property
    def is_points(self) -> bool:
        return self.unit == POINTS_UNIT


@dataclass(frozen=True, slots=True, init=False)
class FiredMilestone:
    """A firing as its webhooks name it: the customer and the milestone."""

    firing_id: int
    customer_id: int
    customer_ext: str  # the store's own id of the customer
    email: str | None
    name: str | None
    rule_id: int
    rule_name: str
    rule_kind: str
    metric: str
    version: int
    value: int
    occurrence: int
    order_id: str | None

    def __init__(
        self,
        firing_id: int,
        customer_id: int,
        customer_ext: str,
        email: str | None,
        name: str | None,
        rule_id: int,
        rule_name: str,
        rule_kind: str,
        metric: str,
        version: int,
        value: int,
        occurrence: int,
        order_id: str | None,
    ) -> None:
        object.__setattr__(self, "firing_id", firing_id)
        object.__setattr__(self, "customer_id", customer_id)
        object.__setattr__(self, "customer_ext", customer_ext)
        object.__setattr__(self, "email", email)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "rule_id", rule_id)
        object.__setattr__(self, "rule_name", rule_name)
        object.__setattr__(self, "rule_kind", rule_kind)
        object.__setattr__(self, "metric", metric)
        object.__setattr__(self, "version", version)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "occurrence", occurrence)
        object.__setattr__(self, "order_id", order_id)


@dataclass(frozen=True, slots=True, init=False)
class OutboxRow:
    key: str
    channel: str
    customer_id: int | None
    firing_id: int | None
    payload: str  # JSON
    endpoint_id: int | None  # a webhook endpoint subscribed to an internal event
    available_at: datetime | None  # not sent before then (None: at once)

    def __init__(
        self,
        key: str,
        channel: str,
        customer_id: int | None,
        firing_id: int | None,
        payload: str,
        endpoint_id: int | None = None,
        available_at: datetime | None = None,
    ) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "channel", channel)
        object.__setattr__(self, "customer_id", customer_id)
        object.__setattr__(self, "firing_id", firing_id)
        object.__setattr__(self, "payload", payload)
        object.__setattr__(self, "endpoint_id", endpoint_id)
        object.__setattr__(self, "available_at", available_at)


@dataclass(frozen=True, slots=True, init=False)
class CodeRow:
    customer_id: int
    code: str
    discount: str  # JSON
    firing_id: int | None
    expires_at: datetime | None

    def __init__(
        self, customer_id: int, code: str, discount: str, firing_id: int | None, expires_at: datetime | None
    ) -> None:
        object.__setattr__(self, "customer_id", customer_id)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "discount", discount)
        object.__setattr__(self, "firing_id", firing_id)
        object.__setattr__(self, "expires_at", expires_at)
