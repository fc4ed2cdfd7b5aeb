"""GET /api/v1/customers/{id} over HTTP, on both backends: the customer's discount codes, as
GET .../codes shows them, with their status now and the milestone that issued each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from admin_kit import create_event, orders
from fastapi.testclient import TestClient

from milepost.testing import FrozenClock

WELCOME = {"type": "code", "discount": {"kind": "percentage", "percent": 15}, "expires_in_days": 10}
SECOND = {"type": "code", "discount": {"kind": "fixed_amount", "amount": 500}, "pattern": "FIVE-XXXX-XXXX"}
MILESTONE_FIELDS = {"milestone_id", "program_id", "milestone"}


def customer(client: TestClient, keys: Any, customer_id: str = "ada") -> dict[str, Any]:
    r = client.get(f"/api/v1/customers/{customer_id}", headers=keys.auth())
    assert r.status_code == 200, r.text
    return r.json()


def post(client: TestClient, keys: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"/api/v1/codes/{path}", json=body, headers=keys.auth())
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def codes(client: TestClient, keys: Any) -> list[str]:
    """ada's 1st order gave her a 15% code for 10 days ("Welcome"), her 2nd $5.00 off ("Second")."""
    create_event(client, keys, name="Welcome", count=1, actions=[WELCOME])
    create_event(client, keys, name="Second", count=2, actions=[SECOND])
    orders(client, keys, "ada", 2)
    return [c["code"] for c in customer(client, keys)["codes"]]


def test_the_customer_shows_their_codes_with_the_milestone_that_issued_each(
    client: TestClient, keys: Any, codes: list[str]
) -> None:
    # When the customer is read
    ada = customer(client, keys)

    # Then each code is as GET .../codes answers it, plus its milestone and program, oldest first
    listed = client.get("/api/v1/customers/ada/codes", headers=keys.auth()).json()["data"]
    assert [{k: v for k, v in c.items() if k not in MILESTONE_FIELDS} for c in ada["codes"]] == listed
    welcome, second = ada["codes"]
    first_milestone, second_milestone = ada["milestones"]
    assert (welcome["milestone_id"], welcome["program_id"], welcome["milestone"]) == (
        first_milestone["id"],
        first_milestone["program_id"],
        "Welcome",
    )
    assert (second["milestone_id"], second["milestone"]) == (second_milestone["id"], "Second")
    assert welcome["discount"] == {"kind": "percentage", "percent": 15} and welcome["status"] == "valid"
    assert second["discount"] == {"kind": "fixed_amount", "amount": 500, "currency": "USD"}
    assert second["code"].startswith("FIVE-") and second["expires_at"] is None
    assert welcome["expires_at"].endswith("+00:00") and welcome["customer_id"] == "ada"


def test_the_status_is_computed_now(client: TestClient, keys: Any, codes: list[str]) -> None:
    welcome, second = codes
    redeem = {"code": second, "customer_id": "ada", "order_id": "o-9", "idempotency_key": "k1"}
    redeemed_at = post(client, keys, "redeem", redeem)["redeemed_at"]
    post(client, keys, "void", {"code": welcome, "reason": "sent by mistake"})
    ada = customer(client, keys)
    assert [c["status"] for c in ada["codes"]] == ["voided", "already_redeemed"]
    assert ada["codes"][0]["void_reason"] == "sent by mistake" and ada["codes"][0]["voided_at"] is not None
    assert (ada["codes"][1]["redeemed_order_id"], ada["codes"][1]["redeemed_at"]) == ("o-9", redeemed_at)


def test_a_code_expires_with_the_clock(client: TestClient, keys: Any, codes: list[str], clock: FrozenClock) -> None:
    assert [c["status"] for c in customer(client, keys)["codes"]] == ["valid", "valid"]
    clock.advance(timedelta(days=10))
    assert [c["status"] for c in customer(client, keys)["codes"]] == ["expired", "valid"]


def test_a_customer_without_codes_has_an_empty_list(client: TestClient, keys: Any) -> None:
    orders(client, keys, "bob", 1)
    assert customer(client, keys, "bob")["codes"] == []


def test_the_schema_documents_the_codes(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["Customer"]["properties"]["codes"]["items"] == {"$ref": "#/components/schemas/CustomerCode"}
    code = schemas["CustomerCode"]["properties"]
    assert set(schemas["CodeOut"]["properties"]) | MILESTONE_FIELDS == set(code)
