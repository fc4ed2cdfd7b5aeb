"""Small helpers shared by the admin API tests."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def paid(customer: str, order: str, total: int = 2500) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": customer, "order_id": order, "total": total}


def orders(client: TestClient, keys: Any, customer: str, n: int, start: int = 1) -> None:
    """`n` paid orders of `customer`, sent through POST /api/v1/events with the ingest key."""
    events = [paid(customer, f"{customer}-o{i}") for i in range(start, start + n)]
    r = client.post("/api/v1/events", json={"events": events}, headers=keys.auth("ingest"))
    assert r.status_code == 200 and r.json()["rejected"] == 0, r.text


def create_event(client: TestClient, keys: Any, **body: Any) -> dict[str, Any]:
    body = {"name": "Event", "count": 1, "actions": [{"type": "add_tag", "tag": "t"}], **body}
    r = client.post("/api/v1/order-count-events", json=body, headers=keys.auth())
    assert r.status_code == 201, r.text
    return r.json()


def walk(client: TestClient, path: str, headers: dict[str, str], limit: int, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, page by page, following next_cursor."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        r = client.get(path, params=query, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["data"]) <= limit
        items += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the pages never end")


def assert_problem(r: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """`r` is an RFC 9457 problem with `status`, naming `field` among its errors if given."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status and body["type"].startswith("https://") and body["title"]
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body
