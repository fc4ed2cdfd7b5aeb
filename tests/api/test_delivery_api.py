"""Deliveries and the local mailbox through the HTTP API: list, filter, inspect the attempts,
retry one or every dead one, read the mailbox; the store's sender settings."""

from __future__ import annotations

from typing import Any

import pytest
from admin_kit import assert_problem, orders, walk
from fastapi.testclient import TestClient

from milepost import Milepost
from milepost.config import Settings


def deliver(mp: Milepost, store: str, **changes: Any) -> None:
    worker = mp.worker(settings=Settings(delivery_jitter=0, **changes), stores=[store])
    try:
        worker.drain()
    finally:
        worker.close()


@pytest.fixture
def emailing(client: TestClient, keys: Any) -> None:
    """A store whose 1st order sends the `hello` email, and two customers (one consents)."""
    r = client.put(
        "/api/v1/templates/hello",
        json={"subject": "Hello {{ customer.name }}", "body_text": "Order {{ order.id }}"},
        headers=keys.auth(),
    )
    assert r.status_code in (200, 201), r.text
    body = {"name": "First", "count": 1, "actions": [{"type": "send_email", "template": "hello"}]}
    assert client.post("/api/v1/order-count-events", json=body, headers=keys.auth()).status_code == 201
    profiles = [
        {
            "id": "p1",
            "type": "customer.created",
            "customer_id": "ada",
            "name": "Ada",
            "email": "ada@example.com",
            "email_consent": True,
        },
        {"id": "p2", "type": "customer.created", "customer_id": "bob", "email": "bob@example.com"},
    ]
    assert client.post("/api/v1/events", json={"events": profiles}, headers=keys.auth("ingest")).status_code == 200
    orders(client, keys, "ada", 1)
    orders(client, keys, "bob", 1)


def test_the_store_sets_its_email_sender(client: TestClient, keys: Any) -> None:
    changes = {"email_from_name": "Shop Team", "email_from_address": "hello@shop.example"}
    r = client.patch("/api/v1/store", json=changes, headers=keys.auth())
    assert r.status_code == 200 and r.json() == {**r.json(), **changes}
    bad = client.patch("/api/v1/store", json={"email_from_address": "not an address"}, headers=keys.auth())
    assert_problem(bad, 422, "email_from_address")


def test_the_store_sets_a_reply_to_address_and_a_logo_then_clears_them(client: TestClient, keys: Any) -> None:
    changes = {"reply_to_address": "help@shop.example", "logo_url": "https://shop.example/logo.png"}
    r = client.patch("/api/v1/store", json=changes, headers=keys.auth())
    assert r.status_code == 200 and r.json() == {**r.json(), **changes}
    for field, value in [
        ("reply_to_address", "help"),
        ("logo_url", "http://shop.example/logo.png"),
        ("logo_url", "javascript:alert(1)"),
        ("logo_url", "https:///logo.png"),
    ]:
        assert_problem(client.patch("/api/v1/store", json={field: value}, headers=keys.auth()), 422, field)
    cleared = client.patch("/api/v1/store", json={"reply_to_address": None, "logo_url": None}, headers=keys.auth())
    assert cleared.status_code == 200
    assert cleared.json()["reply_to_address"] is None and cleared.json()["logo_url"] is None
    assert_problem(client.patch("/api/v1/store", json={"name": None}, headers=keys.auth()), 422, "name")


def test_deliveries_are_listed_filtered_and_shown_with_their_attempts(
    client: TestClient, keys: Any, mp: Milepost, emailing: None
) -> None:
    deliver(mp, keys.store)
    items = walk(client, "/api/v1/deliveries", keys.auth(), limit=1)
    assert [(d["customer_id"], d["status"]) for d in items] == [("bob", "skipped"), ("ada", "sent")]
    skipped = items[0]
    assert "consented" in skipped["last_error"] and skipped["template"] == "hello"
    assert skipped["id"].startswith("dlv_") and skipped["milestone_id"].startswith("mst_")
    sent = client.get("/api/v1/deliveries", params={"status": "sent"}, headers=keys.auth()).json()["data"]
    assert [d["customer_id"] for d in sent] == ["ada"]
    assert client.get("/api/v1/deliveries", params={"channel": "webhook"}, headers=keys.auth()).json()["data"] == []
    one = client.get(f"/api/v1/deliveries/{sent[0]['id']}", headers=keys.auth()).json()
    assert [a["outcome"] for a in one["attempt_log"]] == ["sent"] and one["attempt_log"][0]["attempt"] == 1
    assert_problem(client.get("/api/v1/deliveries/dlv_999999999", headers=keys.auth()), 404)
    assert_problem(client.get("/api/v1/deliveries/oce_1", headers=keys.auth()), 404)
    assert_problem(client.get("/api/v1/deliveries", params={"status": "lost"}, headers=keys.auth()), 422)


def test_the_local_mailbox_shows_what_would_be_sent(
    client: TestClient, keys: Any, mp: Milepost, emailing: None
) -> None:
    deliver(mp, keys.store)
    (mail,) = client.get("/api/v1/mailbox", headers=keys.auth()).json()["data"]
    assert mail["subject"] == "Hello Ada" and mail["body_text"] == "Order ada-o1"
    assert mail["recipient"] == "Ada <ada@example.com>" and mail["channel"] == "email"
    assert mail["message_id"].startswith("<") and mail["message_id"].endswith(">")
    assert client.get(f"/api/v1/mailbox/{mail['id']}", headers=keys.auth()).json() == mail
    assert client.get("/api/v1/mailbox", params={"channel": "sms"}, headers=keys.auth()).json()["data"] == []
    assert_problem(client.get("/api/v1/mailbox/msg_999999999", headers=keys.auth()), 404)


def test_dead_deliveries_are_retried_one_or_all(client: TestClient, keys: Any, mp: Milepost, emailing: None) -> None:
    # An SMTP server that is not there: every attempt fails, and a one-step schedule kills at once.
    deliver(mp, keys.store, smtp_host="127.0.0.1", smtp_port=9, smtp_security="none", delivery_schedule=[0])
    (dead,) = client.get("/api/v1/deliveries", params={"status": "dead"}, headers=keys.auth()).json()["data"]
    assert dead["attempts"] == 1 and dead["last_error"]
    (alert,) = client.get("/api/v1/alerts", headers=keys.auth()).json()["data"]
    assert dead["id"] in alert["message"]
    r = client.post(f"/api/v1/deliveries/{dead['id']}/retry", headers=keys.auth())
    assert r.status_code == 200 and r.json()["status"] == "pending" and r.json()["attempts"] == 0
    deliver(mp, keys.store)  # the local mailbox takes it now
    assert client.get(f"/api/v1/deliveries/{dead['id']}", headers=keys.auth()).json()["status"] == "sent"
    assert_problem(client.post(f"/api/v1/deliveries/{dead['id']}/retry", headers=keys.auth()), 409)
    assert client.post("/api/v1/deliveries/retry", headers=keys.auth()).json() == {"retried": 0}


def test_an_ingest_key_cannot_read_deliveries(client: TestClient, keys: Any) -> None:
    assert_problem(client.get("/api/v1/deliveries", headers=keys.auth("ingest")), 403)
    assert_problem(client.get("/api/v1/mailbox"), 401)


def test_the_milestone_log_shows_each_email_as_its_delivery_stands_now(
    client: TestClient, keys: Any, mp: Milepost, emailing: None
) -> None:
    def email_of(customer: str) -> dict[str, Any]:
        log = client.get("/api/v1/milestones", params={"customer_id": customer}, headers=keys.auth()).json()
        (milestone,) = log["data"]
        (action,) = milestone["actions"]
        return action

    # Before the worker: waiting, not "queued"
    assert email_of("bob")["status"] == "pending" and email_of("ada")["status"] == "pending"
    deliver(mp, keys.store)
    # After it: ada's was sent; bob's was skipped, and the log says why
    ada, bob = email_of("ada"), email_of("bob")
    assert ada["status"] == "sent" and ada["detail"] == "email 'hello' sent" and ada["reason"] is None
    assert bob["status"] == "skipped" and bob["reason"] == "the customer has not consented to marketing email"
    assert bob["detail"] == "email 'hello' skipped: the customer has not consented to marketing email"
    delivery = client.get(f"/api/v1/deliveries/{bob['delivery_id']}", headers=keys.auth()).json()
    assert delivery["customer_id"] == "bob" and delivery["status"] == "skipped"
    # the customer's report says the same
    (reached,) = client.get("/api/v1/customers/bob", headers=keys.auth()).json()["milestones"]
    assert reached["actions"] == [bob]


def test_a_skipped_email_is_resent_once_the_customer_has_consented(
    client: TestClient, keys: Any, mp: Milepost, emailing: None
) -> None:
    deliver(mp, keys.store)
    (skipped,) = client.get("/api/v1/deliveries", params={"status": "skipped"}, headers=keys.auth()).json()["data"]
    retry = f"/api/v1/deliveries/{skipped['id']}/retry"
    refused = assert_problem(client.post(retry, headers=keys.auth()), 409)
    assert refused["detail"].endswith("still cannot be sent: the customer has not consented to marketing email")

    consent = {"id": "c1", "type": "customer.updated", "customer_id": "bob", "email_consent": True}
    assert client.post("/api/v1/events", json={"events": [consent]}, headers=keys.auth("ingest")).status_code == 200
    r = client.post(retry, headers=keys.auth())
    assert r.status_code == 200 and r.json()["status"] == "pending" and r.json()["id"] == skipped["id"]
    deliver(mp, keys.store)
    assert client.get(f"/api/v1/deliveries/{skipped['id']}", headers=keys.auth()).json()["status"] == "sent"
    assert len(client.get("/api/v1/deliveries", headers=keys.auth()).json()["data"]) == 2  # no new delivery
    assert [m["recipient"] for m in client.get("/api/v1/mailbox", headers=keys.auth()).json()["data"]] == [
        "bob@example.com",
        "Ada <ada@example.com>",
    ]


def test_the_email_reach_says_how_many_customers_an_email_would_reach(
    client: TestClient, keys: Any, emailing: None
) -> None:
    reach = client.get("/api/v1/store/email-reach", headers=keys.auth()).json()
    assert {k: v for k, v in reach.items() if k != "text"} == {
        "customers": 2,
        "reached": 1,
        "no_address": 0,
        "no_consent": 1,
        "milestone_emails": "marketing",
    }
    assert reach["text"].startswith("This email would reach 1 of 2 customers today")
    client.patch("/api/v1/store", json={"milestone_emails": "transactional"}, headers=keys.auth())
    assert client.get("/api/v1/store/email-reach", headers=keys.auth()).json()["reached"] == 2
    assert_problem(client.get("/api/v1/store/email-reach", headers=keys.auth("ingest")), 403)
