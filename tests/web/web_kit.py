"""Helpers the admin UI tests share: clients with addresses of their own, the sign-in
form as a browser fills it, a page's CSRF token."""

from __future__ import annotations

import html
import re
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"


def client_for(app: FastAPI) -> TestClient:
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    return TestClient(app, raise_server_exceptions=False, client=(address, 50000), follow_redirects=False)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next_url: str = "/admin"):  # type: ignore[no-untyped-def]
    form = client.get("/admin/login", params={"next": next_url})
    token = re.search(r'name="login_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    return client.post(
        "/admin/login", data={"email": email, "password": password, "login_token": token, "next": next_url}
    )


def csrf(client: TestClient, url: str) -> str:
    """The CSRF token of the form on the page at `url`."""
    page = client.get(url)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def error_of(page: str, name: str) -> str:
    """The error shown next to the form field `name` ("" when none)."""
    found = re.search(rf'<p class="error" id="e-{re.escape(name)}">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else ""
