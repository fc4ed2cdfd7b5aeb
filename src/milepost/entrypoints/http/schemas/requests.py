"""Request bodies of the admin API, as pydantic models: what a store's admin may send.

Unknown fields are refused (a typo is a 422 that names the field). Text is bounded
by what the database stores and never contains NUL characters. Deeper rules
(the store's currency, a template that exists, a valid message) are checked by
the service, which answers 422 problems with the field too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from milepost.domain.actions import ACTION_TYPES, MAX_DAYS, SMS_MAX, ActionType
from milepost.domain.codes import MAX_LENGTH as MAX_CODE
from milepost.domain.events import COUNTING_STATUSES
from milepost.service.stores import MAX_EXPIRE_DAYS, MAX_POINTS_PER_UNIT

MAX_COUNT = 1_000_000_000
MAX_AMOUNT = 10**12  # minor units, as for credit actions
MAX_POINTS = 1_000_000_000  # points a points action gives
MAX_POINTS_MOVED = 10**12  # points one spend or adjustment moves (balances can outgrow MAX_POINTS)
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"


def text(max_length: int, *, blank: bool = False) -> Any:
    """A string of at most `max_length` characters without NUL; not only spaces unless `blank`."""
    min_length = 0 if blank else 1
    pattern = NO_NUL if blank else NOT_BLANK
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern)]


Name = text(200)
Tag = text(100)
Note = text(2000, blank=True)
Reason = text(2000)
OrderId = text(200)
Timezone = text(64)
Subject = text(500)
Content = text(100_000)
OptionalContent = text(100_000, blank=True)
CountingStatus = Literal[COUNTING_STATUSES]  # type: ignore[valid-type]
IdempotencyKey = text(180)  # the ledger keeps 200 characters, with a prefix of its own
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Count = Annotated[int, Field(ge=1, le=MAX_COUNT, description="The order count N that triggers the event.")]

_PARAM_SCHEMAS: dict[str, dict[str, Any]] = {
    "text": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": NOT_BLANK},
    "minor_units": {"type": "integer", "minimum": 1, "maximum": MAX_AMOUNT},
    "points": {"type": "integer", "minimum": 1, "maximum": MAX_POINTS},
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "template": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": NOT_BLANK},
    "url": {"type": "string", "pattern": "^https?://[^/?#\\s\\x00]+"},
    "message": {"type": "string", "minLength": 1, "pattern": NOT_BLANK},
    "sms": {"type": "string", "minLength": 1, "maxLength": SMS_MAX, "pattern": NOT_BLANK},
    "user": {"type": "string", "maxLength": 320, "pattern": "^\\s*[^@\\s]{1,64}@[^@\\s]{1,189}\\.[^@\\s.]{1,63}\\s*$"},
    "attribute": {"type": "string", "pattern": "^\\s*[A-Za-z0-9_.-]{1,100}\\s*$"},
    "discount": {
        "oneOf": [
            {
                "type": "object",
                "title": "Fixed amount off",
                "required": ["kind", "amount"],
                "properties": {
                    "kind": {"type": "string", "enum": ["fixed_amount"]},
                    "amount": {"type": "integer", "minimum": 1, "maximum": MAX_AMOUNT},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "The store's"},
                },
                "additionalProperties": False,
            },
            {
                "type": "object",
                "title": "Percentage off",
                "required": ["kind", "percent"],
                "properties": {
                    "kind": {"type": "string", "enum": ["percentage"]},
                    "percent": {"type": "integer", "minimum": 1, "maximum": 100},
                },
                "additionalProperties": False,
            },
            {
                "type": "object",
                "title": "Free shipping",
                "required": ["kind"],
                "properties": {"kind": {"type": "string", "enum": ["free_shipping"]}},
                "additionalProperties": False,
            },
            {
                "type": "object",
                "title": "Free gift",
                "required": ["kind", "product_id"],
                "properties": {
                    "kind": {"type": "string", "enum": ["free_gift"]},
                    "product_id": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NOT_BLANK},
                },
                "additionalProperties": False,
            },
        ]
    },
    "pattern": {"type": "string", "minLength": 8, "maxLength": MAX_CODE, "pattern": "^[A-Z0-9_-]+$"},
    "days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
}


def _action_schema(spec: ActionType) -> dict[str, Any]:
    properties: dict[str, Any] = {"type": {"type": "string", "enum": [spec.name]}}
    for p in spec.params:
        properties[p.name] = {**_PARAM_SCHEMAS[p.kind], "description": p.description}
    required = ["type", *(p.name for p in spec.params if p.required)]
    return {
        "type": "object",
        "title": spec.label,
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }


ACTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": 50,
    "description": "What happens, in this order, when a customer reaches the count.",
    "items": {"oneOf": [_action_schema(spec) for spec in ACTION_TYPES.values()]},
}

#: Actions are checked by the service (it knows the store's currency and templates);
#: the schema documents each action type from `ACTION_TYPES`.
Actions = Annotated[list[dict[str, Any]], Field(min_length=1, max_length=50), WithJsonSchema(ACTIONS_SCHEMA)]


class Body(BaseModel):
    """A JSON body: unknown fields are refused and no type is coerced ("5" is not 5, "yes" not true)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Patch(Body):
    """A partial update: a field left out stays as it is; `null` is refused.

    Fields default to None, which pydantic does not validate: None means "left out"."""

    model_config = ConfigDict(json_schema_extra=lambda schema: _no_defaults(schema))

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


def _no_defaults(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


class Condition(Body):
    """Who gets the event: customers who have (or lack) a tag when they reach the count."""

    tag: Tag
    has: bool = True


class StorePatch(Patch):
    name: Name = Field(None)
    currency: Currency = Field(None, description="Only before the store has orders.")
    timezone: Timezone = Field(None, description="An IANA time zone, like Europe/Paris.")
    counting_status: CountingStatus = Field(
        None, description="The order status from which an order counts. Only before the store has orders."
    )
    allow_negative_credit: bool = Field(None)
    points_per_unit: int = Field(
        None,
        ge=0,
        le=MAX_POINTS_PER_UNIT,
        description="Points an order earns per whole unit of the currency of its net amount (1: 27.50 USD "
        "earns 27); 0: none. Orders already counted keep the rate they counted at.",
    )
    allow_negative_points: bool = Field(None)
    points_expire_days: int = Field(
        None,
        ge=0,
        le=MAX_EXPIRE_DAYS,
        description="Earned points expire this many days later, oldest first; 0: never. Points already earned "
        "get the whole period from the change.",
    )
    email_from_name: str = Field(None, max_length=200, description="The From name of the store's emails.")
    email_from_address: str = Field(None, max_length=320, description="The From address of the store's emails.")


class OrderCountEventIn(Body):
    name: Name
    count: Count
    actions: Actions
    conditions: list[Condition] = Field(default_factory=list, max_length=50)
    active: bool = True


class OrderCountEventPatch(Patch):
    name: Name = Field(None)
    count: Count = Field(None)
    actions: Actions = Field(None, description="Replaces every action.")
    conditions: list[Condition] = Field(None, max_length=50, description="Replaces every condition; [] for none.")
    active: bool = Field(None)


class TemplateIn(Body):
    subject: Subject
    body_text: Content
    body_html: OptionalContent | None = None
    name: Name | None = Field(None, description="A display name; default: the key.")


class PreviewIn(Body):
    customer_id: OrderId = Field(description="The store's own id of the customer.")


def _not_zero(value: int) -> int:
    if value == 0:
        raise ValueError("must not be zero")
    return value


# What the two ledgers' (credit and points) spends and adjustments take besides how much.
NonZero = Annotated[int, AfterValidator(_not_zero), Field(json_schema_extra={"not": {"const": 0}})]
SpendKey = Annotated[
    IdempotencyKey | None,
    Field(description="The same key never spends twice. Or send the Idempotency-Key header."),
]
AdjustKey = Annotated[
    IdempotencyKey | None,
    Field(description="The same key never adjusts twice. Or send the Idempotency-Key header."),
]
AdjustReason = Annotated[Reason, Field(description="Why, for the ledger.")]
Actor = Annotated[Name | None, Field(description="Who made the correction; default: the API key.")]


class SpendIn(Body):
    amount: int = Field(ge=1, le=MAX_AMOUNT, description="Credit used, in minor units (1000 = $10.00).")
    idempotency_key: SpendKey = None
    order_id: OrderId | None = Field(None, description="The order the credit was used on.")
    note: Note | None = None


class AdjustIn(Body):
    amount: NonZero = Field(
        ge=-MAX_AMOUNT, le=MAX_AMOUNT, description="Minor units; negative takes credit away; not zero."
    )
    idempotency_key: AdjustKey = None
    reason: AdjustReason
    actor: Actor = None


class PointsSpendIn(Body):
    points: int = Field(ge=1, le=MAX_POINTS_MOVED, description="Points redeemed.")
    idempotency_key: SpendKey = None
    order_id: OrderId | None = Field(None, description="The order the points were redeemed on.")
    note: Note | None = None


class PointsAdjustIn(Body):
    points: NonZero = Field(
        ge=-MAX_POINTS_MOVED, le=MAX_POINTS_MOVED, description="Negative takes points away; not zero."
    )
    idempotency_key: AdjustKey = None
    reason: AdjustReason
    actor: Actor = None


class AcknowledgeIn(Body):
    by: Name | None = Field(None, description="Who handled the alert; default: the API key.")
