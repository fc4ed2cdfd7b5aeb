"""The admin API besides order count events: the store, templates, customers and credit,
the milestone log and alerts."""

from __future__ import annotations

from typing import Any

import pytest
from admin_kit import assert_problem, create_event, orders, walk
from fastapi.testclient import TestClient

from milepost.testing import FrozenClock

# -- the store ----------------------------------------------------------------------------


def test_the_store_shows_and_changes_its_settings(client: TestClient, keys: Any) -> None:
    assert client.get("/api/v1/store", headers=keys.auth()).json() == {
        "key": keys.store,
        "name": "Test shop",
        "currency": "USD",
        "timezone": "UTC",
        "counting_status": "paid",
        "allow_negative_credit": False,
        "points_per_unit": 0,
        "allow_negative_points": False,
        "points_expire_days": None,
        "email_from_name": None,
        "email_from_address": None,
        "milestone_emails": "marketing",
        "reply_to_address": None,
        "logo_url": None,
        "locale": "en_US",
    }

    changes = {
        "name": "Renamed",
        "timezone": "Europe/Paris",
        "currency": "EUR",
        "allow_negative_credit": True,
        "milestone_emails": "transactional",
    }
    r = client.patch("/api/v1/store", json=changes, headers=keys.auth())

    assert r.status_code == 200 and r.json() == {**r.json(), **changes}
    assert client.get("/api/v1/store", headers=keys.auth()).json()["timezone"] == "Europe/Paris"


def test_the_currency_is_locked_once_orders_exist(client: TestClient, keys: Any) -> None:
    orders(client, keys, "ada", 1)

    assert_problem(client.patch("/api/v1/store", json={"currency": "EUR"}, headers=keys.auth()), 409)
    assert_problem(client.patch("/api/v1/store", json={"counting_status": "delivered"}, headers=keys.auth()), 409)
    assert client.patch("/api/v1/store", json={"name": "Still fine"}, headers=keys.auth()).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"currency": "usd"}, "currency"),
        ({"counting_status": "placed"}, "counting_status"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"key": "other"}, "key"),
        ({"allow_negative_credit": "yes"}, "allow_negative_credit"),
        ({"milestone_emails": "sometimes"}, "milestone_emails"),
    ],
)
def test_invalid_store_settings_are_422(client: TestClient, keys: Any, body: dict[str, Any], field: str) -> None:
    assert_problem(client.patch("/api/v1/store", json=body, headers=keys.auth()), 422, field)


# -- templates -----------------------------------------------------------------------------


def test_templates_are_created_replaced_read_and_deleted(client: TestClient, keys: Any) -> None:
    body = {"subject": "Welcome, {customer}", "body_text": "Thanks", "name": "Welcome"}
    created = client.put("/api/v1/templates/welcome", json=body, headers=keys.auth())
    assert created.status_code == 201 and created.headers["location"] == "/api/v1/templates/welcome"
    assert created.json()["key"] == "welcome" and created.json()["body_html"] is None

    replaced = client.put("/api/v1/templates/welcome", json={**body, "body_html": "<p>Hi</p>"}, headers=keys.auth())
    assert replaced.status_code == 200 and replaced.json()["body_html"] == "<p>Hi</p>"
    assert client.get("/api/v1/templates/welcome", headers=keys.auth()).json() == replaced.json()

    event = create_event(client, keys, actions=[{"type": "send_email", "template": "welcome"}])
    assert_problem(client.delete("/api/v1/templates/welcome", headers=keys.auth()), 409)
    client.delete(f"/api/v1/order-count-events/{event['id']}", headers=keys.auth())
    assert client.delete("/api/v1/templates/welcome", headers=keys.auth()).status_code == 204
    assert_problem(client.get("/api/v1/templates/welcome", headers=keys.auth()), 404)


@pytest.mark.parametrize(
    ("key", "body", "field"),
    [
        ("Bad%20Key", {"subject": "S", "body_text": "B"}, "key"),
        ("ok", {"subject": " ", "body_text": "B"}, "subject"),
        ("ok", {"subject": "S"}, "body_text"),
        ("ok", {"subject": "S", "body_text": "B", "html": "<p>"}, "html"),
    ],
)
def test_invalid_templates_are_422(client: TestClient, keys: Any, key: str, body: dict[str, Any], field: str) -> None:
    assert_problem(client.put(f"/api/v1/templates/{key}", json=body, headers=keys.auth()), 422, field)


def test_templates_page_by_key(client: TestClient, keys: Any) -> None:
    for key in ["e", "a", "d", "b", "c"]:
        client.put(f"/api/v1/templates/{key}", json={"subject": "S", "body_text": "B"}, headers=keys.auth())

    assert [t["key"] for t in walk(client, "/api/v1/templates", keys.auth(), 2)] == ["a", "b", "c", "d", "e"]


# -- customers and credit ----------------------------------------------------------------------


def test_a_customer_shows_counts_tags_credit_and_milestones(client: TestClient, keys: Any) -> None:
    actions = [{"type": "add_tag", "tag": "loyal"}, {"type": "credit", "amount": 700}]
    create_event(client, keys, count=2, actions=actions)
    profile = {"id": "p1", "type": "customer.updated", "customer_id": "ada/1", "email": "ada@example.com"}
    client.post("/api/v1/events", json=profile, headers=keys.auth("ingest"))
    orders(client, keys, "ada/1", 2)

    c = client.get("/api/v1/customers/ada%2F1", headers=keys.auth()).json()

    assert (c["id"], c["email"], c["order_count"], c["amount_spent"]) == ("ada/1", "ada@example.com", 2, 5000)
    assert c["tags"] == ["loyal"] and c["currency"] == "USD" and c["last_order_at"].endswith("+00:00")
    assert c["credit"]["balance"] == 700 and c["credit"]["balances"] == {"USD": 700}
    [entry] = c["credit"]["ledger"]
    assert entry["id"].startswith("led_") and entry["reason"] == "milestone" and entry["milestone"] == "Event"
    assert [m["value"] for m in c["milestones"]] == [2]
    assert_problem(client.get("/api/v1/customers/nobody", headers=keys.auth()), 404)


@pytest.fixture
def ada(client: TestClient, keys: Any) -> str:
    """A customer with 1000 of credit."""
    create_event(client, keys, count=1, actions=[{"type": "credit", "amount": 1000}])
    orders(client, keys, "ada", 1)
    return "/api/v1/customers/ada/credit"


def test_spending_credit_is_idempotent(client: TestClient, keys: Any, ada: str) -> None:
    body = {"amount": 300, "idempotency_key": "order-9", "order_id": "o-9", "note": "checkout"}
    first = client.post(f"{ada}/spend", json=body, headers=keys.auth())
    assert first.status_code == 201, first.text
    entry = first.json()
    assert (entry["amount"], entry["reason"], entry["idempotency_key"], entry["order_id"]) == (
        -300,
        "spend",
        "order-9",
        "o-9",
    )

    again = client.post(f"{ada}/spend", json=body, headers=keys.auth())

    assert again.status_code == 201 and again.json() == entry
    assert_problem(client.post(f"{ada}/spend", json={**body, "amount": 5}, headers=keys.auth()), 409)
    assert client.get("/api/v1/customers/ada", headers=keys.auth()).json()["credit"]["balance"] == 700


def test_the_idempotency_key_may_come_as_a_header(client: TestClient, keys: Any, ada: str) -> None:
    headers = {**keys.auth(), "Idempotency-Key": "h-1"}
    r = client.post(f"{ada}/spend", json={"amount": 100}, headers=headers)
    assert r.status_code == 201 and r.json()["idempotency_key"] == "h-1"

    both = {"amount": 100, "idempotency_key": "other"}
    assert_problem(client.post(f"{ada}/spend", json=both, headers=headers), 422, "idempotency_key")
    assert_problem(client.post(f"{ada}/spend", json={"amount": 100}, headers=keys.auth()), 422, "idempotency_key")


def test_credit_cannot_go_below_zero(client: TestClient, keys: Any, ada: str) -> None:
    r = client.post(f"{ada}/spend", json={"amount": 1001, "idempotency_key": "k"}, headers=keys.auth())

    assert_problem(r, 409)
    nobody = "/api/v1/customers/bob/credit/spend"
    assert_problem(client.post(nobody, json={"amount": 1, "idempotency_key": "k"}, headers=keys.auth()), 404)


def test_an_adjustment_records_reason_and_actor(client: TestClient, keys: Any, ada: str) -> None:
    body = {"amount": -250, "idempotency_key": "fix-1", "reason": "double credit"}
    entry = client.post(f"{ada}/adjust", json=body, headers=keys.auth()).json()

    assert (entry["amount"], entry["reason"], entry["note"]) == (-250, "adjustment", "double credit")
    assert entry["actor"].startswith("api key mpk_")
    named = client.post(f"{ada}/adjust", json={**body, "idempotency_key": "fix-2", "actor": "Eve"}, headers=keys.auth())
    assert named.json()["actor"] == "Eve"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("spend", {"amount": 0, "idempotency_key": "k"}, "amount"),
        ("spend", {"amount": -5, "idempotency_key": "k"}, "amount"),
        ("spend", {"amount": 1.5, "idempotency_key": "k"}, "amount"),
        ("spend", {"amount": 10**13, "idempotency_key": "k"}, "amount"),
        ("adjust", {"amount": 0, "idempotency_key": "k", "reason": "r"}, "amount"),
        ("adjust", {"amount": 5, "idempotency_key": "k"}, "reason"),
        ("adjust", {"amount": 5, "idempotency_key": "k", "reason": "  "}, "reason"),
        ("adjust", {"amount": 5, "idempotency_key": "k" * 181, "reason": "r"}, "idempotency_key"),
    ],
)
def test_invalid_credit_requests_are_422(
    client: TestClient, keys: Any, ada: str, path: str, body: dict[str, Any], field: str
) -> None:
    assert_problem(client.post(f"{ada}/{path}", json=body, headers=keys.auth()), 422, field)


# -- the milestone log and alerts ------------------------------------------------------------------


@pytest.fixture
def fired(client: TestClient, keys: Any, clock: FrozenClock) -> list[str]:
    """Seven customers reach their first order, an hour apart; an alert each."""
    create_event(client, keys, count=1, actions=[{"type": "alert"}])
    for i in range(7):
        orders(client, keys, f"c{i}", 1)
        clock.advance(hours=1)
    return [f"c{i}" for i in range(7)]


def test_the_milestone_log_pages_newest_first(client: TestClient, keys: Any, fired: list[str]) -> None:
    first = client.get("/api/v1/milestones", params={"limit": 3}, headers=keys.auth()).json()
    orders(client, keys, "late", 1)  # newer than the cursor: not in the following pages
    rest = walk(client, "/api/v1/milestones", keys.auth(), 3, cursor=first["next_cursor"])

    assert [m["customer_id"] for m in first["data"] + rest] == fired[::-1]


def test_the_milestone_log_filters(client: TestClient, keys: Any, fired: list[str]) -> None:
    log = walk(client, "/api/v1/milestones", keys.auth(), 50)
    since, until = log[4]["fired_at"], log[1]["fired_at"]  # c2 at 14:00 up to (not with) c5 at 17:00

    def customers(**params: Any) -> list[str]:
        return [m["customer_id"] for m in walk(client, "/api/v1/milestones", keys.auth(), 50, **params)]

    assert customers(since=since, until=until) == ["c4", "c3", "c2"]
    assert customers(customer_id="c3") == ["c3"]
    assert customers(order_count_event_id=log[0]["order_count_event_id"]) == fired[::-1]
    assert customers(order_count_event_id="oce_999999") == []
    assert customers(since="2026-03-01T13:00:00+01:00", until="2026-03-01T14:00:00+01:00") == ["c0"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-03-01T12:00:00"}, "query.since"),
        ({"until": "yesterday"}, "query.until"),
        ({"since": "0001-01-01T00:00:00+05:00"}, "query.since"),
        ({"order_count_event_id": "dlv_12"}, "query.order_count_event_id"),
        ({"cursor": "%%%"}, "query.cursor"),
    ],
)
def test_invalid_log_filters_are_422(client: TestClient, keys: Any, params: dict[str, Any], field: str) -> None:
    assert_problem(client.get("/api/v1/milestones", params=params, headers=keys.auth()), 422, field)


def test_alerts_are_listed_acknowledged_and_paged(client: TestClient, keys: Any, fired: list[str]) -> None:
    open_ = walk(client, "/api/v1/alerts", keys.auth(), 2)
    assert [a["customer_id"] for a in open_] == fired[::-1]
    assert all(a["id"].startswith("alr_") and a["status"] == "open" for a in open_)

    acked = client.post(f"/api/v1/alerts/{open_[0]['id']}/acknowledge", json={"by": "agent-7"}, headers=keys.auth())
    assert acked.status_code == 200
    assert (acked.json()["status"], acked.json()["acknowledged_by"]) == ("acknowledged", "agent-7")
    by_key = client.post(f"/api/v1/alerts/{open_[1]['id']}/acknowledge", headers=keys.auth()).json()
    assert by_key["acknowledged_by"].startswith("api key mpk_")

    again = client.post(f"/api/v1/alerts/{open_[0]['id']}/acknowledge", json={"by": "someone"}, headers=keys.auth())
    assert again.json() == acked.json()
    assert len(walk(client, "/api/v1/alerts", keys.auth(), 2)) == 5
    assert [a["id"] for a in walk(client, "/api/v1/alerts", keys.auth(), 2, status="acknowledged")] == [
        open_[0]["id"],
        open_[1]["id"],
    ]
    assert len(walk(client, "/api/v1/alerts", keys.auth(), 3, status="all")) == 7
    assert_problem(client.post("/api/v1/alerts/alr_99999999/acknowledge", headers=keys.auth()), 404)
    assert_problem(client.post("/api/v1/alerts/7/acknowledge", headers=keys.auth()), 404)
    assert_problem(client.get("/api/v1/alerts", params={"status": "closed"}, headers=keys.auth()), 422, "query.status")


def test_a_template_preview_and_a_refused_template_over_http(client, keys, mp) -> None:
    headers = keys.auth()
    bad = client.put(
        "/api/v1/templates/vip", json={"subject": "Hi", "body_text": "{{ customer.nme }}"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["errors"] == [
        {"field": "body_text", "reason": "line 1: 'dict object' has no attribute 'nme'"}
    ]
    ok = client.put(
        "/api/v1/templates/vip", json={"subject": "Hi {{ customer.name }}", "body_text": "x"}, headers=headers
    )
    assert ok.status_code == 201
    mp.ingest(keys.store, [{"id": "p1", "type": "customer.updated", "customer_id": "c9", "name": "Katherine"}])

    preview = client.post("/api/v1/templates/vip/preview", json={"customer_id": "c9"}, headers=headers)

    assert preview.status_code == 200 and preview.json() == {"subject": "Hi Katherine", "text": "x", "html": None}
    missing = client.post("/api/v1/templates/vip/preview", json={"customer_id": "nobody"}, headers=headers)
    assert missing.status_code == 404
