"""One JSON line per request: what was asked, by which store and key, how it ended.
Never the Authorization header, the body or a query string's values."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import orjson

log = logging.getLogger("milepost.http")


class AccessLog:
    """Pure ASGI middleware (it sees the final status, even of errors)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500
        request_id = _request_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})

        async def send_with_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            state = scope.get("state", {})
            line = {
                "event": "request",
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                "request_id": request_id,
                "store": state.get("store"),
                "api_key": state.get("api_key"),  # the key's public prefix only
                "client": (scope.get("client") or (None,))[0],
            }
            log.log(logging.ERROR if status >= 500 else logging.INFO, orjson.dumps(line).decode())


def _request_id(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if 0 < len(text) <= 100 and text.isprintable() else None
    return None


def configure(level: str = "info") -> None:
    """Plain lines on stderr: each message is already a JSON object."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("milepost.http", "milepost"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler] if name == "milepost" else []
        logger.setLevel(level.upper())
