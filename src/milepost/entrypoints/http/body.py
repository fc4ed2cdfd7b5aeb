"""Request bodies: size limits, gzip, JSON. Every failure is a problem, never a crash."""

from __future__ import annotations

import zlib
from typing import Any

import orjson
from starlette.requests import Request

from milepost.entrypoints.http.problems import ApiProblem


async def read_json(request: Request, max_bytes: int, max_inflated: int) -> Any:
    """The JSON document of the body: at most `max_bytes` on the wire and, when it is
    gzip-encoded, at most `max_inflated` once decompressed (so a small bomb is refused)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    raw = b"".join(chunks)
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding == "gzip":
        raw = _gunzip(raw, max_inflated)
    elif encoding not in ("identity", ""):
        raise ApiProblem(415, f"Content-Encoding {encoding!r} is not supported; send gzip or nothing")
    if not raw.strip():
        raise ApiProblem(400, "the request body is empty; send a JSON document", slug="invalid-json")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiProblem(400, f"the body is not valid JSON: {exc}", slug="invalid-json") from None


def _gunzip(raw: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error:
        raise ApiProblem(400, "the body is not valid gzip", slug="invalid-encoding") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise ApiProblem(413, f"the decompressed body is larger than {limit} bytes", slug="payload-too-large")
    return out


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(413, f"the request body is larger than {limit} bytes", slug="payload-too-large")
