"""The admin web UI, served by the same app as the HTTP API under /admin:
server-rendered pages (Jinja2), a little plain JavaScript, assets served by the app.

Pages live in one module per area; each adds its routes to `router`. Adding a page is
a route that returns `render.page(request, "<template>.html", session, ...)` and a
template that extends `layout.html`, with the form and table macros of `macros.html`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from milepost.entrypoints.web import auth, render
from milepost.entrypoints.web import ids as ids  # registers the id path convertors before any route is made
from milepost.entrypoints.web.routes import router
from milepost.errors import MilepostError, NotFound


def install(app: FastAPI) -> None:
    """Add the admin UI to the API's app: its pages, its assets, and HTML error pages
    for its paths (the API's paths keep their problem details)."""
    app.include_router(router)
    app.mount("/admin/static", StaticFiles(directory=render.HERE / "static"), name="admin-static")

    @app.exception_handler(auth.SignInFirst)
    async def _sign_in_first(_: Request, exc: auth.SignInFirst) -> Response:
        return render.redirect(auth.login_url(exc.next_url))

    @app.exception_handler(auth.Forbidden)
    async def _forbidden(request: Request, exc: auth.Forbidden) -> Response:
        return _error_page(request, 403, "Not allowed", exc.reason)

    for kind in (MilepostError, StarletteHTTPException, RequestValidationError):
        _html_for_admin(app, kind)


def _html_for_admin(app: FastAPI, kind: type[Exception]) -> None:
    api_handler = app.exception_handlers[kind]

    async def handler(request: Request, exc: Any) -> Response:
        if not request.url.path.startswith("/admin"):
            answer = api_handler(request, exc)
            return answer if isinstance(answer, Response) else await answer
        if (
            isinstance(exc, NotFound)
            or getattr(exc, "status_code", None) == 404
            or isinstance(exc, RequestValidationError)
        ):
            return _error_page(request, 404, "Not found", "There is nothing at this address.")
        status = getattr(exc, "status_code", 400)
        return _error_page(request, status, "Something is wrong", str(getattr(exc, "detail", exc)))

    app.add_exception_handler(kind, handler)


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    token = request.cookies.get(auth.SESSION_COOKIE, "")
    session = auth.mp_of(request).sessions.get(token) if token else None
    return render.page(request, "error.html", session, status_code=status, title=title, message=message)
