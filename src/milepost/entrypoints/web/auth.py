"""Who is signed in, what they may do, and CSRF.

A session is a random token in an HttpOnly, SameSite=Lax cookie (Secure in production
or when `MILEPOST_SECURE_COOKIES` says so); every form that changes something carries
the session's CSRF token in a hidden field, checked on the server. Sign-in itself is
protected by a double-submit token (a cookie and a field that must match).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request

from milepost.bootstrap import Milepost
from milepost.domain.records import Store
from milepost.domain.users import WebSession

SESSION_COOKIE = "milepost_session"
LOGIN_COOKIE = "milepost_login"


class SignInFirst(Exception):
    """Not signed in: to the sign-in page, then back."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


class Forbidden(Exception):
    """Signed in, but this needs an Administrator (or the form's token is wrong)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def mp_of(request: Request) -> Milepost:
    return request.app.state.mp  # type: ignore[no-any-return]


def current_session(request: Request) -> WebSession:
    token = request.cookies.get(SESSION_COOKIE, "")
    found = mp_of(request).sessions.get(token) if token else None
    if found is None:
        raise SignInFirst(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return found


def administrator(session: Annotated[WebSession, Depends(current_session)]) -> WebSession:
    if not session.user.is_administrator:
        raise Forbidden("This page is for Administrators: ask one to change the configuration.")
    return session


SignedIn = Annotated[WebSession, Depends(current_session)]
Administrator = Annotated[WebSession, Depends(administrator)]


def store_of(request: Request, store: str) -> Store:
    """The store a page names (NotFound: a 404 page)."""
    return mp_of(request).stores.get(store)


async def checked_form(request: Request, session: WebSession) -> dict[str, Any]:
    """The posted form, once its CSRF token matched the session's."""
    form = await request.form()
    data = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    if not secrets.compare_digest(data.get("csrf_token", ""), session.csrf_token):
        raise Forbidden("The form expired or did not come from this site: reload the page and try again.")
    return data


def login_url(next_url: str) -> str:
    return f"/admin/login?next={quote(next_url, safe='')}"


def safe_next(value: str | None) -> str:
    """Only a path of the admin UI: never an open redirect to another site."""
    if value and value.startswith("/admin") and not value.startswith("//") and "\\" not in value:
        return value
    return "/admin"
