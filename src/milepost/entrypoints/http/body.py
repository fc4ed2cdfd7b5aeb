"""Request bodies: size limits, gzip, JSON. Every failure is a problem, never a crash."""

from __future__ import annotations

import zlib
from typing import Any

import orjson
from starlette.requests import Request

from milepost.entrypoints.http.problems import ApiProblem


async def read_json(request: Request, max_bytes: int, max_inflated: int, max_document: int | None = None) -> Any:
    """The JSON document of the body (`read_body`); `max_document` bounds the JSON text
    itself, gzip or not (Segment's 500 KB per batch)."""
    raw = await read_body(request, max_bytes, max_inflated, max_document, "the JSON document")
    if not raw.strip():
        raise ApiProblem(400, "the request body is empty; send a JSON document", slug="invalid-json")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiProblem(400, f"the body is not valid JSON: {exc}", slug="invalid-json") from None


async def read_body(
    request: Request, max_bytes: int, max_inflated: int, max_document: int | None = None, what: str = "the body"
) -> bytes:
    """The body's bytes: at most `max_bytes` on the wire and, when it is gzip-encoded, at
    most `max_inflated` once decompressed (so a small bomb is refused); at most
    `max_document` (`what`) once read.

    Read it only once the caller is authenticated: this reads and inflates the body."""
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
        raw = _gunzip(raw, max_inflated if max_document is None else min(max_inflated, max_document))
    elif encoding not in ("identity", ""):
        raise ApiProblem(415, f"Content-Encoding {encoding!r} is not supported; send gzip or nothing")
    if max_document is not None and len(raw) > max_document:
        raise _too_large(max_document, what)
    return raw


def _gunzip(raw: bytes, limit: int) -> bytes:
    """The inflated body, whole, every member of it (RFC 1952 allows several): a wrong
    checksum, a cut-off stream, a lone header or bytes after the last member are
    corrupt (400), never read as far as they go."""
    out = b""
    while True:
        inflater = zlib.decompressobj(wbits=31)
        try:
            out += inflater.decompress(raw, limit + 1 - len(out))
        except zlib.error:
            raise _corrupt("the body is not valid gzip (or its checksum is wrong)") from None
        if len(out) > limit or inflater.unconsumed_tail:
            raise _too_large(limit, "the decompressed body")
        if not inflater.eof:
            raise _corrupt("the gzip body is cut off: its stream or checksum is missing")
        raw = inflater.unused_data
        if not raw:
            return out


def _corrupt(detail: str) -> ApiProblem:
    return ApiProblem(400, detail, slug="invalid-encoding")


def _too_large(limit: int, what: str = "the request body") -> ApiProblem:
    return ApiProblem(413, f"{what} is larger than {limit} bytes", slug="payload-too-large")
