"""A key of store B never reads or changes anything of store A, on every admin endpoint;
an ingest key gets 403 and no key 401 there.

ROUTES lists every admin route with what store B's admin key must get when it aims at
store A's resources. A new route under /api/v1 fails `test_every_admin_route_is_listed`
until it has a row here.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import pytest
from admin_kit import assert_problem, create_event, orders
from fastapi import FastAPI
from fastapi.testclient import TestClient

from milepost import Milepost
from milepost.config import Settings

# What store B's key gets: "missing" (404), "empty" (an empty page) or "own" (it acts on B's own store).
MISSING, EMPTY, OWN = "missing", "empty", "own"


class Route(NamedTuple):
    method: str
    path: str
    body: dict[str, Any] | None
    outcome: str
    query: dict[str, str] | None = None


#: An automation that names nothing of a store's: valid in both (its key is the path's).
AUTOMATION = {
    "name": "Day after sign-up",
    "trigger": {"type": "signup", "days": 1},
    "branches": [{"actions": [{"type": "add_tag", "tag": "new"}]}],
}

#: A segment filter any store's customers could match: store A's customer has orders.
SEGMENT_FILTER = {"type": "metric", "metric": "order_count", "condition": "more_than", "value": 0}

ROUTES = [
    Route("GET", "/api/v1/store", None, OWN),
    Route("PATCH", "/api/v1/store", {"name": "Taken over"}, OWN),
    Route("GET", "/api/v1/store/email-reach", None, OWN),
    Route("GET", "/api/v1/order-count-events", None, EMPTY),
    Route("POST", "/api/v1/order-count-events", {"name": "B", "count": 1, "actions": [{"type": "alert"}]}, OWN),
    Route("GET", "/api/v1/order-count-events/{event_id}", None, MISSING),
    Route("PATCH", "/api/v1/order-count-events/{event_id}", {"name": "Renamed"}, MISSING),
    Route("DELETE", "/api/v1/order-count-events/{event_id}", None, MISSING),
    Route("POST", "/api/v1/order-count-events/{event_id}/enable", None, MISSING),
    Route("POST", "/api/v1/order-count-events/{event_id}/disable", None, MISSING),
    Route("GET", "/api/v1/programs", None, EMPTY),
    Route(
        "POST",
        "/api/v1/programs",
        {"name": "B", "metric": "review_count", "threshold": 1, "actions": [{"type": "alert"}]},
        OWN,
    ),
    Route("GET", "/api/v1/programs/{program_id}", None, MISSING),
    Route("PATCH", "/api/v1/programs/{program_id}", {"name": "Renamed"}, MISSING),
    Route("PATCH", "/api/v1/programs/{program_id}", {"ends_at": "2030-01-01T00:00:00Z"}, MISSING),
    Route("DELETE", "/api/v1/programs/{program_id}", None, MISSING),
    Route("GET", "/api/v1/templates", None, EMPTY),
    Route("GET", "/api/v1/templates/{key}", None, MISSING),
    Route("PUT", "/api/v1/templates/{key}", {"subject": "Mine", "body_text": "Mine"}, OWN),
    Route("DELETE", "/api/v1/templates/{key}", None, MISSING),
    Route("POST", "/api/v1/templates/{key}/preview", {"customer_id": "{customer_id}"}, MISSING),
    Route("GET", "/api/v1/customers", None, EMPTY),
    Route("GET", "/api/v1/customers/{customer_id:path}", None, MISSING),
    Route("POST", "/api/v1/customers/{customer_id:path}/tags", {"tag": "Taken"}, MISSING),
    Route("DELETE", "/api/v1/customers/{customer_id:path}/tags/{tag}", None, MISSING),
    Route("POST", "/api/v1/customers/{customer_id:path}/credit/spend", {"amount": 1, "idempotency_key": "k"}, MISSING),
    Route(
        "POST",
        "/api/v1/customers/{customer_id:path}/credit/adjust",
        {"amount": -1, "idempotency_key": "k", "reason": "steal"},
        MISSING,
    ),
    Route("GET", "/api/v1/customers/{customer_id:path}/points", None, MISSING),
    Route("GET", "/api/v1/customers/{customer_id:path}/events", None, MISSING),
    Route("POST", "/api/v1/customers/{customer_id:path}/points/spend", {"points": 1, "idempotency_key": "k"}, MISSING),
    Route(
        "POST",
        "/api/v1/customers/{customer_id:path}/points/adjust",
        {"points": -1, "idempotency_key": "k", "reason": "steal"},
        MISSING,
    ),
    Route("GET", "/api/v1/customers/{customer_id:path}/codes", None, MISSING),
    Route("POST", "/api/v1/codes/validate", {"code": "{code}", "customer_id": "{customer_id}"}, OWN),
    Route(
        "POST", "/api/v1/codes/rollback", {"code": "{code}", "order_id": "{customer_id}-1"}, MISSING
    ),  # before redeem: nothing to roll back
    Route(
        "POST",
        "/api/v1/codes/redeem",
        {"code": "{code}", "customer_id": "{customer_id}", "order_id": "o-b", "idempotency_key": "k"},
        MISSING,
    ),
    Route("POST", "/api/v1/codes/void", {"code": "{code}", "reason": "stolen"}, MISSING),
    Route("GET", "/api/v1/milestones", None, EMPTY),
    Route("GET", "/api/v1/milestones", None, EMPTY, {"customer_id": "{customer_id}"}),
    Route("GET", "/api/v1/milestones", None, EMPTY, {"order_count_event_id": "{event_id}"}),
    Route("GET", "/api/v1/alerts", None, EMPTY, {"status": "all"}),
    Route("POST", "/api/v1/alerts/{alert_id}/acknowledge", {"by": "intruder"}, MISSING),
    Route("POST", "/api/v1/alerts/{alert_id}/resolve", {"by": "intruder"}, MISSING),
    Route("GET", "/api/v1/event-names", None, EMPTY),
    Route("GET", "/api/v1/deliveries", None, EMPTY),
    Route("GET", "/api/v1/deliveries", None, EMPTY, {"status": "pending"}),
    Route("GET", "/api/v1/deliveries/{delivery_id}", None, MISSING),
    Route("POST", "/api/v1/deliveries/{delivery_id}/retry", None, MISSING),
    Route("POST", "/api/v1/deliveries/retry", None, OWN),
    Route("GET", "/api/v1/mailbox", None, EMPTY),
    Route("GET", "/api/v1/mailbox/{message_id}", None, MISSING),
    Route("GET", "/api/v1/webhook-endpoints", None, EMPTY),
    Route("POST", "/api/v1/webhook-endpoints", {"url": "https://1.1.1.1/b"}, OWN),
    Route("GET", "/api/v1/webhook-endpoints/{endpoint_id}", None, MISSING),
    Route("PATCH", "/api/v1/webhook-endpoints/{endpoint_id}", {"description": "taken over"}, MISSING),
    Route("PATCH", "/api/v1/webhook-endpoints/{endpoint_id}", {"url": "https://1.1.1.1/stolen"}, MISSING),
    Route("GET", "/api/v1/webhook-endpoints/{endpoint_id}/secret", None, MISSING),
    Route("POST", "/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret", None, MISSING),
    Route("DELETE", "/api/v1/webhook-endpoints/{endpoint_id}", None, MISSING),
    Route("GET", "/api/v1/pools", None, EMPTY),
    Route("POST", "/api/v1/pools", {"key": "b", "name": "B", "discount": {"kind": "free_shipping"}}, OWN),
    Route("GET", "/api/v1/pools/{key}", None, MISSING),
    Route("POST", "/api/v1/pools/{key}/codes", {"codes": ["STOLEN-1"]}, MISSING),
    Route("POST", "/api/v1/pools/{key}/generate", {"count": 1}, MISSING),
    Route("PUT", "/api/v1/pools/{key}/threshold", {"low_threshold": 1}, MISSING),
    Route("GET", "/api/v1/automations", None, EMPTY),
    Route("POST", "/api/v1/automations", {"key": "b", **AUTOMATION}, OWN),
    Route("GET", "/api/v1/automations/{key}", None, MISSING),
    Route("PUT", "/api/v1/automations/{key}", AUTOMATION, OWN),
    Route("PATCH", "/api/v1/automations/{key}", {"active": False}, MISSING),
    Route("PATCH", "/api/v1/automations/{key}", {"name": "Taken over"}, MISSING),
    Route("GET", "/api/v1/automations/{key}/runs", None, MISSING),
    Route("GET", "/api/v1/automations/{key}/runs/{date}", None, MISSING),
    Route("GET", "/api/v1/automations/{key}/runs/{date}/misses", None, MISSING),
    Route("POST", "/api/v1/automations/{key}/start", {"customer_id": "{customer_id}"}, MISSING),
    Route("DELETE", "/api/v1/automations/{key}", None, MISSING),
    Route("POST", "/api/v1/daily-runs", {"date": "2026-03-01"}, OWN),
    Route("GET", "/api/v1/aggregates", None, EMPTY),
    Route("POST", "/api/v1/aggregates", {"key": "b", "name": "B", "source": "orders"}, OWN),
    Route("GET", "/api/v1/aggregates/{aggregate}", None, MISSING),
    Route("PATCH", "/api/v1/aggregates/{aggregate}", {"name": "taken over"}, MISSING),
    Route("DELETE", "/api/v1/aggregates/{aggregate}", None, MISSING),
    Route("GET", "/api/v1/customers/{customer_id:path}/aggregates", None, MISSING),
    Route("GET", "/api/v1/segments", None, EMPTY),
    Route("POST", "/api/v1/segments", {"key": "b", "name": "B", "filters": [SEGMENT_FILTER]}, OWN),
    Route("POST", "/api/v1/segments/preview", {"filters": [SEGMENT_FILTER]}, OWN),
    Route("GET", "/api/v1/segments/{segment}", None, MISSING),
    Route("PATCH", "/api/v1/segments/{segment}", {"name": "taken over"}, MISSING),
    Route("GET", "/api/v1/segments/{segment}/members", None, MISSING),
    Route("DELETE", "/api/v1/segments/{segment}", None, MISSING),
    Route("POST", "/api/v1/pools/{key}/remove-codes", {"expired": True}, MISSING),
    Route("DELETE", "/api/v1/pools/{key}", None, MISSING),
]

PROGRAM_A = {
    "name": "Five reviews",
    "metric": "review_count",
    "threshold": 5,
    "actions": [{"type": "add_tag", "tag": "Reviewer"}],
    "starts_at": "2026-01-01T00:00:00Z",
    "ends_at": "2027-01-01T00:00:00Z",
}

#: Routes of other kinds: events in (any key of the store may send).
NOT_ADMIN = {("POST", "/api/v1/events")}


class StoreA(NamedTuple):
    ids: dict[str, str]
    snapshot: dict[str, Any]


def _snapshot(client: TestClient, keys: Any, ids: dict[str, str]) -> dict[str, Any]:
    """Everything of store A that the admin API shows, read with A's own key."""
    reads = {
        "store": "/api/v1/store",
        "events": "/api/v1/order-count-events",
        "event": f"/api/v1/order-count-events/{ids['event_id']}",
        "programs": "/api/v1/programs",
        "program": f"/api/v1/programs/{ids['program_id']}",
        "templates": "/api/v1/templates",
        "customer": f"/api/v1/customers/{ids['customer_id']}",
        "points": f"/api/v1/customers/{ids['customer_id']}/points",
        "codes": f"/api/v1/customers/{ids['customer_id']}/codes",
        "customer_events": f"/api/v1/customers/{ids['customer_id']}/events",
        "milestones": "/api/v1/milestones",
        "alerts": "/api/v1/alerts?status=all",
        "event_names": "/api/v1/event-names",
        "deliveries": "/api/v1/deliveries",
        "delivery": f"/api/v1/deliveries/{ids['delivery_id']}",
        "mailbox": "/api/v1/mailbox",
        "endpoints": "/api/v1/webhook-endpoints",
        "secret": f"/api/v1/webhook-endpoints/{ids['endpoint_id']}/secret",
        "pools": "/api/v1/pools",
        "automations": "/api/v1/automations",
        "automation_runs": f"/api/v1/automations/{ids['key']}/runs",
        "automation_run": f"/api/v1/automations/{ids['key']}/runs/{ids['date']}",
        "aggregates": "/api/v1/aggregates",
        "aggregate_values": f"/api/v1/customers/{ids['customer_id']}/aggregates",
        "segments": "/api/v1/segments",
        "segment": f"/api/v1/segments/{ids['segment']}",
        "segment_members": f"/api/v1/segments/{ids['segment']}/members",
    }
    out = {}
    for name, path in reads.items():
        r = client.get(path, headers=keys.auth())
        assert r.status_code == 200, r.text
        out[name] = r.json()
    return out


@pytest.fixture
def store_a(client: TestClient, keys: Any, mp: Milepost) -> StoreA:
    """Store A with one of everything: a template, an event that fired, a review program with a window,
    a customer with credit, points and a discount code, an alert, a coupon pool,
    an email sent to the local mailbox, a webhook endpoint and deliveries pending for it and for an email."""
    client.put("/api/v1/templates/welcome-a", json={"subject": "Hi", "body_text": "Hello"}, headers=keys.auth())
    pool = {"key": "welcome-a", "name": "A", "discount": {"kind": "free_shipping"}}  # its key as the template's
    _post(client, keys, "/api/v1/pools", pool)
    _post(client, keys, "/api/v1/automations", {"key": "welcome-a", **AUTOMATION})  # its key as the template's
    _post(client, keys, "/api/v1/aggregates", {"key": "orders_a", "name": "A", "source": "orders"})
    _post(client, keys, "/api/v1/segments", {"key": "buyers_a", "name": "A", "filters": [SEGMENT_FILTER]})
    actions = [
        {"type": "credit", "amount": 500},
        {"type": "points", "points": 50},
        {"type": "alert"},
        {"type": "send_email", "template": "welcome-a"},
        {"type": "code", "discount": {"kind": "percentage", "percent": 10}},
    ]
    event = create_event(client, keys, name="First order", count=1, actions=actions)
    program = _post(client, keys, "/api/v1/programs", PROGRAM_A)
    profile = {"id": "p-a", "type": "customer.created", "customer_id": "cust-a", "email": "a@example.com"}
    client.post("/api/v1/events", json={**profile, "email_consent": True}, headers=keys.auth("ingest"))
    orders(client, keys, "cust-a", 1)
    [alert] = client.get("/api/v1/alerts", headers=keys.auth()).json()["data"]
    [code] = client.get("/api/v1/customers/cust-a/codes", headers=keys.auth()).json()["data"]
    worker = mp.worker(settings=Settings(smtp_host=""), stores=[keys.store])  # no SMTP: the local mailbox
    try:
        worker.drain()
    finally:
        worker.close()
    [mail] = client.get("/api/v1/mailbox", headers=keys.auth()).json()["data"]
    endpoint = _post(
        client, keys, "/api/v1/webhook-endpoints", {"url": "https://1.1.1.1/a", "event_types": ["milestone.reached"]}
    )
    orders(client, keys, "later-a", 1)  # an email (no address yet) and a webhook, both pending
    [email] = client.get("/api/v1/deliveries?status=pending&channel=email", headers=keys.auth()).json()["data"]
    ran = client.post("/api/v1/daily-runs", json={"date": "2026-03-02"}, headers=keys.auth())  # the day after they came
    assert ran.json()["days"][0]["automations"][0]["fired"] == 2, ran.text  # cust-a and later-a
    ids = {
        "date": "2026-03-02",
        "event_id": event["id"],
        "event_program_id": event["id"].replace("oce_", "prg_"),
        "program_id": program["id"],
        "key": "welcome-a",
        "customer_id": "cust-a",
        "tag": "Never-had",
        "alert_id": alert["id"],
        "delivery_id": email["id"],
        "message_id": mail["id"],
        "endpoint_id": endpoint["id"],
        "code": code["code"],
        "aggregate": "orders_a",
        "segment": "buyers_a",
    }
    return StoreA(ids, _snapshot(client, keys, ids))


def _post(client: TestClient, keys: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(path, json=body, headers=keys.auth())
    assert r.status_code == 201, r.text
    return r.json()


def _fill(template: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: ids[m.group(1)], template)


def _call(client: TestClient, route: Route, ids: dict[str, str], headers: dict[str, str]) -> Any:
    query = {k: _fill(v, ids) for k, v in (route.query or {}).items()}
    body = {k: _fill(v, ids) if isinstance(v, str) else v for k, v in route.body.items()} if route.body else None
    return client.request(route.method, _fill(route.path, ids), params=query, json=body, headers=headers)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path} {r.query or ''}".strip())
def test_another_store_s_key_cannot_reach_the_store_s_resources(
    client: TestClient, keys: Any, other_store: Any, store_a: StoreA, route: Route
) -> None:
    r = _call(client, route, store_a.ids, other_store.auth())

    if route.outcome == MISSING:
        assert_problem(r, 404)
    elif route.outcome == EMPTY:
        assert r.status_code == 200, r.text
        assert r.json() == {"data": [], "next_cursor": None}
    else:
        assert r.status_code in (200, 201), r.text
        assert "cust-a" not in r.text and store_a.ids["event_id"] not in r.text
    assert _snapshot(client, keys, store_a.ids) == store_a.snapshot


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path} {r.query or ''}".strip())
def test_an_ingest_key_gets_403_and_no_key_gets_401(
    client: TestClient, keys: Any, store_a: StoreA, route: Route
) -> None:
    assert_problem(_call(client, route, store_a.ids, keys.auth("ingest")), 403)
    unauthenticated = _call(client, route, store_a.ids, {})
    assert_problem(unauthenticated, 401)
    assert unauthenticated.headers["www-authenticate"].startswith("Bearer")
    assert _snapshot(client, keys, store_a.ids) == store_a.snapshot


def test_another_store_s_key_cannot_reach_an_order_count_event_as_a_program(
    client: TestClient, keys: Any, other_store: Any, store_a: StoreA
) -> None:
    path = f"/api/v1/programs/{store_a.ids['event_program_id']}"
    assert client.get(path, headers=keys.auth()).status_code == 200  # the store's own key finds it

    assert_problem(client.get(path, headers=other_store.auth()), 404)
    assert_problem(client.patch(path, json={"threshold": 2}, headers=other_store.auth()), 404)
    assert_problem(client.delete(path, headers=other_store.auth()), 404)
    assert _snapshot(client, keys, store_a.ids) == store_a.snapshot


def served_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, through included routers too."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is already flat
        routes: Any = app.routes
    else:
        routes = iter_route_contexts(app.routes)
    return {(method, route.path) for route in routes for method in getattr(route, "methods", None) or ()}


def test_every_admin_route_is_listed(app: FastAPI) -> None:
    served = {(m, path) for m, path in served_routes(app) if path.startswith("/api/v1/")}
    listed = {(r.method, r.path) for r in ROUTES}
    assert served - NOT_ADMIN == listed


def test_the_store_s_key_still_reaches_everything(client: TestClient, keys: Any, store_a: StoreA) -> None:
    """The same table with the store's own key: each call succeeds (so a 404 above is isolation)."""
    for route in ROUTES:
        r = _call(client, route, store_a.ids, keys.auth())
        assert r.status_code < 300, (route, r.text)
        if route.path.endswith("/order-count-events/{event_id}") and route.method == "DELETE":
            store_a.ids["event_id"] = create_event(client, keys, name="Again", count=9)["id"]
        if route.path.endswith("/programs/{program_id}") and route.method == "DELETE":
            store_a.ids["program_id"] = _post(client, keys, "/api/v1/programs", PROGRAM_A)["id"]
        if route.path.endswith("/templates/{key}") and route.method == "DELETE":
            client.put("/api/v1/templates/welcome-a", json={"subject": "S", "body_text": "B"}, headers=keys.auth())
        if route.path.endswith("/automations/{key}") and route.method == "DELETE":
            _post(client, keys, "/api/v1/automations", {"key": "welcome-a", **AUTOMATION})
        if route.path.endswith("/webhook-endpoints/{endpoint_id}") and route.method == "DELETE":
            again = _post(client, keys, "/api/v1/webhook-endpoints", {"url": "https://1.1.1.1/again"})
            store_a.ids["endpoint_id"] = again["id"]
