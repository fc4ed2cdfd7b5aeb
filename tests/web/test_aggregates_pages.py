"""Settings > Aggregates through the admin UI's forms, on both backends: an aggregate
created, listed in words, changed (not its key) and deleted; each problem next to its
field; a delete refused with the reason while an automation uses it; a customer's page
with their values as of today; Agents see it all but change nothing."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from web_kit import csrf, error_of

from milepost import Milepost
from support.automations import POOL, anniversary

AGGREGATES = "/admin/{store}/settings/aggregates"


def create(admin: TestClient, store: str, **fields: str) -> object:
    url = AGGREGATES.format(store=store)
    form = {"key": "orders_365d", "name": "Orders in a year", "function": "count", "source": "orders"}
    return admin.post(url, data={**form, "window_days": "365", **fields, "csrf_token": csrf(admin, url)})


def post(admin: TestClient, store: str, key: str, action: str = "", **data: str) -> object:
    page = f"{AGGREGATES.format(store=store)}/{key}"
    return admin.post(f"{page}{action}", data={**data, "csrf_token": csrf(admin, page)})


def test_create_list_change_and_delete_an_aggregate(admin: TestClient, mp: Milepost, store: str) -> None:
    r = create(admin, store)

    base = AGGREGATES.format(store=store)
    assert r.status_code == 303 and r.headers["location"] == f"{base}/orders_365d"  # type: ignore[attr-defined]
    assert mp.aggregates.get(store, "orders_365d").window_days == 365
    listing = admin.get(base).text
    assert "Orders in a year" in listing and "count of orders, over the last 365 days" in listing
    assert ">Aggregates</a>" in listing  # in the settings menu

    form = {"name": "Reviews' stars", "function": "sum", "source": "review.created", "property": "rating"}
    r = post(admin, store, "orders_365d", **form, window_days="")
    assert r.status_code == 303  # type: ignore[attr-defined]
    changed = mp.aggregates.get(store, "orders_365d")
    assert (changed.function, changed.source, changed.property, changed.window_days) == (
        "sum",
        "review.created",
        "rating",
        None,
    )
    assert "sum of rating of review.created, all time" in admin.get(f"{base}/orders_365d").text

    r = post(admin, store, "orders_365d", "/delete")
    assert r.status_code == 303 and mp.aggregates.list(store) == []  # type: ignore[attr-defined]
    assert admin.get(f"{base}/orders_365d").status_code == 404


def test_problems_are_shown_next_to_their_fields(admin: TestClient, mp: Milepost, store: str) -> None:
    r = create(admin, store, key="Bad Key")
    assert r.status_code == 400 and error_of(r.text, "key")  # type: ignore[attr-defined]
    r = create(admin, store, window_days="a year")
    assert r.status_code == 400 and error_of(r.text, "window_days")  # type: ignore[attr-defined]
    r = create(admin, store, function="sum", source="custom thing")
    assert r.status_code == 400 and "property" in error_of(r.text, "property")  # type: ignore[attr-defined]
    assert 'value="custom thing"' in r.text  # type: ignore[attr-defined]  # what was typed is kept
    create(admin, store)
    r = create(admin, store)
    assert r.status_code == 400 and "already" in error_of(r.text, "key")  # type: ignore[attr-defined]
    r = post(admin, store, "orders_365d", name="", function="count", source="orders", window_days="365")
    assert r.status_code == 400 and error_of(r.text, "name")  # type: ignore[attr-defined]
    assert mp.aggregates.get(store, "orders_365d").name == "Orders in a year"


def test_a_delete_is_refused_while_an_automation_uses_it(admin: TestClient, mp: Milepost, store: str) -> None:
    mp.templates.save(store, "anniversary_gift", subject="A year!", body_text="Gift: {{ reward.coupon_code }}")
    mp.templates.save(store, "anniversary_thanks", subject="Thank you", body_text="Thanks, {{ customer.name }}")
    mp.pools.create(store, POOL, name="Anniversary", discount={"kind": "percentage", "percent": 15})
    create(admin, store)
    mp.automations.create(store, anniversary())

    r = post(admin, store, "orders_365d", "/delete")

    assert r.status_code == 409  # type: ignore[attr-defined]
    assert "first_purchase_anniversary" in html.unescape(r.text) and "change them first" in r.text  # type: ignore[attr-defined]
    assert [a.key for a in mp.aggregates.list(store)] == ["orders_365d"]


def test_a_customers_page_shows_their_values_as_of_today(admin: TestClient, mp: Milepost, store: str) -> None:
    create(admin, store)
    events = [
        {"id": "c", "type": "customer.created", "customer_id": "ann", "occurred_at": "2025-06-01T00:00:00Z"},
        *(
            {"id": f"o{n}", "type": "order.paid", "customer_id": "ann", "order_id": f"o{n}", "total": 1000,
             "currency": "USD", "occurred_at": at}
            for n, at in enumerate(["2025-01-10T12:00:00Z", "2025-06-10T12:00:00Z", "2026-02-28T12:00:00Z"])
        ),
    ]  # fmt: skip
    assert mp.ingest(store, events).accepted == 4

    page = admin.get(f"/admin/{store}/customers/ann").text

    assert "as of 2026-03-01" in page  # the test clock's today
    row = re.search(r'<tr data-aggregate="orders_365d">(.*?)</tr>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "Orders in a year" in row and '<td class="value">2</td>' in row  # not the one 14 months ago


def test_agents_see_aggregates_but_change_nothing(
    agent: TestClient, admin: TestClient, mp: Milepost, store: str
) -> None:
    create(admin, store)
    base = AGGREGATES.format(store=store)

    listing, page = agent.get(base), agent.get(f"{base}/orders_365d")

    assert listing.status_code == 200 and "Orders in a year" in listing.text and "Create aggregate" not in listing.text
    assert page.status_code == 200 and "Delete aggregate" not in page.text and "Save aggregate" not in page.text
    token = csrf(agent, base)
    form = {"key": "x", "name": "X", "function": "count", "source": "orders", "csrf_token": token}
    assert agent.post(base, data=form).status_code == 403
    assert agent.post(f"{base}/orders_365d", data={**form, "name": "Y"}).status_code == 403
    assert agent.post(f"{base}/orders_365d/delete", data={"csrf_token": token}).status_code == 403
    assert [a.name for a in mp.aggregates.list(store)] == ["Orders in a year"]
