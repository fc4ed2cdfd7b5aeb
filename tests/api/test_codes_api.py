"""Discount codes over HTTP: a customer's codes, validate, redeem (idempotent, refusals as
problems with the verdict), rollback after a refund, and void."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from admin_kit import assert_problem, create_event, orders
from fastapi.testclient import TestClient

from milepost.testing import FrozenClock

ACTION = {"type": "code", "discount": {"kind": "percentage", "percent": 15}, "expires_in_days": 10}


@pytest.fixture
def code(client: TestClient, keys: Any) -> str:
    """ada's first order gave her a 15% code, good for 10 days."""
    create_event(client, keys, name="Welcome", count=1, actions=[ACTION])
    orders(client, keys, "ada", 1)
    r = client.get("/api/v1/customers/ada/codes", headers=keys.auth())
    assert r.status_code == 200, r.text
    [found] = r.json()["data"]
    return str(found["code"])


def post(client: TestClient, keys: Any, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(f"/api/v1/codes/{path}", json=body, headers={**keys.auth(), **headers})


def test_a_customer_s_codes(client: TestClient, keys: Any, code: str) -> None:
    [found] = client.get("/api/v1/customers/ada/codes", headers=keys.auth()).json()["data"]
    assert found["code"] == code and found["customer_id"] == "ada" and found["status"] == "valid"
    assert found["discount"] == {"kind": "percentage", "percent": 15}
    assert found["expires_at"] is not None and found["redeemed_at"] is None and found["voided_at"] is None
    assert_problem(client.get("/api/v1/customers/nobody/codes", headers=keys.auth()), 404)


def test_validate_answers_the_verdict(client: TestClient, keys: Any, code: str, clock: FrozenClock) -> None:
    r = post(client, keys, "validate", {"code": code.lower(), "customer_id": "ada"})
    assert r.status_code == 200
    assert r.json() == {
        "code": code,
        "valid": True,
        "status": "valid",
        "reason": "",
        "discount": {"kind": "percentage", "percent": 15},
    }
    assert post(client, keys, "validate", {"code": code, "customer_id": "bob"}).json()["status"] == "not_theirs"
    assert post(client, keys, "validate", {"code": "NOPE", "customer_id": "ada"}).json()["status"] == "unknown"
    clock.advance(timedelta(days=10))
    expired = post(client, keys, "validate", {"code": code, "customer_id": "ada"}).json()
    assert (expired["valid"], expired["status"], expired["discount"]) == (False, "expired", None)


def test_redeem_is_idempotent_and_refusals_carry_the_verdict(client: TestClient, keys: Any, code: str) -> None:
    body = {"code": code, "customer_id": "ada", "order_id": "o-9", "idempotency_key": "k1"}
    first = post(client, keys, "redeem", body)
    assert first.status_code == 200, first.text
    assert first.json()["redeemed_order_id"] == "o-9" and first.json()["status"] == "already_redeemed"
    assert post(client, keys, "redeem", body).json() == first.json()

    again = {**body, "order_id": "o-10", "idempotency_key": None}
    refused = assert_problem(post(client, keys, "redeem", again, **{"Idempotency-Key": "k2"}), 409)
    assert refused["verdict"] == "already_redeemed" and "o-9" in refused["detail"]
    unknown = {**body, "code": "NOPE-NOPE-NOPE", "idempotency_key": "k3"}
    assert assert_problem(post(client, keys, "redeem", unknown), 404)["verdict"] == "unknown"
    assert_problem(post(client, keys, "redeem", {**body, "idempotency_key": None}), 422, "idempotency_key")


def test_rollback_after_a_refund_and_void(client: TestClient, keys: Any, code: str) -> None:
    body = {"code": code, "customer_id": "ada", "order_id": "ada-1", "idempotency_key": "k1"}
    assert post(client, keys, "redeem", body).status_code == 200
    assert_problem(post(client, keys, "rollback", {"code": code, "order_id": "ada-1"}), 409)

    refund = {"id": "r1", "type": "order.refunded", "customer_id": "ada", "order_id": "ada-1"}
    assert client.post("/api/v1/events", json=refund, headers=keys.auth("ingest")).status_code == 200
    rolled = post(client, keys, "rollback", {"code": code, "order_id": "ada-1"})
    assert rolled.status_code == 200 and rolled.json()["status"] == "valid"

    voided = post(client, keys, "void", {"code": code, "reason": "fraud"})
    assert voided.status_code == 200 and voided.json()["status"] == "voided" and voided.json()["void_reason"] == "fraud"
    assert post(client, keys, "validate", {"code": code, "customer_id": "ada"}).json()["reason"] == "fraud"
    assert_problem(post(client, keys, "void", {"code": "NOPE", "reason": "x"}), 404)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("validate", {"code": "X"}, "customer_id"),
        ("validate", {"code": "X", "customer_id": "a", "extra": 1}, "extra"),
        ("redeem", {"code": "X", "customer_id": "a", "idempotency_key": "k"}, "order_id"),
        ("void", {"code": "X", "reason": " "}, "reason"),
        ("rollback", {"code": 5, "order_id": "o"}, "code"),
    ],
)
def test_invalid_bodies_are_422(client: TestClient, keys: Any, path: str, body: dict[str, Any], field: str) -> None:
    assert_problem(post(client, keys, path, body), 422, field)


def test_a_code_action_with_a_bad_discount_is_422(client: TestClient, keys: Any) -> None:
    action = {"type": "code", "discount": {"kind": "percentage", "percent": 150}}
    r = client.post(
        "/api/v1/order-count-events", json={"name": "Bad", "count": 1, "actions": [action]}, headers=keys.auth()
    )
    assert_problem(r, 422, "actions[0].discount.percent")
