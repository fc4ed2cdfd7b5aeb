"""Coupon pools: listed with what is left, created, filled from a JSON list or a CSV (all
or nothing, each code's expiry in a column `expires_at`) or by pattern, their unassigned
codes removed, deleted while none was assigned, and their low-stock threshold set."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from milepost.entrypoints.http.admin import AdminCaller, ReadCaller, problems
from milepost.entrypoints.http.body import read_body
from milepost.entrypoints.http.problems import ApiProblem
from milepost.entrypoints.http.schemas.pools import GenerateIn, PoolIn, PoolOut, RemovedOut, RemoveIn, ThresholdIn
from milepost.entrypoints.http.schemas.responses import Page

router = APIRouter(prefix="/api/v1/pools", tags=["pools"])

PoolKey = Annotated[str, Path(description="The pool's key, like `spring`.", max_length=64)]
_IMPORT_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object", "properties": {"codes": {"type": "array", "items": {"type": "string"}}}},
                ]
            }
        },
        "text/csv": {
            "schema": {
                "type": "string",
                "description": "The code in the first column; a header `code`, whose column `expires_at` "
                "(if any) gives each code's expiry: a date (through that day, store-local) or an ISO 8601 time.",
            }
        },
    },
}


@router.get(
    "", summary="The store's coupon pools, with their codes left", response_model=Page[PoolOut], responses=problems()
)
def list_pools(admin: ReadCaller) -> Page[PoolOut]:
    return Page[PoolOut](data=[PoolOut.of(p) for p in admin.mp.pools.list(admin.store)], next_cursor=None)


@router.post(
    "",
    summary="Create an empty coupon pool",
    status_code=201,
    response_model=PoolOut,
    responses=problems(409, body=True),
)
def create_pool(admin: AdminCaller, body: PoolIn) -> PoolOut:
    created = admin.mp.pools.create(
        admin.store, body.key, name=body.name, discount=body.discount, low_threshold=body.low_threshold
    )
    return PoolOut.of(created)


@router.get("/{key}", summary="One coupon pool", response_model=PoolOut, responses=problems(404))
def get_pool(admin: ReadCaller, key: PoolKey) -> PoolOut:
    return PoolOut.of(admin.mp.pools.get(admin.store, key))


@router.post(
    "/{key}/codes",
    summary="Import codes into a pool",
    description='A JSON array of codes (or `{"codes": [...]}`), or a CSV (`Content-Type: text/csv`) '
    "with the code in the first column "
    "(a header `code` on line 1 is skipped). All or nothing: a bad code, a duplicate or a code the store "
    "already holds refuses the whole import (422), each bad row named by its line in `errors`.",
    response_model=PoolOut,
    openapi_extra={"requestBody": _IMPORT_BODY},
    responses=problems(404, 413, 415, body=True),
)
async def import_codes(admin: AdminCaller, key: PoolKey, request: Request) -> PoolOut:
    await run_in_threadpool(admin.mp.pools.get, admin.store, key)  # 404 before the body is read
    settings = request.app.state.settings
    raw = await read_body(request, settings.max_request_bytes, settings.max_inflated_bytes)
    rows = _rows(request.headers.get("content-type", "application/json"), raw)
    return PoolOut.of(await run_in_threadpool(admin.mp.pools.import_codes, admin.store, key, rows))


def _rows(content_type: str, raw: bytes) -> list[Any]:
    media = content_type.split(";")[0].strip().lower()
    if media == "text/csv":
        try:
            return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ApiProblem(400, f"the body is not a UTF-8 CSV: {exc}", slug="invalid-csv") from None
    if media != "application/json":
        raise ApiProblem(415, f"Content-Type {media!r} is not supported; send application/json or text/csv")
    try:
        codes = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiProblem(400, f"the body is not valid JSON: {exc}", slug="invalid-json") from None
    if isinstance(codes, dict) and set(codes) == {"codes"}:
        codes = codes["codes"]
    if not isinstance(codes, list):
        detail = 'send a JSON array of codes, like ["SPR-0001"], or {"codes": [...]}'
        raise ApiProblem(422, detail, slug="invalid-request")
    return codes


@router.post(
    "/{key}/generate",
    summary="Generate codes into a pool by pattern",
    response_model=PoolOut,
    responses=problems(404, body=True),
)
def generate(admin: AdminCaller, key: PoolKey, body: GenerateIn) -> PoolOut:
    return PoolOut.of(admin.mp.pools.generate(admin.store, key, body.count, body.pattern, expires_at=body.expires_at))


@router.post(
    "/{key}/remove-codes",
    summary="Remove codes not assigned yet from a pool",
    description="The codes named (each must be in the pool and not assigned, or nothing is removed: 422 for "
    "one not in the pool, 409 for one assigned), or every code not assigned; with `expired`, only those past "
    "their expiry.",
    response_model=RemovedOut,
    responses=problems(404, 409, body=True),
)
def remove_codes(admin: AdminCaller, key: PoolKey, body: RemoveIn) -> RemovedOut:
    pool, removed = admin.mp.pools.remove_codes(admin.store, key, body.codes, expired=body.expired)
    return RemovedOut(removed=removed, pool=PoolOut.of(pool))


@router.delete(
    "/{key}",
    status_code=204,
    summary="Delete a coupon pool and its codes",
    description="Refused (409, with the reason) while any of its codes was assigned to a customer, or an "
    "order count event or program gives codes of it.",
    response_class=Response,
    responses=problems(404, 409),
)
def delete_pool(admin: AdminCaller, key: PoolKey) -> Response:
    admin.mp.pools.delete(admin.store, key)
    return Response(status_code=204)


@router.put(
    "/{key}/threshold",
    summary="Set the pool's low-stock threshold",
    description="An alert is raised once when fewer codes than `low_threshold` are left; null: never.",
    response_model=PoolOut,
    responses=problems(404, body=True),
)
def set_threshold(admin: AdminCaller, key: PoolKey, body: ThresholdIn) -> PoolOut:
    return PoolOut.of(admin.mp.pools.set_threshold(admin.store, key, body.low_threshold))
