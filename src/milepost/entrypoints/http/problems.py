"""Errors as RFC 9457 problem details (`application/problem+json`)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from milepost.errors import (
    Conflict,
    InsufficientBalance,
    MilepostError,
    NotFound,
    RetryableStorageError,
    StorageError,
    ValidationError,
)

PROBLEM_TYPE = "https://milepost.dev/problems/"
MEDIA_TYPE = "application/problem+json"

_STATUS = {
    ValidationError: 422,
    NotFound: 404,
    Conflict: 409,
    InsufficientBalance: 409,
    RetryableStorageError: 503,
    StorageError: 503,
}


class ApiProblem(Exception):
    """Raised by handlers for an answer other than success; becomes problem details."""

    def __init__(self, status: int, detail: str, *, slug: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.slug, self.extra = status, detail, slug, extra
        self.headers: dict[str, str] = extra.pop("headers", {})


def problem(
    status: int, detail: str, slug: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    phrase = HTTPStatus(status).phrase
    slug = slug or phrase.lower().replace(" ", "-").replace("'", "")
    body = {"type": PROBLEM_TYPE + slug, "title": phrase, "status": status, "detail": detail, **extra}
    return Response(orjson.dumps(body), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def problem_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object"}},
        },
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problems an operation may answer."""
    content = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {s: {"description": HTTPStatus(s).phrase, "content": content} for s in statuses}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def _api_problem(_: Request, exc: ApiProblem) -> Response:
        return problem(exc.status, exc.detail, exc.slug, exc.headers or None, **exc.extra)

    @app.exception_handler(MilepostError)
    async def _milepost_error(_: Request, exc: MilepostError) -> Response:
        status = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 400)
        extra: dict[str, Any] = {}
        if isinstance(exc, ValidationError) and exc.problems:
            extra["errors"] = [{"field": f, "reason": r} for f, r in exc.problems.items()]
        if status == 503:
            return problem(status, "the database is busy or unavailable; try again", headers={"Retry-After": "1"})
        slug = "invalid-request" if isinstance(exc, ValidationError) else None
        return problem(status, str(exc), slug, **extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> Response:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return problem(400, "the body is not valid JSON", "invalid-json")
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "reason": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field'] or 'body'}: {e['reason']}" for e in errors[:5])
        return problem(422, detail or "the request is not valid", "invalid-request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> Response:
        return problem(500, "an unexpected error occurred; it was logged")
