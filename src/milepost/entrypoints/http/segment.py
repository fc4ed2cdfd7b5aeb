"""Segment-compatible tracking: POST /v1/track, /v1/identify and /v1/batch.

Any Segment or RudderStack sender can point at Milepost unchanged: the write key is
a store's API key, `messageId` makes resending harmless, gzip bodies are welcome.
Answers are Segment's `{"success": true}` plus each message's outcome.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Security
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from milepost.entrypoints.http.auth import Principal, authenticate, basic_scheme, milepost, require_write_key
from milepost.entrypoints.http.body import read_json
from milepost.entrypoints.http.events import MAX_BATCH, RESULT_SCHEMA, outcome
from milepost.entrypoints.http.problems import ApiProblem, problem_responses
from milepost.entrypoints.http.segment_map import Translated, Unmapped, translate
from milepost.entrypoints.http.wire import json_response

#: Events from these endpoints are unique per store by `messageId` within this source.
SOURCE = "segment"
#: Segment's own limits, which its libraries keep to: a batch's JSON and one message's.
MAX_BATCH_BYTES = 500 * 1024
MAX_MESSAGE_BYTES = 32 * 1024
_BASIC = 'Basic realm="milepost"'

router = APIRouter(tags=["segment"])

MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["messageId", "userId"],
    "properties": {
        "type": {"type": "string", "enum": ["track", "identify", "page", "screen", "group", "alias"]},
        "messageId": {"type": "string", "description": "Idempotency key: the same messageId is stored once."},
        "userId": {"type": "string", "description": "The store's own customer id (anonymousId alone is refused)."},
        "anonymousId": {"type": "string"},
        "event": {"type": "string", "description": "track: what happened, like 'Order Completed'."},
        "properties": {"type": "object", "description": "track: order_id, total, currency, rating, ..."},
        "traits": {"type": "object", "description": "identify: email, name, consents, anything else."},
        "timestamp": {"type": "string", "format": "date-time"},
        "originalTimestamp": {"type": "string", "format": "date-time"},
        "sentAt": {"type": "string", "format": "date-time"},
        "context": {"type": "object"},
        "integrations": {"type": "object"},
        "writeKey": {"type": "string", "description": "The API key, when there is no Authorization header."},
    },
}
BATCH_SCHEMA = {
    "type": "object",
    "required": ["batch"],
    "properties": {
        "batch": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": MESSAGE_SCHEMA},
        "sentAt": {"type": "string", "format": "date-time"},
        "writeKey": {"type": "string"},
        "context": {"type": "object"},
    },
}
SEGMENT_RESULT_SCHEMA = {
    **RESULT_SCHEMA,
    "required": ["success", *RESULT_SCHEMA["required"]],
    "properties": {"success": {"type": "boolean", "enum": [True]}, **RESULT_SCHEMA["properties"]},
}


def _operation(summary: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary": summary,
        "openapi_extra": {"requestBody": {"required": True, "content": {"application/json": {"schema": body}}}},
        "responses": {
            200: {
                "description": "Segment's success, and each message's outcome (some may be rejected)",
                "content": {"application/json": {"schema": SEGMENT_RESULT_SCHEMA}},
            },
            **problem_responses(400, 401, 403, 409, 413, 415, 503),
        },
        "response_class": Response,
    }


def write_key_header(
    request: Request, _: Annotated[object, Security(basic_scheme, scopes=["ingest"])]
) -> Principal | None:
    """The caller named by the Authorization header; None without one (the body's writeKey may name it)."""
    if "authorization" not in request.headers:
        return None
    return require_write_key(request, None)


Caller = Annotated[Principal | None, Depends(write_key_header)]


@router.post("/v1/track", **_operation("Segment track: one event", MESSAGE_SCHEMA))
async def track(request: Request, caller: Caller) -> Response:
    return await _receive(request, caller, "track")


@router.post("/v1/identify", **_operation("Segment identify: a customer's traits", MESSAGE_SCHEMA))
async def identify(request: Request, caller: Caller) -> Response:
    return await _receive(request, caller, "identify")


@router.post("/v1/batch", **_operation("Segment batch: up to 1,000 track and identify messages", BATCH_SCHEMA))
async def batch(request: Request, caller: Caller) -> Response:
    return await _receive(request, caller, None)


async def _receive(request: Request, caller: Principal | None, kind: str | None) -> Response:
    """`kind` is the message type the path implies; None for a batch."""
    document = await _read(request, caller, MAX_MESSAGE_BYTES if kind else MAX_BATCH_BYTES)
    principal = caller or _body_key(request, document)
    messages = _messages(document, kind)
    if kind is None:
        _check_sizes(messages)
    translated = [translate(m, principal.store.currency, kind) for m in messages]
    events = [t.event for t in translated if isinstance(t, Translated)]
    results: list[dict[str, Any]] = []
    if events:
        result = await run_in_threadpool(milepost(request).ingest, principal.store.key, events, SOURCE)
        results = outcome(result)["results"]
    body = _report(messages, translated, results)
    if body["rejected"] == len(messages):
        raise _all_rejected(body["results"])
    if body["conflicts"] and body["conflicts"] + body["rejected"] == len(messages):
        raise _conflicts(body["results"])
    return json_response(body)


async def _read(request: Request, caller: Principal | None, limit: int) -> Any:
    """The body, at most `limit` bytes of JSON. A caller named by its Authorization header
    was authenticated before this (by `write_key_header`); one without a header names
    itself in the body, so only the server's size limits guard that read."""
    settings = request.app.state.settings
    try:
        return await read_json(request, settings.max_request_bytes, settings.max_inflated_bytes, limit)
    except ApiProblem as exc:
        if caller is None:  # say nothing about the body to a caller who has not said who it is
            authenticate(request, None, "ingest", _BASIC)
        raise _problem(exc.status, exc.detail, exc.slug or "invalid-request", headers=exc.headers) from None


def _body_key(request: Request, document: Any) -> Principal:
    """analytics-python also puts the write key in the body: accepted when no header names one."""
    secret = document.get("writeKey") if isinstance(document, dict) else None
    return authenticate(request, secret if isinstance(secret, str) else None, "ingest", _BASIC)


def _messages(document: Any, kind: str | None) -> list[Any]:
    if kind is not None:
        if not isinstance(document, dict):
            raise _invalid(f"the body must be a Segment {kind} message: a JSON object")
        return [document]
    if not isinstance(document, dict) or not isinstance(document.get("batch"), list):
        raise _invalid('the body must be {"batch": [...]}: an array of track and identify messages')
    messages: list[Any] = document["batch"]
    if not messages:
        raise _invalid("batch: the batch is empty")
    if len(messages) > MAX_BATCH:
        detail = f"a batch holds at most {MAX_BATCH} messages; this one has {len(messages)}"
        raise _problem(413, detail, "batch-too-large")
    return messages


def _check_sizes(messages: list[Any]) -> None:
    """Segment refuses a batch holding a message over 32 KB; so does Milepost, whole."""
    for index, message in enumerate(messages):
        size = len(orjson.dumps(message))
        if size > MAX_MESSAGE_BYTES:
            detail = f"batch[{index}]: a message holds at most {MAX_MESSAGE_BYTES} bytes of JSON; this one has {size}"
            raise _problem(413, detail, "payload-too-large")


def _report(
    messages: list[Any], translated: list[Translated | Unmapped], ingested: list[dict[str, Any]]
) -> dict[str, Any]:
    """Each message's outcome, in message order, with the message's own field names."""
    results, outcomes = [], iter(ingested)
    for index, (message, t) in enumerate(zip(messages, translated, strict=True)):
        key = message.get("messageId") if isinstance(message, dict) else None
        if isinstance(t, Unmapped):
            results.append(_rejected(index, key, t.field, t.reason))
            continue
        r = {**next(outcomes), "index": index}
        if "problem" in r:  # rejected, or a conflict
            field = t.fields.get(r["problem"]["field"], r["problem"]["field"])
            r = _rejected(index, r["id"], field, r["problem"]["reason"], r["status"])
        results.append(r)
    statuses = ("accepted", "duplicate", "conflict", "rejected")
    counts = {s: sum(1 for r in results if r["status"] == s) for s in statuses}
    return {
        "success": True,
        "accepted": counts["accepted"],
        "duplicates": counts["duplicate"],
        "conflicts": counts["conflict"],
        "rejected": counts["rejected"],
        "results": results,
    }


def _rejected(index: int, key: Any, field: str, reason: str, status: str = "rejected") -> dict[str, Any]:
    problem = {"field": field, "reason": reason, "detail": f"{field}: {reason}"}
    return {"index": index, "id": key if isinstance(key, str) else None, "status": status, "problem": problem}


def _all_rejected(results: list[dict[str, Any]]) -> ApiProblem:
    """400, so Segment senders do not retry input that will never be valid."""
    detail = results[0]["problem"]["detail"] if len(results) == 1 else "every message was rejected"
    return _invalid(detail, slug="invalid-messages", results=results)


def _conflicts(results: list[dict[str, Any]]) -> ApiProblem:
    """409 when nothing was stored and some messages reused an id with other content."""
    if len(results) == 1:
        detail = results[0]["problem"]["detail"]
    else:
        detail = "no message was accepted: some reuse a messageId sent before with other content"
    return _problem(409, detail, "event-conflict", results=results)


def _invalid(detail: str, slug: str = "invalid-request", **extra: Any) -> ApiProblem:
    return _problem(400, detail, slug, **extra)


def _problem(status: int, detail: str, slug: str, **extra: Any) -> ApiProblem:
    # `code` and `message` are what Segment's libraries log from an error answer
    return ApiProblem(status, detail, slug=slug, code=slug, message=detail, **extra)
