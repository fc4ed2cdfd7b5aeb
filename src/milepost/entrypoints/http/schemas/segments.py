"""Segments: the definition (the JSON object `mp.segments` takes, documented here as JSON
schemas with "new customers who just made their first redemption" as its example), a
segment as stored, its members, and a preview.

The definition is not a pydantic model: the domain checks it (domain/segments.py) and
names each problem by its field path, `groups[0].filters[1].op`, the same path whether it
came over HTTP, from the CLI or from Python. These schemas document it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from milepost.domain.aggregates import METRICS
from milepost.domain.segments import (
    ATTRIBUTE_OPS,
    CONDITIONS,
    FIRST_REDEMPTION,
    MAX_DAYS,
    MAX_FILTERS,
    MAX_GROUPS,
    Member,
    Segment,
)
from milepost.entrypoints.http.schemas.responses import Timestamp

_REF = "#/components/schemas/"
_CONDITION = {"type": "string", "enum": list(CONDITIONS)}
_WHOLE = {"type": "integer", "minimum": 0}
_COMPARED = {"description": "A text, number or boolean; none for is_set, a text for contains."}


def _filter(kind: str, description: str, required: list[str], **properties: Any) -> dict[str, Any]:
    props = {"type": {"type": "string", "enum": [kind]}, **properties}
    out = {"type": "object", "title": kind, "description": description, "required": ["type", *required]}
    return out | {"properties": props, "additionalProperties": False}


FILTER_SCHEMA: dict[str, Any] = {
    "description": "One filter; a group's filters must all hold.",
    "oneOf": [
        _filter(
            "event",
            "The customer's events of this name (an event type, an internal event such as "
            "`redemption.succeeded`, or a custom event's name): `has_occurred` counts them (all time, or "
            "within the last `within_days` days), `last_occurred` is the whole days since the latest (a "
            "customer without one never matches). `where` keeps the events whose payload property compares.",
            ["event", "condition", "value"],
            event={"type": "string", "minLength": 1, "maxLength": 200},
            metric={"type": "string", "enum": ["has_occurred", "last_occurred"], "default": "has_occurred"},
            condition=_CONDITION,
            value=_WHOLE,
            within_days={"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
            where={
                "type": "array",
                "maxItems": 10,
                "items": {
                    "type": "object",
                    "required": ["property", "op"],
                    "properties": {
                        "property": {"type": "string", "examples": ["properties.value"]},
                        "op": {"type": "string", "enum": list(ATTRIBUTE_OPS)},
                        "value": _COMPARED,
                    },
                },
            },
        ),
        _filter(
            "tag",
            "Has or lacks the tag.",
            ["op", "tag"],
            op={"type": "string", "enum": ["has", "lacks"]},
            tag={"type": "string", "minLength": 1, "maxLength": 100},
        ),
        _filter(
            "attribute",
            "The customer's attribute compared: numbers with numbers, texts with texts (in order: a date "
            "as YYYY-MM-DD compares as a date), booleans with booleans. `!=` holds when it is not set.",
            ["attribute", "op"],
            attribute={"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,100}$"},
            op={"type": "string", "enum": list(ATTRIBUTE_OPS)},
            value=_COMPARED,
        ),
        _filter(
            "metric",
            "One of the customer's counts and totals (amount_spent in minor units).",
            ["metric", "condition", "value"],
            metric={"type": "string", "enum": list(METRICS)},
            condition=_CONDITION,
            value=_WHOLE,
        ),
        _filter(
            "aggregate",
            "One of the store's aggregates, as of today (the whole days before it).",
            ["aggregate", "condition", "value"],
            aggregate={"type": "string"},
            condition=_CONDITION,
            value=_WHOLE,
        ),
        _filter(
            "milestone",
            "Reached (or not) a program's milestone.",
            ["program"],
            program={"type": "string", "examples": ["prg_9"]},
            reached={"type": "boolean", "default": True},
        ),
        _filter(
            "segment",
            "A member (or not) of another segment; a segment may not lead back to itself.",
            ["segment"],
            segment={"type": "string"},
            member={"type": "boolean", "default": True},
        ),
    ],
}

_FILTERS = {"type": "array", "minItems": 1, "maxItems": MAX_FILTERS, "items": {"$ref": _REF + "SegmentFilter"}}
_GROUPS = {
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_GROUPS,
    "description": "Alternatives: a customer is in the segment when all the filters of one group hold.",
    "items": {"type": "object", "required": ["filters"], "properties": {"filters": _FILTERS}},
}

DEFINITION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "SegmentDefinition",
    "description": "A segment: `filters` (all must hold) or `groups` (one of them must). Refused on save "
    "(422) with each problem's field path: an unknown operator, a negative day count, an aggregate, program "
    "or segment the store lacks, a segment that leads back to itself.",
    "required": ["key", "name"],
    "properties": {
        "key": {"type": "string", "pattern": "^[a-z0-9_-]{1,64}$"},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "kind": {
            "type": "string",
            "enum": ["auto", "static"],
            "default": "auto",
            "description": "auto: its members follow its filters; static: the members when it was created.",
        },
        "filters": _FILTERS,
        "groups": _GROUPS,
    },
    "additionalProperties": False,
    "example": FIRST_REDEMPTION,
}

COMPONENTS = {"SegmentDefinition": DEFINITION_SCHEMA, "SegmentFilter": FILTER_SCHEMA}


def body(schema: dict[str, Any], example: dict[str, Any] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"schema": schema} | ({"example": example} if example else {})
    return {"required": True, "content": {"application/json": content}}


DEFINITION_BODY = body({"$ref": _REF + "SegmentDefinition"})
PREVIEW_BODY = body(
    {"type": "object", "description": "`filters` or `groups`, as in SegmentDefinition; nothing is saved."},
    {"filters": FIRST_REDEMPTION["filters"]},
)
PATCH_BODY = body(
    {"type": "object", "description": "`name`, and `filters` or `groups` (they replace the segment's)."},
    {"name": "First redemption, new customers"},
)


class SegmentOut(BaseModel):
    key: str = Field(examples=["first_redemption"])
    name: str
    kind: str = Field(description="`auto` (follows its filters) or `static` (the members when it was created).")
    groups: list[dict[str, Any]] = Field(description="Alternatives, each {filters: [...]} that must all hold.")
    time_based: bool = Field(description="Time alone can change its members (a filter counts days).")
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, s: Segment) -> SegmentOut:
        assert s.created_at is not None and s.updated_at is not None
        groups = s.definition()["groups"]
        return cls(
            key=s.key,
            name=s.name,
            kind=s.kind,
            groups=groups,
            time_based=s.changes_with_time,
            created_at=s.created_at,
            updated_at=s.updated_at,
        )


class SegmentWithSize(SegmentOut):
    size: int = Field(description="How many customers are in it now.")


class MemberOut(BaseModel):
    customer_id: str
    name: str | None
    email: str | None

    @classmethod
    def of(cls, m: Member) -> MemberOut:
        return cls(customer_id=m.external_id, name=m.name, email=m.email)


class PreviewOut(BaseModel):
    size: int = Field(description="How many customers the definition holds now.")
    members: list[MemberOut] = Field(description="The first of them, by customer id.")
