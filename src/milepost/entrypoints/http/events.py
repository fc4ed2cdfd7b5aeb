"""POST /api/v1/events: one event or a batch, each with its own outcome."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Security
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from milepost.domain.events import EVENT_TYPES
from milepost.entrypoints.http.auth import BEARER_CHALLENGE, admit, authenticate, bearer_scheme, bearer_secret, milepost
from milepost.entrypoints.http.body import read_json
from milepost.entrypoints.http.problems import ApiProblem, problem_responses
from milepost.entrypoints.http.wire import json_response, public_id
from milepost.service.results import ACCEPTED, CONFLICT, DUPLICATE, REJECTED, BatchResult, EventResult

MAX_BATCH = 1000

router = APIRouter(prefix="/api/v1", tags=["events"])

EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "type", "customer_id"],
    "properties": {
        "id": {"type": "string", "description": "Idempotency key: the same id is stored once."},
        "type": {"type": "string", "enum": list(EVENT_TYPES)},
        "customer_id": {"type": "string", "description": "The store's own customer id."},
        "order_id": {"type": "string", "description": "Required by order events."},
        "occurred_at": {"type": "string", "format": "date-time", "description": "Default: when it arrived."},
        "total": {
            "type": "integer",
            "minimum": 0,
            "description": "Order total in minor units; subscription.renewed: the amount of the billing cycle paid.",
        },
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "refund_amount": {"type": "integer", "minimum": 1, "description": "A partial refund; omit for a full one."},
        "email": {"type": ["string", "null"]},
        "name": {
            "type": ["string", "null"],
            "description": "Customer events: the customer's name. custom: the event's name (required).",
        },
        "phone": {"type": ["string", "null"], "description": "Customer events: E.164, like '+14155550123'."},
        "email_consent": {"type": "boolean"},
        "sms_consent": {"type": "boolean"},
        "attributes": {"type": "object"},
        "product_id": {"type": "string", "description": "review.created: the product reviewed."},
        "review_id": {
            "type": "string",
            "description": "review.created: the review's own id; a review counts once (default: the event's id).",
        },
        "referral_id": {
            "type": "string",
            "description": "referral.completed: the referral's own id; it counts once (default: the event's id).",
        },
        "referred_customer_id": {"type": "string", "description": "referral.completed: who was referred."},
        "invoice_id": {
            "type": "string",
            "description": "subscription.renewed: the paid invoice; a cycle counts once (default: the event's id).",
        },
        "subscription_id": {"type": "string", "description": "subscription.renewed: the subscription renewed."},
        "rating": {"type": "integer", "minimum": 1, "maximum": 5, "description": "review.created: 1 to 5 stars."},
        "properties": {"type": "object", "description": "custom: anything about the event, kept as given."},
    },
}
REQUEST_SCHEMA = {
    "oneOf": [
        {"$ref": "#/components/schemas/Event"},
        {
            "type": "object",
            "required": ["events"],
            "properties": {
                "events": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_BATCH,
                    "items": {"$ref": "#/components/schemas/Event"},
                }
            },
        },
    ]
}
RESULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["accepted", "duplicates", "conflicts", "rejected", "results"],
    "properties": {
        "accepted": {"type": "integer"},
        "duplicates": {"type": "integer"},
        "conflicts": {"type": "integer"},
        "rejected": {"type": "integer"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["index", "status"],
                "properties": {
                    "index": {"type": "integer"},
                    "id": {"type": ["string", "null"]},
                    "status": {"type": "string", "enum": ["accepted", "duplicate", "conflict", "rejected"]},
                    "problem": {"type": "object"},
                    "milestones": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
    },
}


@router.post(
    "/events",
    summary="Send one event or a batch of up to 1,000",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": REQUEST_SCHEMA}}},
    },
    responses={
        200: {
            "description": "Each event's outcome (some may be rejected)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IngestResult"}}},
        },
        **problem_responses(400, 401, 403, 409, 413, 415, 422, 503),
    },
    response_class=Response,
    dependencies=[Security(bearer_scheme, scopes=["ingest"])],  # documents it; the key is checked below
)
async def send_events(request: Request) -> Response:
    # `KeyBeforeBody` has refused a missing or unknown key before any body is read; a key
    # without the ingest scope is refused here, still before.
    secret = bearer_secret(request)
    admit(request, secret, "ingest")
    settings = request.app.state.settings
    document = await read_json(request, settings.max_request_bytes, settings.max_inflated_bytes)
    events = batch_of(document)
    # The key's check against the database and the batch share one trip to the thread
    # pool: a request of events is the hot path, and each trip costs more than the check.
    result = await run_in_threadpool(_ingest, request, secret, events)
    body = outcome(result)
    _refused(body)
    return json_response(body)


def _ingest(request: Request, secret: str, events: list[Any]) -> BatchResult:
    principal = authenticate(request, secret, "ingest", BEARER_CHALLENGE)
    return milepost(request).ingest(principal.store.key, events)


def _refused(body: dict[str, Any]) -> None:
    """Nothing accepted and nothing a duplicate: a 409 when some were conflicts (an id
    sent before with other content), else a 422 (all rejected)."""
    results = body["results"]
    if body["accepted"] or body["duplicates"] or not results:
        return
    if body["conflicts"]:
        many = f"no event was accepted: {body['conflicts']} reuse an id sent before with other content"
        detail = results[0]["problem"]["detail"] if len(results) == 1 else many
        raise ApiProblem(409, detail, slug="event-conflict", results=results)
    detail = results[0]["problem"]["detail"] if len(results) == 1 else "every event was rejected"
    raise ApiProblem(422, detail, slug="invalid-events", results=results)


def batch_of(document: Any) -> list[Any]:
    """The events of a request: a single event object, or {"events": [...]}."""
    if isinstance(document, dict) and "events" in document and "type" not in document:
        events = document["events"]
        if not isinstance(events, list):
            raise ApiProblem(422, "events: must be an array of event objects", slug="invalid-request")
        if not events:
            raise ApiProblem(422, "events: the batch is empty", slug="invalid-request")
        if len(events) > MAX_BATCH:
            raise ApiProblem(
                413, f"a batch holds at most {MAX_BATCH} events; this one has {len(events)}", slug="batch-too-large"
            )
        return events
    if isinstance(document, dict):
        return [document]
    raise ApiProblem(422, 'the body must be an event object or {"events": [...]}', slug="invalid-request")


def outcome(result: BatchResult) -> dict[str, Any]:
    results = [_result(r) for r in result.results]
    counts = {s: result.count(s) for s in (ACCEPTED, DUPLICATE, CONFLICT, REJECTED)}
    return {
        "accepted": counts[ACCEPTED],
        "duplicates": counts[DUPLICATE],
        "conflicts": counts[CONFLICT],
        "rejected": counts[REJECTED],
        "results": results,
    }


def _result(r: EventResult) -> dict[str, Any]:
    out: dict[str, Any] = {"index": r.index, "id": r.key, "status": r.status}
    if r.status in (REJECTED, CONFLICT):
        out["problem"] = {"field": r.field, "reason": r.reason, "detail": _reason(r)}
    elif r.milestones:
        out["milestones"] = [_milestone(m) for m in r.milestones]
    return out


def _milestone(m: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": public_id("milestone", m["firing_id"]),
        "program_id": public_id("program", m["rule_id"]),
        "order_count_event_id": public_id("order_count_event", m["rule_id"]) if m["kind"] == "order_count" else None,
        "occurrence": m["occurrence"],
        "name": m["name"],
        "value": m["value"],
        "customer_id": m["customer_id"],
        "order_id": m["order_id"],
    }


def _reason(r: EventResult) -> str:
    return f"{r.field}: {r.reason}"
