"""GET /api/v1/customers/{id}/events over HTTP, on both backends: the customer's events
newest first, each as received, paged by cursor without skipping events of the same time;
404 for a customer the store does not know; a bad cursor is a 422 problem."""

from __future__ import annotations

from typing import Any

from admin_kit import assert_problem
from fastapi.testclient import TestClient

from milepost import Milepost


def paid(n: int, customer: str = "ada", at: str | None = None) -> dict[str, Any]:
    return {
        "id": f"e{n:02}",
        "type": "order.paid",
        "customer_id": customer,
        "order_id": f"o{n}",
        "total": 1000 + n,
        "occurred_at": at or f"2026-03-{n:02}T10:00:00Z",
    }


def history(client: TestClient, keys: Any, customer: str = "ada", **params: Any) -> list[dict[str, Any]]:
    """Every page of the customer's events, following the cursors."""
    found, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        r = client.get(f"/api/v1/customers/{customer}/events", params=query, headers=keys.auth())
        assert r.status_code == 200, r.text
        found += r.json()["data"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return found


def test_events_newest_first_as_received(client: TestClient, keys: Any, mp: Milepost) -> None:
    mp.ingest(keys.store, [paid(1), paid(3), paid(2), paid(4, customer="grace")])

    r = client.get("/api/v1/customers/ada/events", headers=keys.auth())

    assert r.status_code == 200, r.text
    body = r.json()
    received = [e for e in body["data"] if e["source"] == "api"]  # with Milepost's own about them
    assert [e["id"] for e in received] == ["e03", "e02", "e01"]
    assert {e["type"] for e in body["data"] if e["source"] == "milepost"} == {
        "customer.created",
        "order.created",
        "order.paid",
    }
    assert body["next_cursor"] is None
    newest = received[0]
    assert newest["type"] == "order.paid" and newest["order_id"] == "o3"
    assert newest["occurred_at"].startswith("2026-03-03T10:00:00")
    assert newest["payload"]["total"] == 1003 and newest["payload"]["customer_id"] == "ada"
    assert newest["source"]


def test_pages_by_cursor_skip_nothing_at_the_same_time(client: TestClient, keys: Any, mp: Milepost) -> None:
    same = "2026-04-01T09:00:00Z"
    mp.ingest(keys.store, [paid(n) for n in range(1, 6)] + [paid(n, at=same) for n in range(10, 17)])

    paged = history(client, keys, limit=3)

    received = [e["id"] for e in paged if e["source"] == "api"]
    assert received == [f"e{n:02}" for n in range(16, 9, -1)] + ["e05", "e04", "e03", "e02", "e01"]
    assert len({(e["source"], e["id"]) for e in paged}) == len(paged)  # nothing twice
    first = client.get("/api/v1/customers/ada/events", params={"limit": 3}, headers=keys.auth()).json()
    assert len(first["data"]) == 3 and first["next_cursor"]


def test_a_customer_with_no_events_yet_and_an_unknown_one(client: TestClient, keys: Any, mp: Milepost) -> None:
    mp.ingest(keys.store, [paid(1)])

    assert_problem(client.get("/api/v1/customers/nobody/events", headers=keys.auth()), 404)
    assert client.get("/api/v1/customers/ada/events").status_code == 401
    assert client.get("/api/v1/customers/ada/events", headers=keys.auth("ingest")).status_code == 403


def test_a_cursor_this_api_did_not_give_out(client: TestClient, keys: Any, mp: Milepost) -> None:
    mp.ingest(keys.store, [paid(1), paid(2)])
    cursor = client.get("/api/v1/customers/ada/events", params={"limit": 1}, headers=keys.auth()).json()["next_cursor"]
    customers_cursor = client.get("/api/v1/customers", params={"limit": 1}, headers=keys.auth()).json()

    for bad in ("garbage", cursor[:-3], customers_cursor["next_cursor"] or "eyJ4Ijox"):
        r = client.get("/api/v1/customers/ada/events", params={"cursor": bad}, headers=keys.auth())
        assert_problem(r, 422, "query.cursor")
