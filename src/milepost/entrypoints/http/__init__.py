"""The HTTP API: FastAPI routers that translate requests to the Python API and back.

One module per resource, named after its URL, holds that resource's routes (`router`):

    health.py                 /healthz, /readyz
    events.py                 /api/v1/events: events in
    segment.py                /v1/track, /v1/identify, /v1/batch (Segment's format;
                              `segment_map.py` translates its messages into events)
    store.py                  /api/v1/store
    programs.py               /api/v1/programs
    order_count_events.py     /api/v1/order-count-events
    templates.py              /api/v1/templates
    codes.py                  /api/v1/codes, /api/v1/customers/{id}/codes
    pools.py                  /api/v1/pools
    automations.py            /api/v1/automations (and their run log)
    daily_runs.py             /api/v1/daily-runs
    aggregates.py             /api/v1/aggregates, and a customer's values
    segments.py               /api/v1/segments (their members, a preview)
    customers.py              /api/v1/customers (and their events, credit and points)
    milestones_and_alerts.py  /api/v1/milestones, /api/v1/alerts
    webhook_endpoints.py      /api/v1/webhook-endpoints
    deliveries.py             /api/v1/deliveries, /api/v1/mailbox

Routes that two resources build alike: `program_resource.py` (list, get, patch and
delete of programs and order count events) and `ledgers.py` (spend and adjust of a
customer's credit and points). Request and response models: `schemas/<resource>.py`
(see there). What every route shares: `auth.py` (API keys), `admin.py` (the caller's
store, pages), `customer_params.py`, `body.py` (reading bodies), `wire.py` (ids,
cursors, JSON), `problems.py` (errors as RFC 9457 problems), `headers.py` (nosniff, no-store),
`access_log.py`.

The interactive docs (/docs) are Swagger UI from `static/` (swagger-ui-dist, see
`static/README`), served by the app itself, so they work on a machine with no internet.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from milepost.bootstrap import Milepost, connect
from milepost.config import Settings
from milepost.entrypoints import web
from milepost.entrypoints.http import (
    access_log,
    aggregates,
    auth,
    automations,
    codes,
    customers,
    daily_runs,
    deliveries,
    event_names,
    events,
    headers,
    health,
    milestones_and_alerts,
    order_count_events,
    pools,
    problems,
    programs,
    segment,
    segments,
    store,
    templates,
    webhook_endpoints,
)
from milepost.entrypoints.http.schemas import automations as automation_schemas
from milepost.entrypoints.http.schemas import segments as segment_schemas
from milepost.runtime import tune_gc

DESCRIPTION = """Events in (natively or in Segment's format), order count events,
templates, customers, credit, the milestone log and alerts of one store: the store
of the API key. Errors are RFC 9457 problem details."""


def create_app(mp: Milepost, settings: Settings | None = None) -> FastAPI:
    """The ASGI application around an open `Milepost` (which the caller closes)."""
    settings = settings or Settings()
    app = FastAPI(title="Milepost", version=_version(), description=DESCRIPTION, docs_url=None, redoc_url=None)
    # No redirects to the path with or without its trailing slash: Starlette's would name an
    # absolute http:// URL (dropping TLS behind a proxy); an unknown path is a 404 problem.
    app.router.redirect_slashes = False
    app.state.mp, app.state.settings = mp, settings
    problems.install(app)
    routers = (
        health,
        events,
        event_names,
        segment,
        store,
        order_count_events,
        programs,
        templates,
        codes,
        pools,
        automations,
        daily_runs,
        aggregates,
        segments,
        customers,
        milestones_and_alerts,
        webhook_endpoints,
        deliveries,
    )
    for module in routers:
        app.include_router(module.router)
    web.install(app)
    app.add_route("/admin", _admin_home, include_in_schema=False)
    app.add_middleware(auth.KeyBeforeBody)
    app.add_middleware(headers.ApiHeaders)  # outside the key check: its 401s carry the headers too
    app.add_middleware(access_log.AccessLog)
    _document(app)
    _serve_docs(app)
    return app


def _admin_home(_: Request) -> Response:
    """`/admin`, as `milepost serve` prints it, to the admin's home page `/admin/` (a path,
    not an absolute URL: the browser keeps its scheme and host)."""
    return RedirectResponse("/admin/")


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory` and the server's worker processes: settings from MILEPOST_*."""
    settings = Settings()
    access_log.configure(settings.log_level)
    mp = connect(settings=settings)
    app = create_app(mp, settings)
    if settings.embedded_worker:
        _embed_worker(app, mp)
    if settings.embedded_scheduler:
        _embed_scheduler(app, mp)
    app.router.add_event_handler("shutdown", mp.close)
    tune_gc()
    return app


def _embed_worker(app: FastAPI, mp: Milepost) -> None:
    """A delivery worker in a thread of the server process, so one command delivers too."""
    stop = threading.Event()
    state: dict[str, Any] = {}

    def start() -> None:
        worker = state["worker"] = mp.worker()
        state["thread"] = threading.Thread(target=worker.run, args=(stop,), name="milepost-worker", daemon=True)
        state["thread"].start()

    def finish() -> None:
        stop.set()
        if "thread" in state:
            state["thread"].join(timeout=30)
            state["worker"].close()

    app.router.add_event_handler("startup", start)
    app.router.add_event_handler("shutdown", finish)


def _embed_scheduler(app: FastAPI, mp: Milepost) -> None:
    """The daily scheduler in a thread of the server process (on PostgreSQL one process
    of all acts at a time: its lock)."""
    stop = threading.Event()
    thread = threading.Thread(target=mp.sweeps.scheduler().run, args=(stop,), name="milepost-scheduler", daemon=True)

    def finish() -> None:
        stop.set()
        if thread.is_alive():
            thread.join(timeout=30)

    app.router.add_event_handler("startup", thread.start)
    app.router.add_event_handler("shutdown", finish)


def _document(app: FastAPI) -> None:
    """Shared schemas the routers refer to, added to the generated OpenAPI document."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original()
            found = schema.setdefault("components", {}).setdefault("schemas", {})
            found["Problem"] = problems.problem_schema()
            found["Event"] = events.EVENT_SCHEMA
            found["IngestResult"] = events.RESULT_SCHEMA
            found.update(automation_schemas.COMPONENTS)
            found.update(segment_schemas.COMPONENTS)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


DOCS = "/docs"
DOCS_ASSETS = "/docs/assets"
DOCS_OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def _serve_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the package's own copy (FastAPI's self-hosted recipe):
    its page, script and style sheet all come from this server, never from a CDN, and the
    online validator badge is off, so the docs load with no network at all."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=Path(__file__).parent / "static"), name="docs-assets")

    @app.get(DOCS, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - API docs",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url="/admin/static/favicon.svg",
            oauth2_redirect_url=DOCS_OAUTH2_REDIRECT,
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(DOCS_OAUTH2_REDIRECT, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("milepost")
    except PackageNotFoundError:
        return "0.0.0"
