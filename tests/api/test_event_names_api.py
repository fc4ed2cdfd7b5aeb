"""GET /api/v1/event-names: every event name the store has seen, with count and last seen;
and a customer's history holds Milepost's internal events with the ones it was sent."""

from __future__ import annotations

from fastapi.testclient import TestClient

from milepost import Milepost

PAID = {
    "id": "o1",
    "type": "order.paid",
    "customer_id": "c1",
    "order_id": "A",
    "total": 1000,
    "occurred_at": "2026-02-01T10:00:00Z",
}


def test_the_catalogue_lists_types_custom_names_and_internal_events(client: TestClient, keys, mp: Milepost) -> None:
    events = [
        PAID,
        {
            "id": "w1",
            "type": "custom",
            "customer_id": "c1",
            "name": "cart_abandoned",
            "properties": {"value": 60},
            "occurred_at": "2026-02-02T10:00:00Z",
        },
        {
            "id": "w2",
            "type": "custom",
            "customer_id": "c2",
            "name": "cart_abandoned",
            "occurred_at": "2026-02-03T10:00:00Z",
        },
    ]
    for _ in range(2):  # the second time, duplicates: nothing counted again
        assert client.post("/api/v1/events", json={"events": events}, headers=keys.auth("ingest")).status_code == 200

    r = client.get("/api/v1/event-names", headers=keys.auth())

    assert r.status_code == 200, r.text
    found = {(e["name"], e["internal"]): e for e in r.json()["data"]}
    assert found[("cart_abandoned", False)]["count"] == 2
    assert found[("cart_abandoned", False)]["last_seen_at"].startswith("2026-02-03T10:00:00")
    assert found[("order.paid", False)]["count"] == 1 and found[("order.paid", True)]["count"] == 1
    assert found[("customer.created", True)]["count"] == 2
    assert found[("customer.created", True)]["payload_doc"] == "docs/reference/events.md#customercreated"
    assert found[("cart_abandoned", False)]["payload_doc"] is None
    assert client.get("/api/v1/event-names", headers=keys.auth("ingest")).status_code == 403


def test_a_customers_history_pages_through_internal_events_too(client: TestClient, keys, mp: Milepost) -> None:
    mp.ingest(keys.store, [PAID])

    first = client.get("/api/v1/customers/c1/events", params={"limit": 2}, headers=keys.auth()).json()
    rest = client.get(
        "/api/v1/customers/c1/events", params={"limit": 2, "cursor": first["next_cursor"]}, headers=keys.auth()
    ).json()

    seen = [(e["source"], e["type"]) for e in first["data"] + rest["data"]]
    assert sorted(seen) == [
        ("api", "order.paid"),
        ("milepost", "customer.created"),
        ("milepost", "order.created"),
        ("milepost", "order.paid"),
    ]
    assert rest["next_cursor"] is None
