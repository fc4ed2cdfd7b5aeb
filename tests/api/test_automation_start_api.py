"""`POST /api/v1/automations/{key}/start` over HTTP, on both backends: an automation
started for one customer now, through the pipeline a Trigger Workflow action uses (the
audience checked, the branch chosen, the actions fired, the firing in the milestone log
and the start in the customer's events); not started, and why, with nothing written;
an Idempotency-Key (or `idempotency_key`) that makes a retry start it once."""

from __future__ import annotations

import uuid
from typing import Any

import jsonschema
import pytest
from admin_kit import assert_problem
from fastapi.testclient import TestClient

VIP = {
    "key": "vip_onboarding",
    "name": "VIP onboarding",
    "trigger": {"type": "manual"},
    "audience": {"field": "email", "op": "valid"},
    "branches": [
        {
            "name": "big spenders",
            "when": {"field": "order_count", "op": ">=", "value": 3},
            "actions": [{"type": "add_tag", "tag": "big"}],
        },
        {
            "name": "everyone else",
            "when": {"field": "order_count", "op": ">=", "value": 1},
            "actions": [
                {"type": "add_tag", "tag": "vip"},
                {"type": "send_email", "template": "welcome_vip"},
                {"type": "alert", "message": "{customer} became a VIP"},
            ],
        },
    ],
}
START = "/api/v1/automations/vip_onboarding/start"


def call(client: TestClient, keys: Any, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    r = client.request(method, path, json=body, headers=keys.auth())
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def send(client: TestClient, keys: Any, *events: dict[str, Any]) -> None:
    r = client.post("/api/v1/events", json={"events": list(events)}, headers=keys.auth("ingest"))
    assert r.status_code == 200 and r.json()["rejected"] == 0, r.text


def customer(cid: str, email: str | None = None, orders: int = 1) -> list[dict[str, Any]]:
    created = {"id": uuid.uuid4().hex, "type": "customer.created", "customer_id": cid, "email": email}
    paid = [
        {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": cid, "order_id": f"{cid}-{i}", "total": 900}
        for i in range(orders)
    ]
    return [{**created, "email_consent": True}, *paid]


@pytest.fixture
def shop(client: TestClient, keys: Any) -> Any:
    """The VIP onboarding automation, its template, and customers: ada (1 order), max (3
    orders), nil (no email), new (no order)."""
    template = {"subject": "Welcome, VIP", "body_text": "Hello {{ customer.name }}"}
    call(client, keys, "PUT", "/api/v1/templates/welcome_vip", template, 201)
    call(client, keys, "POST", "/api/v1/automations", VIP, 201)
    send(client, keys, *customer("ada", "ada@example.com"), *customer("max", "max@example.com", orders=3))
    send(client, keys, *customer("nil"), *customer("new", "new@example.com", orders=0))
    return keys


def milestones(client: TestClient, keys: Any, cid: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = call(client, keys, "GET", f"/api/v1/milestones?customer_id={cid}")["data"]
    return found


def starts_in_history(client: TestClient, keys: Any, cid: str) -> list[dict[str, Any]]:
    events = call(client, keys, "GET", f"/api/v1/customers/{cid}/events")["data"]
    return [e for e in events if e["source"] == "start"]


def test_a_start_runs_the_branch_the_customer_takes_and_says_what_each_action_did(
    client: TestClient, shop: Any
) -> None:
    # When the automation is started for ada (one order) and for max (three)
    ada = call(client, shop, "POST", START, {"customer_id": "ada"})
    big = call(client, shop, "POST", START, {"customer_id": "max"})

    # Then each took their branch and its actions ran
    assert (ada["started"], ada["reason"], ada["branch"], ada["repeated"]) == (True, None, "everyone else", False)
    assert [(a["type"], a["status"]) for a in ada["actions"]] == [
        ("add_tag", "done"),
        ("send_email", "pending"),
        ("alert", "done"),
    ]
    assert ada["detail"] == "started for ada by the branch 'everyone else'"
    assert (big["branch"], [a["type"] for a in big["actions"]]) == ("big spenders", ["add_tag"])
    assert "vip" in call(client, shop, "GET", "/api/v1/customers/ada")["tags"]
    assert "big" in call(client, shop, "GET", "/api/v1/customers/max")["tags"]
    # the firing is in the milestone log, the start in the customer's events, the alert raised
    (logged,) = milestones(client, shop, "ada")
    assert logged["id"] == ada["milestone_id"]
    (history,) = starts_in_history(client, shop, "ada")
    assert history["payload"]["name"] == "automation started"
    assert history["payload"]["properties"]["automation"] == "vip_onboarding"
    assert history["payload"]["properties"]["by"].startswith("api key mpk_")
    alerts = call(client, shop, "GET", "/api/v1/alerts")["data"]
    assert [a["message"] for a in alerts] == ["ada@example.com became a VIP"]


def test_a_retry_with_the_same_idempotency_key_starts_it_once(client: TestClient, shop: Any) -> None:
    # Given a start with an Idempotency-Key
    headers = {**shop.auth(), "Idempotency-Key": "crm-42"}
    first = client.post(START, json={"customer_id": "ada"}, headers=headers)

    # When it is retried, by the header or by the body field
    again = client.post(START, json={"customer_id": "ada"}, headers=headers)
    in_body = call(client, shop, "POST", START, {"customer_id": "ada", "idempotency_key": "crm-42"})

    # Then the retries answer the first start, and it started once
    assert first.status_code == again.status_code == 200
    assert again.json()["repeated"] is True and in_body["repeated"] is True
    assert again.json()["milestone_id"] == in_body["milestone_id"] == first.json()["milestone_id"]
    assert again.json()["actions"] == first.json()["actions"]
    assert len(milestones(client, shop, "ada")) == 1
    assert len(starts_in_history(client, shop, "ada")) == 1
    assert len(call(client, shop, "GET", "/api/v1/alerts")["data"]) == 1
    # and without a key, each request is a start of its own
    call(client, shop, "POST", START, {"customer_id": "ada"})
    assert len(milestones(client, shop, "ada")) == 2


def test_an_idempotency_key_reused_for_another_customer_or_differing_is_refused(client: TestClient, shop: Any) -> None:
    call(client, shop, "POST", START, {"customer_id": "ada", "idempotency_key": "k-1"})

    other = client.post(START, json={"customer_id": "max", "idempotency_key": "k-1"}, headers=shop.auth())
    differing = client.post(
        START, json={"customer_id": "max", "idempotency_key": "k-2"}, headers={**shop.auth(), "Idempotency-Key": "k-3"}
    )

    assert "another automation or customer" in assert_problem(other, 409)["detail"]
    assert_problem(differing, 422, "idempotency_key")
    assert milestones(client, shop, "max") == []


@pytest.mark.parametrize(
    ("cid", "change", "reason"),
    [
        ("nil", None, "not_in_audience"),
        ("new", None, "no_branch"),
        ("ada", {"active": False}, "disabled"),
        ("ada", {"active_from": "2099-01-01"}, "not_active_yet"),
        ("ada", {"trigger": {"type": "signup", "days": 7}}, "daily_trigger"),
    ],
)
def test_not_started_says_why_and_writes_nothing(
    client: TestClient, shop: Any, cid: str, change: dict[str, Any] | None, reason: str
) -> None:
    if change is not None:
        call(client, shop, "PATCH", "/api/v1/automations/vip_onboarding", change)

    answer = call(client, shop, "POST", START, {"customer_id": cid, "idempotency_key": "once"})

    assert (answer["started"], answer["reason"], answer["milestone_id"], answer["actions"]) == (False, reason, None, [])
    assert answer["detail"]
    assert milestones(client, shop, cid) == [] and starts_in_history(client, shop, cid) == []
    assert call(client, shop, "GET", f"/api/v1/customers/{cid}")["tags"] == []


def test_an_unknown_customer_or_automation_is_a_404_and_a_bad_body_a_422(client: TestClient, shop: Any) -> None:
    nobody = client.post(START, json={"customer_id": "nobody"}, headers=shop.auth())
    no_automation = client.post("/api/v1/automations/none/start", json={"customer_id": "ada"}, headers=shop.auth())
    no_customer_id = client.post(START, json={}, headers=shop.auth())
    extra = client.post(START, json={"customer_id": "ada", "at": "now"}, headers=shop.auth())

    assert assert_problem(nobody, 404)["detail"] == "no customer 'nobody' in this store"
    assert assert_problem(no_automation, 404)["detail"] == "no automation with the key 'none'"
    assert_problem(no_customer_id, 422, "customer_id")
    assert_problem(extra, 422, "at")
    assert milestones(client, shop, "ada") == []


def test_the_answers_match_the_documented_schema(client: TestClient, shop: Any) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Started"]

    started = call(client, shop, "POST", START, {"customer_id": "ada"})
    refused = call(client, shop, "POST", START, {"customer_id": "nil"})

    for answer in (started, refused):
        jsonschema.validate(answer, schema)
    assert set(schema["required"]) <= set(started)
