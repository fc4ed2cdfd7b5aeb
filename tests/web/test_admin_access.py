"""Signing in to the admin UI and what each role may reach: sessions in HttpOnly cookies,
CSRF tokens on every form, rate-limited sign-in, Agents kept out of configuration,
security headers, and HTML error pages (never a 500)."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient
from web_kit import PASSWORD, client_for, csrf, sign_in

from milepost import Milepost
from milepost.service.users import MAX_PER_EMAIL

EVENTS = "/admin/{store}/settings/order-count-events"


def test_a_page_asks_to_sign_in_and_comes_back_after(web: TestClient, mp: Milepost, store: str):
    email = f"ada-{uuid.uuid4().hex[:6]}@shop.example"
    mp.users.create(email, "Ada", PASSWORD, "administrator")
    url = EVENTS.format(store=store)

    first = web.get(url)
    assert first.status_code == 303 and first.headers["location"].startswith("/admin/login?next=")

    signed = sign_in(web, email, next_url=url)
    assert signed.status_code == 303 and signed.headers["location"] == url
    cookie = signed.headers["set-cookie"]
    assert "milepost_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/admin" in cookie
    assert web.get(url).status_code == 200


def test_the_session_cookie_is_secure_in_production(app, mp: Milepost, store: str):
    from web_kit import client_for

    from milepost.config import Settings

    mp.settings = Settings(environment="production")
    email = f"ada-{uuid.uuid4().hex[:6]}@shop.example"
    mp.users.create(email, "Ada", PASSWORD, "administrator")
    with client_for(app) as c:
        c.base_url = "https://testserver"  # type: ignore[assignment]
        assert "Secure" in sign_in(c, email).headers["set-cookie"]


def test_a_wrong_password_shows_the_form_again_and_never_says_which(web: TestClient, mp: Milepost):
    email = f"ada-{uuid.uuid4().hex[:6]}@shop.example"
    mp.users.create(email, "Ada", PASSWORD, "agent")
    wrong = sign_in(web, email, "not the password")
    unknown = sign_in(web, f"x-{email}", PASSWORD)
    for r in (wrong, unknown):
        assert r.status_code == 401 and "The email or the password is wrong." in r.text
        assert "milepost_session" not in r.headers.get("set-cookie", "")


def test_sign_in_is_rate_limited(web: TestClient, mp: Milepost):
    email = f"ada-{uuid.uuid4().hex[:6]}@shop.example"
    mp.users.create(email, "Ada", PASSWORD, "agent")
    for _ in range(MAX_PER_EMAIL):
        assert sign_in(web, email, "not the password").status_code == 401
    limited = sign_in(web, email)
    assert limited.status_code == 429 and "Too many failed sign-ins" in limited.text
    assert int(limited.headers["retry-after"]) > 0


def test_sign_in_needs_its_own_form_token(web: TestClient, mp: Milepost):
    email = f"ada-{uuid.uuid4().hex[:6]}@shop.example"
    mp.users.create(email, "Ada", PASSWORD, "agent")
    r = web.post("/admin/login", data={"email": email, "password": PASSWORD, "login_token": "forged"})
    assert r.status_code == 400 and "milepost_session" not in r.headers.get("set-cookie", "")


def test_next_never_leads_to_another_site(app, mp: Milepost):
    email = f"ada-{uuid.uuid4().hex[:6]}@shop.example"
    mp.users.create(email, "Ada", PASSWORD, "agent")
    for evil in ("https://evil.example/", "//evil.example", "/admin\\@evil.example"):
        with client_for(app) as web:
            assert sign_in(web, email, next_url=evil).headers["location"] == "/admin"


def test_an_agent_cannot_reach_configuration(agent: TestClient, store: str):
    url = EVENTS.format(store=store)
    for method, path in [
        ("get", url),
        ("get", f"{url}/new"),
        ("post", f"{url}/new"),
        ("get", f"{url}/1/edit"),
        ("post", f"{url}/1/toggle"),
        ("post", f"{url}/1/delete"),
    ]:
        r = getattr(agent, method)(path)
        assert r.status_code == 403, (method, path, r.status_code)
        assert "for Administrators" in r.text
    dashboard = agent.get(f"/admin/{store}")
    assert dashboard.status_code == 200 and "Order Count Events" not in dashboard.text  # not in the menu either


def test_every_form_post_needs_the_sessions_csrf_token(admin: TestClient, store: str):
    url = EVENTS.format(store=store)
    body = {"count": "5", "name": "VIP", "action-0-type": "add_tag", "action-0-tag": "VIP"}
    for token in (None, "forged"):
        data = body if token is None else {**body, "csrf_token": token}
        r = admin.post(f"{url}/new", data=data)
        assert r.status_code == 403 and "did not come from this site" in r.text
    assert "VIP" not in admin.get(url).text
    assert admin.post("/admin/logout", data={}).status_code == 403  # signing out too


def test_signing_out_ends_the_session(admin: TestClient, store: str):
    token = csrf(admin, f"/admin/{store}")
    r = admin.post("/admin/logout", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/admin/login"
    assert admin.get(f"/admin/{store}").status_code == 303


def test_pages_carry_security_headers(admin: TestClient, web: TestClient, store: str):
    for r in (admin.get(EVENTS.format(store=store)), web.get("/admin/login")):
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"


def test_unknown_pages_and_stores_are_html_404s(admin: TestClient, store: str):
    for path in (
        "/admin/no-such-store",
        f"{EVENTS.format(store=store)}/999999/edit",
        f"{EVENTS.format(store=store)}/x/edit",
    ):
        r = admin.get(path)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), path
    assert admin.get("/api/v1/nothing").headers["content-type"].startswith("application/problem+json")


def test_the_assets_are_served_by_the_app(web: TestClient):
    css = web.get("/admin/static/admin.css")
    js = web.get("/admin/static/admin.js")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert js.status_code == 200 and re.search(r"javascript", js.headers["content-type"])


def test_the_pages_assets_are_served_by_the_app(web: TestClient):
    page = web.get("/admin/login")
    for asset in re.findall(r'(?:href|src)="(/admin/static/[^"]+)"', page.text):
        assert web.get(asset).status_code == 200, asset
    assert "/admin/static/favicon.svg" in page.text
