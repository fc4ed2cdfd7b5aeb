"""Headers every API answer carries, errors included: `X-Content-Type-Options: nosniff`
(a browser never reads a JSON body as HTML or script) and `Cache-Control: no-store` (no
proxy or browser keeps a store's data). The admin UI's pages set their own (`web.render`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

API_PREFIXES = ("/api/", "/v1/", "/healthz", "/readyz")
HEADERS = ((b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store"))
_NAMES = frozenset(name for name, _ in HEADERS)


class ApiHeaders:
    """Pure ASGI middleware: adds `HEADERS` to the answers on `API_PREFIXES`' paths.

    An unexpected exception is answered here, by the app's own handler for `Exception`,
    so that the 500 problem carries the headers too (Starlette's outermost error
    middleware would otherwise send it past every other middleware); the exception is
    raised on, to be logged as before."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in _NAMES]
                message["headers"] = [*headers, *HEADERS]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            handler = getattr(scope.get("app"), "exception_handlers", {}).get(Exception)
            if started or handler is None:
                raise
            response = await handler(Request(scope), exc)
            await response(scope, receive, send_with_headers)
            raise
