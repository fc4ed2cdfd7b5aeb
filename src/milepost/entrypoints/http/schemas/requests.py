"""What every request body of the admin API shares: what a store's admin may send.
Each resource's own bodies are in its module (`store.StorePatch`, `ledgers.SpendIn`, ...).

Unknown fields are refused (a typo is a 422 that names the field). Text is bounded
by what the database stores and never contains NUL characters. Deeper rules
(the store's currency, a template that exists, a valid message) are checked by
the service, which answers 422 problems with the field too.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from milepost.domain.action_types import MAX_WAIT
from milepost.domain.actions import ACTION_TYPES, MAX_DAYS, SMS_MAX, ActionType
from milepost.domain.codes import MAX_LENGTH as MAX_CODE
from milepost.domain.events import COUNTING_STATUSES

MAX_COUNT = 1_000_000_000
MAX_AMOUNT = 10**12  # minor units, as for credit actions
MAX_POINTS = 1_000_000_000  # points a points action gives
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"


def text(max_length: int, *, blank: bool = False) -> StringConstraints:
    """At most `max_length` characters without NUL; not only spaces unless `blank`: `Annotated[str, text(200)]`."""
    min_length = 0 if blank else 1
    pattern = NO_NUL if blank else NOT_BLANK
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern)


def keep(**constraints: Any) -> Any:
    """The default of a patch field: left out, it stays as it is (pydantic does not validate a default,
    and `Any` lets `name: Name = keep()` type-check)."""
    return Field(None, **constraints)


Name = Annotated[str, text(200)]
Tag = Annotated[str, text(100)]
Note = Annotated[str, text(2000, blank=True)]
Reason = Annotated[str, text(2000)]
OrderId = Annotated[str, text(200)]
Timezone = Annotated[str, text(64)]
Subject = Annotated[str, text(500)]
Content = Annotated[str, text(100_000)]
OptionalContent = Annotated[str, text(100_000, blank=True)]
CountingStatus = Literal[COUNTING_STATUSES]  # type: ignore[valid-type]
IdempotencyKey = Annotated[str, text(180)]  # the ledger keeps 200 characters, with a prefix of its own
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Count = Annotated[int, Field(ge=1, le=MAX_COUNT, description="The order count N that triggers the event.")]


def _discount(title: str, kind: str, **fields: dict[str, Any]) -> dict[str, Any]:
    """The schema of one kind of discount: its `kind` and its fields, the first one required."""
    return {
        "type": "object",
        "title": title,
        "required": ["kind", *list(fields)[:1]],
        "properties": {"kind": {"type": "string", "enum": [kind]}, **fields},
        "additionalProperties": False,
    }


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
            _discount(
                "Fixed amount off",
                "fixed_amount",
                amount={"type": "integer", "minimum": 1, "maximum": MAX_AMOUNT},
                currency={"type": "string", "pattern": "^[A-Z]{3}$", "description": "The store's"},
            ),
            _discount("Percentage off", "percentage", percent={"type": "integer", "minimum": 1, "maximum": 100}),
            _discount("Free shipping", "free_shipping"),
            _discount(
                "Free gift",
                "free_gift",
                product_id={"type": "string", "minLength": 1, "maxLength": 200, "pattern": NOT_BLANK},
            ),
        ]
    },
    "pattern": {"type": "string", "minLength": 8, "maxLength": MAX_CODE, "pattern": "^[A-Z0-9_-]+$"},
    "days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
    "body": {"type": "string", "minLength": 1, "maxLength": 10_000, "pattern": NOT_BLANK},
    "properties": {
        "type": "object",
        "maxProperties": 50,
        "additionalProperties": {"type": "string", "maxLength": 1000},
    },
    "wait_days": {"type": "integer", "minimum": 1, "maximum": MAX_WAIT},
}


def action_schema(spec: ActionType) -> dict[str, Any]:
    """The JSON schema of one action type: its `type` and its parameters."""
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
    "items": {"oneOf": [action_schema(spec) for spec in ACTION_TYPES.values()]},
}

#: Actions are checked by the service (it knows the store's currency and templates);
#: the schema documents each action type from `ACTION_TYPES`.
Actions = Annotated[list[dict[str, Any]], Field(min_length=1, max_length=50), WithJsonSchema(ACTIONS_SCHEMA)]


class Body(BaseModel):
    """A JSON body: unknown fields are refused and no type is coerced ("5" is not 5, "yes" not true)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Patch(Body):
    """A partial update: a field left out stays as it is; `null` is refused.

    Fields default to None, which pydantic does not validate: None means "left out".
    `null` removes the value of the fields named in `clearable`."""

    model_config = ConfigDict(json_schema_extra=lambda schema: _no_defaults(schema))
    clearable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.clearable:
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
