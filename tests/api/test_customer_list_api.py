"""GET /api/v1/customers and a customer's tags over HTTP, on both backends: the list
searched in any case, filtered by tag, order count and spend, paged by cursor; tags added
and removed by hand, seen by conditions at the next event, firing nothing by themselves."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from milepost import Milepost


def paid(customer: str, order: str, total: int = 2500) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": customer, "order_id": order, "total": total}


def ids(client: TestClient, keys: Any, **params: Any) -> list[str]:
    r = client.get("/api/v1/customers", params=params, headers=keys.auth())
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()["data"]]


def test_the_list_is_an_answer_not_a_redirect(client: TestClient, keys: Any, mp: Milepost) -> None:
    mp.ingest(keys.store, [paid("ada", "o1", 1999)])

    r = client.get("/api/v1/customers", headers=keys.auth(), follow_redirects=False)

    assert r.status_code == 200
    (ada,) = r.json()["data"]
    assert ada["id"] == "ada" and ada["order_count"] == 1 and ada["amount_spent"] == 1999
    assert ada["currency"] == "USD" and ada["last_order_at"].startswith("2026-")
    assert r.json()["next_cursor"] is None
    assert client.get("/api/v1/customers").status_code == 401


def test_search_and_filters(client: TestClient, keys: Any, mp: Milepost) -> None:
    profile = {"type": "customer.created"}
    mp.ingest(
        keys.store,
        [
            {**profile, "id": "p1", "customer_id": "c-ada", "name": "Ada Lovelace", "email": "Ada@Example.com"},
            {**profile, "id": "p2", "customer_id": "c-grace", "name": "Grace Hopper", "email": "g@navy.example"},
            {**profile, "id": "p3", "customer_id": "C-LIN", "name": "Linus"},
            {**profile, "id": "p4", "customer_id": "c%_", "name": "Odd"},
        ],
    )
    mp.ingest(keys.store, [paid("c-ada", f"a{i}", 5000) for i in range(3)] + [paid("c-grace", "g1", 1000)])
    mp.customers.tag(keys.store, "c-grace", add=["VIP"])

    assert ids(client, keys, q="ADA@EXAMPLE") == ["c-ada"]
    assert ids(client, keys, q="ada@example.COM") == ["c-ada"]  # a whole address, on its index
    assert ids(client, keys, q="ada@example.com", min_orders=4) == []
    assert ids(client, keys, q="hopper") == ["c-grace"]
    assert ids(client, keys, q="c-l") == ["C-LIN"]
    assert ids(client, keys, q="%_") == ["c%_"]  # no wildcards
    assert ids(client, keys, tag="VIP") == ["c-grace"]
    assert ids(client, keys, tag="vip") == []  # tags are exact
    assert ids(client, keys, min_orders=2) == ["c-ada"]
    assert ids(client, keys, max_orders=0) == ["C-LIN", "c%_"]
    assert ids(client, keys, min_spent=1000, max_spent=1000) == ["c-grace"]
    assert ids(client, keys, q="c-", min_spent=1) == ["c-ada", "c-grace"]


def test_pages_follow_the_cursor(client: TestClient, keys: Any, mp: Milepost) -> None:
    mp.ingest(keys.store, [paid(f"c{i:02d}", f"o{i}") for i in range(7)])
    seen: list[str] = []
    cursor = None
    for _ in range(4):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/customers", params=params, headers=keys.auth()).json()
        seen += [c["id"] for c in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"c{i:02d}" for i in range(7)]


def test_bad_filters_are_problems(client: TestClient, keys: Any) -> None:
    for params, field in (
        ({"min_orders": -1}, "min_orders"),
        ({"min_spent": "ten"}, "min_spent"),
        ({"cursor": "nonsense"}, "query.cursor"),
        ({"min_orders": 5, "max_orders": 2}, "max_orders"),
        ({"limit": 0}, "limit"),
    ):
        r = client.get("/api/v1/customers", params=params, headers=keys.auth())
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert field in r.text


def test_tags_are_added_and_removed_by_hand(client: TestClient, keys: Any, mp: Milepost) -> None:
    mp.order_count_events.create(
        keys.store, count=2, name="VIP 2nd", actions=[{"type": "credit", "amount": 500}], conditions=[{"tag": "VIP"}]
    )
    mp.ingest(keys.store, [paid("ada", "o1")])
    url = "/api/v1/customers/ada/tags"

    one = client.post(url, json={"tag": "VIP"}, headers=keys.auth())
    many = client.post(url, json={"tags": ["Wholesale", " VIP "]}, headers=keys.auth())

    assert one.status_code == 200 and one.json() == {"tags": ["VIP"]}
    assert many.json() == {"tags": ["VIP", "Wholesale"]}
    assert client.get("/api/v1/customers/ada", headers=keys.auth()).json()["milestones"] == []  # nothing fired
    mp.ingest(keys.store, [paid("ada", "o2")])  # the next event sees the tag
    assert [m["name"] for m in client.get("/api/v1/customers/ada", headers=keys.auth()).json()["milestones"]] == [
        "VIP 2nd"
    ]

    gone = client.delete(f"{url}/Wholesale", headers=keys.auth())
    assert gone.status_code == 200 and gone.json() == {"tags": ["VIP"]}
    assert client.delete(f"{url}/Never", headers=keys.auth()).json() == {"tags": ["VIP"]}
    record = [(c.tag, c.added) for c in reversed(mp.customers.tag_changes(keys.store, "ada"))]
    assert record == [("VIP", True), ("Wholesale", True), ("Wholesale", False)]  # what changed, not "Never"
    (actor,) = {c.actor for c in mp.customers.tag_changes(keys.store, "ada")}
    assert actor and actor.startswith("api key mpk_") and keys.admin.startswith(actor.removeprefix("api key "))
    assert ids(client, keys, tag="VIP") == ["ada"]


def test_bad_tag_requests_are_problems(client: TestClient, keys: Any, mp: Milepost) -> None:
    mp.ingest(keys.store, [paid("ada", "o1")])
    url = "/api/v1/customers/ada/tags"
    for body in ({}, {"tag": ""}, {"tag": "x" * 101}, {"tags": []}, {"tag": 5}, {"tag": "A", "other": 1}):
        r = client.post(url, json=body, headers=keys.auth())
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert client.post("/api/v1/customers/nobody/tags", json={"tag": "A"}, headers=keys.auth()).status_code == 404
    assert client.delete("/api/v1/customers/nobody/tags/A", headers=keys.auth()).status_code == 404


def test_another_stores_customers_are_not_listed_or_tagged(
    client: TestClient, keys: Any, other_store: Any, mp: Milepost
) -> None:
    mp.ingest(keys.store, [paid("ada", "o1")])
    assert ids(client, other_store) == []
    r = client.post("/api/v1/customers/ada/tags", json={"tag": "X"}, headers=other_store.auth())
    assert r.status_code == 404
