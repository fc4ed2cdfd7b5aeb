"""The stores in the admin UI, on both backends: the list after sign-in with each store's
key figures, creating a store, Settings > Store with its errors next to their fields, and
the switcher that keeps the area of the page."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_kit import csrf

from milepost import Milepost
from milepost.testing import FrozenClock

SETTINGS = "/admin/{store}/settings/store"


def card(html: str, key: str) -> str:
    """The text of the store's card on the list."""
    found = re.search(rf'<li class="store-card" data-store="{re.escape(key)}">(.*?)</li>', html, re.S)
    assert found, f"no card for {key}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def error_of(html: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="e-{re.escape(name)}">([^<]*)</p>', html)
    return found.group(1).replace("&#39;", "'") if found else ""


def orders(mp: Milepost, store: str, customer: str, n: int) -> None:
    events = [
        {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": customer, "order_id": uuid.uuid4().hex}
        for _ in range(n)
    ]
    assert mp.ingest(store, events).accepted == n


def new_key() -> str:
    return f"s-{uuid.uuid4().hex[:10]}"


# -- the list ------------------------------------------------------------------------------------


def test_the_list_shows_every_store_with_its_key_figures(admin: TestClient, mp: Milepost, store: str, clock):
    # Given a store where ada ordered twice long ago and bob three times this month (his 3rd gives $5.00)
    mp.order_count_events.create(store, count=3, name="Third", actions=[{"type": "credit", "amount": 500}])
    clock.advance(timedelta(days=-40))
    orders(mp, store, "ada", 2)
    clock.advance(timedelta(days=40))
    orders(mp, store, "bob", 3)
    other = mp.stores.create(new_key(), "Other shop", currency="EUR").key

    page = admin.get("/admin/")

    assert page.status_code == 200
    shown = card(page.text, store)
    assert "Customers 2 " in shown and "Orders 3 " in shown and "Milestones 1 " in shown
    assert "Credit outstanding $5.00" in shown
    assert f'href="/admin/{store}"' in page.text and f'href="/admin/{store}/settings/store"' in page.text
    assert "Customers 0 Orders 0 Milestones 0 Credit outstanding" in card(page.text, other)
    assert 'href="/admin/stores/new"' in page.text


def test_the_figures_of_every_store_come_from_one_read(mp: Milepost, store: str, clock: FrozenClock):
    orders(mp, store, "ada", 2)
    for _ in range(3):
        mp.stores.create(new_key(), "More")
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa.event.listen(mp.db.engine, "before_cursor_execute", count)
    try:
        figures = dict((s.key, f) for s, f in mp.stores.figures())
    finally:
        sa.event.remove(mp.db.engine, "before_cursor_execute", count)
    assert len(statements) == 2, statements  # the stores, then the figures of all of them: not one per store
    assert (figures[store].customers, figures[store].orders) == (1, 2)
    clock.advance(timedelta(days=31))
    assert dict((s.key, f) for s, f in mp.stores.figures())[store].orders == 0  # older than 30 days


def test_an_agent_sees_the_list_but_cannot_create_a_store(agent: TestClient, store: str):
    page = agent.get("/admin/")
    assert page.status_code == 200 and store in page.text
    assert "/admin/stores/new" not in page.text and "/settings/store" not in page.text
    assert agent.get("/admin/stores/new").status_code == 403
    assert agent.get(SETTINGS.format(store=store)).status_code == 403


# -- creating a store ----------------------------------------------------------------------------


def test_an_administrator_creates_a_store_and_lands_on_its_settings(admin: TestClient, mp: Milepost):
    key = new_key()
    form = {"key": key, "name": "Paris shop", "currency": "eur", "timezone": "Europe/Paris", "counting_status": "paid"}
    r = admin.post("/admin/stores/new", data={"csrf_token": csrf(admin, "/admin/stores/new"), **form})

    assert r.status_code == 303 and r.headers["location"] == f"/admin/{key}/settings/store?created=1"
    created = mp.stores.get(key)
    assert (created.name, created.currency, created.timezone, created.counting_status) == (
        "Paris shop",
        "EUR",
        "Europe/Paris",
        "paid",
    )
    assert "Store created" in admin.get(r.headers["location"]).text


def test_a_store_that_cannot_be_created_shows_why_next_to_each_field(admin: TestClient, store: str):
    token = csrf(admin, "/admin/stores/new")
    bad = {"key": "Not A Key", "name": "", "currency": "dollars", "timezone": "Mars/Base", "counting_status": "paid"}
    r = admin.post("/admin/stores/new", data={"csrf_token": token, **bad})
    assert r.status_code == 400
    assert "lowercase" in error_of(r.text, "key") and error_of(r.text, "name") == "is required"
    assert "ISO 4217" in error_of(r.text, "currency") and "IANA" in error_of(r.text, "timezone")
    assert 'value="Not A Key"' in r.text  # the form as typed

    taken = {**bad, "key": store, "name": "Again", "currency": "USD", "timezone": "UTC"}
    r = admin.post("/admin/stores/new", data={"csrf_token": token, **taken})
    assert r.status_code == 400 and "exists already" in error_of(r.text, "key")
    assert admin.post("/admin/stores/new", data=taken).status_code == 403  # no CSRF token


# -- Settings > Store ----------------------------------------------------------------------------


def settings_form(**changes: object) -> dict[str, object]:
    return {
        "name": "Renamed shop",
        "currency": "USD",
        "timezone": "America/New_York",
        "counting_status": "completed",
        "email_from_name": "Shop Team",
        "email_from_address": "hello@shop.example",
        "reply_to_address": "help@shop.example",
        "logo_url": "https://shop.example/logo.png",
        "milestone_emails": "transactional",
        "allow_negative_credit": "on",
        "points_per_unit": "2",
        "points_expire_days": "365",
        **changes,
    }


def test_the_settings_page_changes_every_setting_of_the_store(admin: TestClient, mp: Milepost, store: str):
    url = SETTINGS.format(store=store)
    page = admin.get(url)
    assert page.status_code == 200 and 'aria-current="page">Store<' in page.text
    assert '<option value="Europe/Paris"' in page.text  # the time zones to choose from
    assert '<option value="transactional"' in page.text  # whether milestone emails need consent

    r = admin.post(url, data={"csrf_token": csrf(admin, url), **settings_form()})

    assert r.status_code == 303 and r.headers["location"] == f"{url}?saved=1"
    s = mp.stores.get(store)
    assert (s.name, s.timezone, s.counting_status) == ("Renamed shop", "America/New_York", "completed")
    assert (s.email_from_name, s.email_from_address, s.reply_to_address) == (
        "Shop Team",
        "hello@shop.example",
        "help@shop.example",
    )
    assert s.logo_url == "https://shop.example/logo.png" and s.milestone_emails == "transactional"
    assert (s.allow_negative_credit, s.allow_negative_points, s.points_per_unit, s.points_expire_days) == (
        True,
        False,
        2,
        365,
    )
    shown = admin.get(r.headers["location"]).text
    assert "Saved." in shown and 'value="help@shop.example"' in shown

    # Emptied, the sender, the Reply-To and the logo are cleared
    empty = settings_form(email_from_name="", email_from_address="", reply_to_address="", logo_url="")
    assert admin.post(url, data={"csrf_token": csrf(admin, url), **empty}).status_code == 303
    s = mp.stores.get(store)
    assert (s.email_from_name, s.email_from_address, s.reply_to_address, s.logo_url) == (None, None, None, None)


def test_settings_that_do_not_validate_are_shown_next_to_their_fields(admin: TestClient, mp: Milepost, store: str):
    url = SETTINGS.format(store=store)
    bad = settings_form(
        name="", reply_to_address="help", logo_url="http://shop.example/logo.png", points_per_unit="lots"
    )
    r = admin.post(url, data={"csrf_token": csrf(admin, url), **bad})
    assert r.status_code == 400 and error_of(r.text, "points_per_unit") == "must be a whole number"
    bad["points_per_unit"] = "2"
    r = admin.post(url, data={"csrf_token": csrf(admin, url), **bad})
    assert r.status_code == 400
    assert error_of(r.text, "name") == "is required"
    assert "email address" in error_of(r.text, "reply_to_address")
    assert "https://" in error_of(r.text, "logo_url")
    assert 'value="http://shop.example/logo.png"' in r.text  # as typed
    assert mp.stores.get(store).name != ""


def test_the_currency_cannot_change_once_the_store_has_orders(admin: TestClient, mp: Milepost, store: str):
    orders(mp, store, "ada", 1)
    url = SETTINGS.format(store=store)
    r = admin.post(url, data={"csrf_token": csrf(admin, url), **settings_form(currency="EUR", counting_status="paid")})
    assert r.status_code == 400 and "once orders or credit are stored" in error_of(r.text, "currency")
    r = admin.post(url, data={"csrf_token": csrf(admin, url), **settings_form(counting_status="delivered")})
    assert r.status_code == 400 and "once orders are stored" in error_of(r.text, "counting_status")
    assert mp.stores.get(store).currency == "USD"


# -- the switcher --------------------------------------------------------------------------------


def test_the_switcher_keeps_the_area_of_the_page(admin: TestClient, mp: Milepost, store: str):
    other = mp.stores.create(new_key(), "Other shop").key
    page = admin.get(f"/admin/{store}/customers")
    assert f'<option value="{other}"' in page.text and 'name="came_from"' in page.text

    def switch(came_from: str, to: str = other) -> str:
        r = admin.get("/admin/stores/switch", params={"to": to, "came_from": came_from})
        assert r.status_code == 303, r.text
        return str(r.headers["location"])

    assert switch(f"/admin/{store}/customers") == f"/admin/{other}/customers"
    assert switch(f"/admin/{store}/customers/ada") == f"/admin/{other}/customers"
    assert switch(f"/admin/{store}/log/deliveries") == f"/admin/{other}/log/deliveries"
    assert switch(f"/admin/{store}/settings/programs/3/edit") == f"/admin/{other}/settings/programs"
    assert switch(f"/admin/{store}") == f"/admin/{other}"
    assert switch("https://evil.example/admin/x/customers") == f"/admin/{other}"
    assert admin.get("/admin/stores/switch", params={"to": "no-such-store"}).status_code == 404


def test_the_currency_cannot_change_once_customers_hold_credit_in_it(admin: TestClient, mp: Milepost, store: str):
    # Given credit given by hand to a customer who never ordered
    assert mp.ingest(store, [{"id": "p", "type": "customer.created", "customer_id": "ada"}]).accepted == 1
    mp.ledgers.adjust(store, "ada", 500, unit="credit", key="goodwill", reason="goodwill")
    url = SETTINGS.format(store=store)
    r = admin.post(url, data={"csrf_token": csrf(admin, url), **settings_form(currency="EUR", counting_status="paid")})
    assert r.status_code == 400 and "once orders or credit are stored" in error_of(r.text, "currency")
    assert mp.stores.get(store).currency == "USD"
