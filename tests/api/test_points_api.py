"""Points over HTTP: the store's points settings, points earned through POST /api/v1/events,
the customer's points fields, and spending, adjusting and reading the points ledger."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from admin_kit import assert_problem, create_event, orders, paid
from fastapi.testclient import TestClient


def _ingest(client: TestClient, keys: Any, *events: dict[str, Any]) -> None:
    r = client.post("/api/v1/events", json={"events": list(events)}, headers=keys.auth("ingest"))
    assert r.status_code == 200 and r.json()["rejected"] == 0, r.text


@pytest.fixture
def ada(client: TestClient, keys: Any) -> str:
    """A customer with 100 points, given by her first order's milestone (the store earns none per order)."""
    create_event(client, keys, name="Welcome", count=1, actions=[{"type": "points", "points": 100}])
    orders(client, keys, "ada", 1)
    return "/api/v1/customers/ada/points"


# -- the store's settings -------------------------------------------------------------------


def test_the_store_shows_and_changes_its_points_settings(client: TestClient, keys: Any) -> None:
    store = client.get("/api/v1/store", headers=keys.auth()).json()
    assert (store["points_per_unit"], store["allow_negative_points"]) == (0, False)

    changes = {"points_per_unit": 10, "allow_negative_points": True}
    r = client.patch("/api/v1/store", json=changes, headers=keys.auth())

    assert r.status_code == 200 and r.json() == {**store, **changes}
    assert client.get("/api/v1/store", headers=keys.auth()).json() == r.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"points_per_unit": -1}, "points_per_unit"),
        ({"points_per_unit": 1_000_001}, "points_per_unit"),
        ({"points_per_unit": 1.5}, "points_per_unit"),
        ({"points_per_unit": "10"}, "points_per_unit"),
        ({"points_per_unit": None}, "points_per_unit"),
        ({"allow_negative_points": "yes"}, "allow_negative_points"),
    ],
)
def test_invalid_points_settings_are_422(client: TestClient, keys: Any, body: dict[str, Any], field: str) -> None:
    assert_problem(client.patch("/api/v1/store", json=body, headers=keys.auth()), 422, field)


# -- earning and the customer resource --------------------------------------------------------------


def test_orders_earn_points_per_unit_and_refunds_take_them_back(client: TestClient, keys: Any) -> None:
    # Given a store that gives 2 points per dollar
    client.patch("/api/v1/store", json={"points_per_unit": 2}, headers=keys.auth())
    # When Ada pays 27.50 and 10.00 through the events API
    _ingest(client, keys, paid("ada", "o1", 2750), paid("ada", "o2", 1000))

    # Then she earned 54 + 20 points, each order an `earn` entry
    c = client.get("/api/v1/customers/ada", headers=keys.auth()).json()
    assert (c["points_balance"], c["points_earned"]) == (74, 74)
    ledger = client.get("/api/v1/customers/ada/points", headers=keys.auth()).json()
    assert ledger["balance"] == 74
    assert [(e["points"], e["reason"], e["order_id"]) for e in ledger["ledger"]] == [
        (54, "earn", "o1"),
        (20, "earn", "o2"),
    ]
    assert all(e["id"].startswith("pts_") for e in ledger["ledger"])

    # When the second order is refunded in full, its points go back
    refund = {"id": "r2", "type": "order.refunded", "customer_id": "ada", "order_id": "o2", "refund_amount": 1000}
    _ingest(client, keys, refund)

    c = client.get("/api/v1/customers/ada", headers=keys.auth()).json()
    assert (c["points_balance"], c["points_earned"]) == (54, 54)


def test_the_customer_shows_every_metric_and_points(client: TestClient, keys: Any, ada: str) -> None:
    c = client.get("/api/v1/customers/ada", headers=keys.auth()).json()

    assert c["order_count"] == 1
    assert (c["review_count"], c["referral_count"], c["billing_cycles"]) == (0, 0, 0)
    # a milestone's points count in the balance, not as points earned by buying
    assert (c["points_balance"], c["points_earned"]) == (100, 0)
    [entry] = client.get(ada, headers=keys.auth()).json()["ledger"]
    assert (entry["points"], entry["reason"], entry["milestone"]) == (100, "milestone", "Welcome")
    assert entry["milestone_id"].startswith("mst_")


def test_the_ledger_of_a_customer_that_does_not_exist_is_404(client: TestClient, keys: Any) -> None:
    assert_problem(client.get("/api/v1/customers/nobody/points", headers=keys.auth()), 404)


# -- spending and adjusting -------------------------------------------------------------------------


def test_spending_points_is_idempotent(client: TestClient, keys: Any, ada: str) -> None:
    body = {"points": 30, "idempotency_key": "order-9", "order_id": "o-9", "note": "checkout"}
    first = client.post(f"{ada}/spend", json=body, headers=keys.auth())
    assert first.status_code == 201, first.text
    entry = first.json()
    assert (entry["points"], entry["reason"], entry["idempotency_key"], entry["order_id"], entry["note"]) == (
        -30,
        "spend",
        "order-9",
        "o-9",
        "checkout",
    )

    again = client.post(f"{ada}/spend", json=body, headers=keys.auth())

    assert again.status_code == 201 and again.json() == entry
    assert_problem(client.post(f"{ada}/spend", json={**body, "points": 5}, headers=keys.auth()), 409)
    assert client.get("/api/v1/customers/ada", headers=keys.auth()).json()["points_balance"] == 70
    assert client.get(ada, headers=keys.auth()).json()["balance"] == 70


def test_the_idempotency_key_may_come_as_a_header(client: TestClient, keys: Any, ada: str) -> None:
    headers = {**keys.auth(), "Idempotency-Key": "h-1"}
    r = client.post(f"{ada}/spend", json={"points": 10}, headers=headers)
    assert r.status_code == 201 and r.json()["idempotency_key"] == "h-1"

    both = {"points": 10, "idempotency_key": "other"}
    assert_problem(client.post(f"{ada}/spend", json=both, headers=headers), 422, "idempotency_key")
    assert_problem(client.post(f"{ada}/spend", json={"points": 10}, headers=keys.auth()), 422, "idempotency_key")


def test_points_are_keyed_apart_from_credit(client: TestClient, keys: Any, ada: str) -> None:
    # the same key on the credit ledger is another ledger: no 409 for the points
    client.post(
        "/api/v1/customers/ada/credit/adjust",
        json={"amount": 500, "idempotency_key": "shared", "reason": "goodwill"},
        headers=keys.auth(),
    )
    r = client.post(f"{ada}/spend", json={"points": 10, "idempotency_key": "shared"}, headers=keys.auth())
    assert r.status_code == 201, r.text


def test_points_cannot_go_below_zero(client: TestClient, keys: Any, ada: str) -> None:
    r = client.post(f"{ada}/spend", json={"points": 101, "idempotency_key": "k"}, headers=keys.auth())

    body = assert_problem(r, 409)
    assert "100 points" in body["detail"]
    down = {"points": -101, "idempotency_key": "k2", "reason": "too far"}
    assert_problem(client.post(f"{ada}/adjust", json=down, headers=keys.auth()), 409)
    assert client.get(ada, headers=keys.auth()).json()["balance"] == 100
    nobody = "/api/v1/customers/bob/points/spend"
    assert_problem(client.post(nobody, json={"points": 1, "idempotency_key": "k"}, headers=keys.auth()), 404)


def test_a_store_that_allows_negative_points_lets_the_balance_go_below_zero(
    client: TestClient, keys: Any, ada: str
) -> None:
    client.patch("/api/v1/store", json={"allow_negative_points": True}, headers=keys.auth())

    r = client.post(f"{ada}/spend", json={"points": 150, "idempotency_key": "k"}, headers=keys.auth())

    assert r.status_code == 201, r.text
    assert client.get("/api/v1/customers/ada", headers=keys.auth()).json()["points_balance"] == -50


def test_an_adjustment_records_reason_and_actor(client: TestClient, keys: Any, ada: str) -> None:
    body = {"points": -25, "idempotency_key": "fix-1", "reason": "double points"}
    r = client.post(f"{ada}/adjust", json=body, headers=keys.auth())
    assert r.status_code == 201, r.text
    entry = r.json()

    assert (entry["points"], entry["reason"], entry["note"], entry["idempotency_key"]) == (
        -25,
        "adjustment",
        "double points",
        "fix-1",
    )
    assert entry["actor"].startswith("api key mpk_")
    named = client.post(f"{ada}/adjust", json={**body, "idempotency_key": "fix-2", "actor": "Eve"}, headers=keys.auth())
    assert named.json()["actor"] == "Eve"
    up = client.post(
        f"{ada}/adjust", json={"points": 5, "idempotency_key": "fix-3", "reason": "sorry"}, headers=keys.auth()
    )
    assert up.status_code == 201
    assert client.get(ada, headers=keys.auth()).json()["balance"] == 100 - 25 - 25 + 5
    assert_problem(client.post(f"{ada}/adjust", json={**body, "points": -24}, headers=keys.auth()), 409)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("spend", {"points": 0, "idempotency_key": "k"}, "points"),
        ("spend", {"points": -5, "idempotency_key": "k"}, "points"),
        ("spend", {"points": 1.5, "idempotency_key": "k"}, "points"),
        ("spend", {"points": "5", "idempotency_key": "k"}, "points"),
        ("spend", {"points": 10**13, "idempotency_key": "k"}, "points"),
        ("spend", {"amount": 5, "idempotency_key": "k"}, "points"),
        ("spend", {"points": 5, "idempotency_key": "k", "amount": 5}, "amount"),
        ("adjust", {"points": 0, "idempotency_key": "k", "reason": "r"}, "points"),
        ("adjust", {"points": 5, "idempotency_key": "k"}, "reason"),
        ("adjust", {"points": 5, "idempotency_key": "k", "reason": "  "}, "reason"),
        ("adjust", {"points": 5, "idempotency_key": "k" * 181, "reason": "r"}, "idempotency_key"),
    ],
)
def test_invalid_points_requests_are_422(
    client: TestClient, keys: Any, ada: str, path: str, body: dict[str, Any], field: str
) -> None:
    assert_problem(client.post(f"{ada}/{path}", json=body, headers=keys.auth()), 422, field)


# -- the points action ----------------------------------------------------------------------------


@pytest.mark.parametrize("points", [0, -1, 1.5, "10", 10**9 + 1, True])
def test_an_invalid_points_action_is_422(client: TestClient, keys: Any, points: Any) -> None:
    body = {"name": "Bad", "count": 1, "actions": [{"type": "points", "points": points}]}
    r = client.post("/api/v1/order-count-events", json=body, headers=keys.auth())
    problem = assert_problem(r, 422, "actions[0].points")
    assert "points" in problem["detail"]


def test_the_points_action_is_described_as_points_in_the_openapi_document(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    text = str(schema)
    assert "'maximum': 1000000000" in text
    [action] = [
        item
        for item in schema["components"]["schemas"]["OrderCountEventIn"]["properties"]["actions"]["items"]["oneOf"]
        if item["properties"]["type"]["enum"] == ["points"]
    ]
    assert action["properties"]["points"]["minimum"] == 1
    assert action["properties"]["points"]["maximum"] == 1_000_000_000


# -- expiry ---------------------------------------------------------------------------------------


def test_points_expiry_is_a_store_setting_and_the_ledger_shows_what_expires(
    client: TestClient, keys: Any, mp: Any, clock: Any
) -> None:
    # Given a store whose points expire after 30 days, and a customer who earned 25 of them
    r = client.patch("/api/v1/store", json={"points_per_unit": 1, "points_expire_days": 30}, headers=keys.auth())
    assert r.status_code == 200 and r.json()["points_expire_days"] == 30
    _ingest(client, keys, paid("eve", "eve-o1", 2500))
    start = clock()

    # Then her ledger says when they expire
    points = client.get("/api/v1/customers/eve/points", headers=keys.auth()).json()
    assert points["balance"] == 25
    (lot,) = points["expiring"]
    assert lot["points"] == 25 and lot["expires_at"] == (start + timedelta(days=30)).isoformat()

    # When 30 days pass and the sweep runs, they are gone, with an `expire` entry
    clock.advance(days=30)
    assert mp.sweeps.points_expiry([keys.store]).points == 25
    points = client.get("/api/v1/customers/eve/points", headers=keys.auth()).json()
    assert points["balance"] == 0 and points["expiring"] == []
    assert [(e["reason"], e["points"]) for e in points["ledger"]] == [("earn", 25), ("expire", -25)]

    # And 0 switches expiry off
    r = client.patch("/api/v1/store", json={"points_expire_days": 0}, headers=keys.auth())
    assert r.json()["points_expire_days"] is None


@pytest.mark.parametrize("days", [-1, 36_501, 1.5, "30", None])
def test_invalid_expiry_periods_are_422(client: TestClient, keys: Any, days: Any) -> None:
    assert_problem(
        client.patch("/api/v1/store", json={"points_expire_days": days}, headers=keys.auth()), 422, "points_expire_days"
    )
