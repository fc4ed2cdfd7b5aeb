"""/api/v1/order-count-events end to end through HTTP: create, fire, switch off, edit, delete."""

from __future__ import annotations

from typing import Any

import pytest
from admin_kit import assert_problem, create_event, orders, walk
from fastapi.testclient import TestClient

from milepost.entrypoints.http.wire import encode_cursor

EVENTS = "/api/v1/order-count-events"
VIP_ACTIONS = [
    {"type": "add_tag", "tag": "VIP"},
    {"type": "credit", "amount": 1000},
    {"type": "alert", "message": "{customer} reached {count} orders"},
]


def milestones(client: TestClient, keys: Any, **params: Any) -> list[dict[str, Any]]:
    r = client.get("/api/v1/milestones", params=params, headers=keys.auth())
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_the_lifecycle_of_an_order_count_event(client: TestClient, keys: Any) -> None:
    created = client.post(EVENTS, json={"name": "VIP", "count": 5, "actions": VIP_ACTIONS}, headers=keys.auth())
    assert created.status_code == 201, created.text
    event = created.json()
    assert created.headers["location"] == f"{EVENTS}/{event['id']}"
    assert event["id"].startswith("oce_") and event["count"] == 5 and event["active"] and event["version"] == 1
    assert event["actions"][1] == {"type": "credit", "amount": 1000, "currency": "USD"}
    assert event["created_at"].endswith("+00:00") and event["excluded"] == 0
    assert client.get(f"{EVENTS}/{event['id']}", headers=keys.auth()).json() == {
        k: v for k, v in event.items() if k != "excluded"
    }

    orders(client, keys, "ada", 5)
    [reached] = milestones(client, keys)
    assert (reached["order_count_event_id"], reached["customer_id"], reached["value"]) == (event["id"], "ada", 5)
    assert reached["order_id"] == "ada-o5" and reached["name"] == "VIP" and reached["version"] == 1
    assert [a["status"] for a in reached["actions"]] == ["done", "done", "done"]
    ada = client.get("/api/v1/customers/ada", headers=keys.auth()).json()
    assert ada["tags"] == ["VIP"] and ada["credit"]["balance"] == 1000 and ada["order_count"] == 5
    assert [m["id"] for m in ada["milestones"]] == [reached["id"]]
    assert ada["credit"]["ledger"][0]["milestone_id"] == reached["id"]
    [alert] = client.get("/api/v1/alerts", headers=keys.auth()).json()["data"]
    assert alert["message"] == "ada reached 5 orders" and alert["milestone_id"] == reached["id"]

    off = client.post(f"{EVENTS}/{event['id']}/disable", headers=keys.auth())
    assert off.status_code == 200 and off.json()["active"] is False
    orders(client, keys, "bob", 5)
    assert [m["customer_id"] for m in milestones(client, keys)] == ["ada"]

    edited = client.patch(f"{EVENTS}/{event['id']}", json={"count": 7, "name": "Gold"}, headers=keys.auth())
    assert edited.status_code == 200, edited.text
    assert (edited.json()["count"], edited.json()["name"], edited.json()["version"]) == (7, "Gold", 3)
    on = client.post(f"{EVENTS}/{event['id']}/enable", headers=keys.auth()).json()
    assert on["active"] is True and on["excluded"] == 0  # nobody is at 7 yet
    orders(client, keys, "bob", 2, start=6)
    newest = milestones(client, keys)[0]
    assert (newest["customer_id"], newest["value"], newest["name"], newest["version"]) == ("bob", 7, "Gold", 4)

    assert client.delete(f"{EVENTS}/{event['id']}", headers=keys.auth()).status_code == 204
    assert_problem(client.get(f"{EVENTS}/{event['id']}", headers=keys.auth()), 404)
    assert_problem(client.post(f"{EVENTS}/{event['id']}/enable", headers=keys.auth()), 404)
    assert client.get(EVENTS, headers=keys.auth()).json()["data"] == []
    kept = milestones(client, keys, order_count_event_id=event["id"])
    assert [m["customer_id"] for m in kept] == ["bob", "ada"]


def test_switching_on_excludes_customers_already_past_the_count(client: TestClient, keys: Any) -> None:
    orders(client, keys, "ada", 3)

    event = create_event(client, keys, count=2, actions=[{"type": "add_tag", "tag": "two"}])

    assert event["excluded"] == 1
    orders(client, keys, "ada", 1, start=4)
    assert milestones(client, keys) == []


def test_patch_with_active_switches_and_replaces_conditions(client: TestClient, keys: Any) -> None:
    event = create_event(client, keys, conditions=[{"tag": "gold"}])
    assert event["conditions"] == [{"tag": "gold", "has": True}]

    r = client.patch(f"{EVENTS}/{event['id']}", json={"active": False, "conditions": []}, headers=keys.auth())

    assert r.status_code == 200 and r.json()["active"] is False and r.json()["conditions"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": "five"}, "count"),
        ({"name": "  "}, "name"),
        ({"actions": []}, "actions"),
        ({"actions": [{"type": "launch_rocket"}]}, "actions[0].type"),
        ({"actions": [{"type": "credit", "amount": 500, "currency": "EUR"}]}, "actions[0].currency"),
        ({"actions": [{"type": "send_email", "template": "nope"}]}, "actions[0].template"),
        ({"actions": [{"type": "webhook", "url": "ftp://example.com"}]}, "actions[0].url"),
        ({"actions": [{"type": "alert", "message": "{customer:d}"}]}, "actions[0].message"),
        ({"conditions": [{"tag": "vip", "has": "yes"}]}, "conditions.0.has"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_events_are_422_problems_naming_the_field(
    client: TestClient, keys: Any, body: dict[str, Any], field: str
) -> None:
    full = {"name": "E", "count": 2, "actions": [{"type": "alert"}], **body}

    assert_problem(client.post(EVENTS, json=full, headers=keys.auth()), 422, field)


def test_a_patch_refuses_null_and_unknown_fields(client: TestClient, keys: Any) -> None:
    event = create_event(client, keys)
    path = f"{EVENTS}/{event['id']}"

    assert_problem(client.patch(path, json={"name": None}, headers=keys.auth()), 422, "name")
    assert_problem(client.patch(path, json={"threshold": 3}, headers=keys.auth()), 422, "threshold")
    assert_problem(client.patch(path, json={"count": -1}, headers=keys.auth()), 422, "count")
    assert client.get(path, headers=keys.auth()).json()["version"] == 1


@pytest.mark.parametrize("event_id", ["oce_999999999", "999999998", "mst_1", "oce_x", "oce_" + "9" * 30])
def test_unknown_or_malformed_ids_are_404(client: TestClient, keys: Any, event_id: str) -> None:
    assert_problem(client.get(f"{EVENTS}/{event_id}", headers=keys.auth()), 404)
    assert_problem(client.delete(f"{EVENTS}/{event_id}", headers=keys.auth()), 404)


def test_the_list_pages_by_count_without_gaps_or_duplicates(client: TestClient, keys: Any) -> None:
    created = [create_event(client, keys, name=f"E{i}", count=c) for i, c in enumerate([5, 1, 3, 3, 10, 2, 3])]
    expected = sorted(created, key=lambda e: (e["count"], int(e["id"][4:])))

    first = client.get(EVENTS, params={"limit": 3}, headers=keys.auth()).json()
    create_event(client, keys, name="late", count=100)  # added while paging: at the end, seen once
    rest = walk(client, EVENTS, keys.auth(), 3, cursor=first["next_cursor"])

    seen = [e["id"] for e in first["data"] + rest]
    assert seen[:7] == [e["id"] for e in expected] and len(seen) == len(set(seen)) == 8
    assert [e["id"] for e in walk(client, EVENTS, keys.auth(), 200)] == seen


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"cursor": "not-a-cursor"}, {"cursor": encode_cursor(["alr", 1])}],
)
def test_bad_paging_parameters_are_422(client: TestClient, keys: Any, params: dict[str, Any]) -> None:
    field = "query.cursor" if "cursor" in params else "query.limit"

    assert_problem(client.get(EVENTS, params=params, headers=keys.auth()), 422, field)
