"""Pages from Jinja2 templates: one layout, shared macros (form fields, tables), the
signed-in user and the store in every page, and the security headers every page of
the admin UI carries."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from milepost import formatting
from milepost.domain.ids import format_id
from milepost.domain.records import Store
from milepost.domain.users import WebSession
from milepost.entrypoints.web.forms import MAX_SLOTS, Form
from milepost.formatting import money

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


@pass_context
def store_money(context: Context, minor_units: int, currency: str, locale: str | None = None) -> str:
    """`{{ x|money(store.currency) }}`: an amount as the page's store's locale writes it
    (`locale` names another: a list of stores shows each in its own)."""
    store = context.get("store")
    return money(minor_units, currency, locale or (store.locale if isinstance(store, Store) else formatting.LOCALE))


templates.env.filters["money"] = store_money
templates.env.filters["public_id"] = format_id


def when(value: datetime | None, store: Any = None) -> str:
    """A time in the store's time zone, to the minute."""
    return formatting.when(value, store.timezone if store is not None else "UTC")


templates.env.filters["when"] = when


def link(url: str, text: str) -> Markup:
    """A link for a table cell; both parts escaped."""
    return Markup('<a href="{}">{}</a>').format(url, text)


templates.env.globals["MAX_ACTIONS"] = MAX_SLOTS  # the action editor's rows, at most
templates.env.globals["ROLE_NAMES"] = {"administrator": "Administrator", "agent": "Agent"}

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def page(
    request: Request, name: str, session: WebSession | None = None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """The template `name` in the layout, with `session` (the user, the CSRF token); a page
    of a store also gets every store, for the switcher in its header."""
    if session is not None and isinstance(context.get("store"), Store):
        context["switch_stores"] = request.app.state.mp.stores.list()
    response = templates.TemplateResponse(
        request,
        name,
        {"session": session, "user": session.user if session else None, **context},
        status_code=status_code,
    )
    response.headers.update(HEADERS)
    return response


def log_page(
    request: Request,
    name: str,
    session: WebSession,
    store: Store,
    form: Form,
    rows: list[dict[str, Any]],
    newest: str | None,
    older: str | None,
    **context: Any,
) -> HTMLResponse:
    """A page of a log, newest first: its filters (400 when one does not parse), its rows,
    and the links to its newest page and to the next older one (None: no such page)."""
    status = 400 if form.errors else 200
    return page(
        request, name, session, status, store=store, form=form, rows=rows, older=older, newest=newest, **context
    )


def redirect(url: str) -> RedirectResponse:
    """After a form: see the result with a GET (303)."""
    response = RedirectResponse(url, status_code=303)
    response.headers.update(HEADERS)
    return response
