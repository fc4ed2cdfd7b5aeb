"""The no-op reference for benchmarks/http_ingest.py: FastAPI under uvicorn, no Milepost.

`POST /api/v1/events` reads the whole body and answers `{}`; `/healthz` and
`/readyz` answer like Milepost's. What this app sustains is the ceiling the
framework, the server and the client leave for any endpoint on this machine.
Run as `uvicorn noop_app:app --app-dir benchmarks/noop`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response

from milepost.runtime import tune_gc

app = FastAPI(title="no-op", docs_url=None, redoc_url=None, openapi_url=None)
EMPTY = b"{}"


@app.post("/api/v1/events", response_class=Response)
async def events(request: Request) -> Response:
    """Read the body, do nothing with it."""
    await request.body()
    return Response(EMPTY, media_type="application/json")


@app.get("/healthz", response_class=Response)
async def healthz() -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


@app.get("/readyz", response_class=Response)
async def readyz() -> Response:
    return Response(b'{"status":"ready"}', media_type="application/json")


tune_gc()  # as Milepost's server processes do
