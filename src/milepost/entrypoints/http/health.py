"""Liveness and readiness, for load balancers and orchestrators (no key needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from milepost.entrypoints.http.problems import problem, problem_responses
from milepost.entrypoints.http.wire import json_response

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up", response_class=Response)
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get(
    "/readyz",
    summary="The process can serve: the database answers",
    response_class=Response,
    responses={200: {"description": "Ready"}, **problem_responses(503)},
)
async def readyz(request: Request) -> Response:
    try:
        await run_in_threadpool(request.app.state.mp.ping)
    except Exception as exc:  # any failure to reach the database means "not ready"
        return problem(503, f"the database does not answer: {type(exc).__name__}", "not-ready")
    return json_response({"status": "ready", "database": request.app.state.mp.db.dialect})
