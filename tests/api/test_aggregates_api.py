"""Aggregates over HTTP: defined, listed, changed and deleted, refused with problem details,
and a customer's values as of a day (the whole days before it count)."""

from __future__ import annotations

from typing import Any

import pytest
from admin_kit import assert_problem, orders
from fastapi.testclient import TestClient

ORDERS_30D = {"key": "orders_30d", "name": "Orders in 30 days", "source": "orders", "window_days": 30}


@pytest.fixture
def orders_30d(client: TestClient, keys: Any) -> dict[str, Any]:
    r = client.post("/api/v1/aggregates", json=ORDERS_30D, headers=keys.auth())
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_an_aggregate_is_created_listed_changed_and_deleted(
    client: TestClient, keys: Any, orders_30d: dict[str, Any]
) -> None:
    assert {k: orders_30d[k] for k in ("key", "source", "function", "property", "window_days")} == {
        "key": "orders_30d",
        "source": "orders",
        "function": "count",
        "property": None,
        "window_days": 30,
    }
    assert client.get("/api/v1/aggregates", headers=keys.auth()).json()["data"] == [orders_30d]
    r = client.patch(
        "/api/v1/aggregates/orders_30d", json={"window_days": None, "function": "sum"}, headers=keys.auth()
    )
    assert (r.status_code, r.json()["window_days"], r.json()["function"]) == (200, None, "sum"), r.text
    assert client.get("/api/v1/aggregates/orders_30d", headers=keys.auth()).json() == r.json()
    assert client.delete("/api/v1/aggregates/orders_30d", headers=keys.auth()).status_code == 204
    assert_problem(client.get("/api/v1/aggregates/orders_30d", headers=keys.auth()), 404)
    assert_problem(client.delete("/api/v1/aggregates/orders_30d", headers=keys.auth()), 404)


def test_bad_definitions_are_problems(client: TestClient, keys: Any, orders_30d: dict[str, Any]) -> None:
    post = lambda body: client.post("/api/v1/aggregates", json=body, headers=keys.auth())  # noqa: E731
    assert_problem(post(ORDERS_30D), 409)
    assert_problem(post({**ORDERS_30D, "key": "Orders 30"}), 422, "key")
    assert_problem(post({**ORDERS_30D, "key": "x", "window_days": 0}), 422, "window_days")
    assert_problem(post({**ORDERS_30D, "key": "x", "function": "avg"}), 422, "function")
    assert_problem(post({**ORDERS_30D, "key": "x", "source": "gift", "function": "sum"}), 422, "property")
    r = client.patch("/api/v1/aggregates/orders_30d", json={"name": None}, headers=keys.auth())
    assert_problem(r, 422, "name")
    r = client.patch("/api/v1/aggregates/orders_30d", json={"key": "other"}, headers=keys.auth())
    assert_problem(r, 422, "key")


def test_a_customer_s_values_count_the_whole_days_before_the_date(
    client: TestClient, keys: Any, orders_30d: dict[str, Any]
) -> None:
    orders(client, keys, "cust-1", 2)  # paid now: 2026-03-01 (the store is on UTC)
    path = "/api/v1/customers/cust-1/aggregates"

    today = client.get(path, headers=keys.auth()).json()
    tomorrow = client.get(path, params={"date": "2026-03-02"}, headers=keys.auth()).json()

    assert today == {"customer_id": "cust-1", "date": "2026-03-01", "values": {"orders_30d": 0}}
    assert tomorrow["values"] == {"orders_30d": 2}
    r = client.get(path, params={"date": "2026-03-31"}, headers=keys.auth())
    assert r.json()["values"] == {"orders_30d": 2}
    r = client.get(path, params={"date": "2026-04-01"}, headers=keys.auth())
    assert r.json()["values"] == {"orders_30d": 0}
    assert_problem(client.get(path, params={"date": "March"}, headers=keys.auth()), 422)
    assert_problem(client.get("/api/v1/customers/nobody/aggregates", headers=keys.auth()), 404)
