"""Coupon pools over HTTP: created, listed with their counts, filled from a JSON list or a
CSV (all or nothing, bad rows named by their line in the problem) or by pattern; a
`pool_code` action then gives the codes out."""

from __future__ import annotations

from typing import Any

import pytest
from admin_kit import assert_problem, create_event, orders
from fastapi.testclient import TestClient

SPRING = {"key": "spring", "name": "Spring sale", "discount": {"kind": "percentage", "percent": 10}}


@pytest.fixture
def spring(client: TestClient, keys: Any) -> dict[str, Any]:
    r = client.post("/api/v1/pools", json={**SPRING, "low_threshold": 2}, headers=keys.auth())
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_a_pool_is_created_and_listed(client: TestClient, keys: Any, spring: dict[str, Any]) -> None:
    assert {k: spring[k] for k in ("key", "total", "assigned", "left", "low_threshold")} == {
        "key": "spring",
        "total": 0,
        "assigned": 0,
        "left": 0,
        "low_threshold": 2,
    }
    assert client.get("/api/v1/pools", headers=keys.auth()).json()["data"] == [spring]
    assert_problem(client.post("/api/v1/pools", json=SPRING, headers=keys.auth()), 409)
    bad = {**SPRING, "key": "x", "discount": {"kind": "percentage", "percent": 200}}
    assert_problem(client.post("/api/v1/pools", json=bad, headers=keys.auth()), 422, "discount.percent")
    assert_problem(client.get("/api/v1/pools/autumn", headers=keys.auth()), 404)


def test_codes_come_from_json_or_csv(client: TestClient, keys: Any, spring: dict[str, Any]) -> None:
    r = client.post("/api/v1/pools/spring/codes", json=["SPR-0001", "spr-0002"], headers=keys.auth())
    assert (r.status_code, r.json()["total"]) == (200, 2), r.text
    r = client.post("/api/v1/pools/spring/codes", json={"codes": ["SPR-0005"]}, headers=keys.auth())
    assert (r.status_code, r.json()["total"]) == (200, 3), r.text
    csv = "code\nSPR-0003\nSPR-0004\n"
    headers = {**keys.auth(), "Content-Type": "text/csv"}
    r = client.post("/api/v1/pools/spring/codes", content=csv, headers=headers)
    assert (r.status_code, r.json()["left"]) == (200, 5), r.text
    r = client.post("/api/v1/pools/spring/generate", json={"count": 3, "pattern": "SPR-XXXX-XXXX"}, headers=keys.auth())
    assert (r.status_code, r.json()["total"]) == (200, 8), r.text


def test_a_file_with_bad_rows_is_refused_whole_with_its_lines(
    client: TestClient, keys: Any, spring: dict[str, Any]
) -> None:
    headers = {**keys.auth(), "Content-Type": "text/csv"}
    r = client.post("/api/v1/pools/spring/codes", content="SPR-0001\nSPR-0001\n!!\n", headers=headers)

    body = assert_problem(r, 422, "line 2")
    assert {e["field"]: e["reason"] for e in body["errors"]} == {
        "line 2": "SPR-0001 is a duplicate of line 1",
        "line 3": "a code has 4 to 64 characters; this one has 2",
    }
    assert client.get("/api/v1/pools/spring", headers=keys.auth()).json()["total"] == 0
    assert_problem(client.post("/api/v1/pools/spring/codes", json={"code": "X"}, headers=keys.auth()), 422)
    other = {**keys.auth(), "Content-Type": "text/plain"}
    assert_problem(client.post("/api/v1/pools/spring/codes", content="x", headers=other), 415)


def test_an_event_gives_each_customer_a_code_of_the_pool(client: TestClient, keys: Any, spring: Any) -> None:
    client.post("/api/v1/pools/spring/codes", json=["SPR-0001", "SPR-0002"], headers=keys.auth())
    create_event(client, keys, name="Welcome", count=1, actions=[{"type": "pool_code", "pool": "spring"}])
    orders(client, keys, "ada", 1)

    [code] = client.get("/api/v1/customers/ada/codes", headers=keys.auth()).json()["data"]
    assert code["code"] in ("SPR-0001", "SPR-0002") and code["status"] == "valid"
    r = client.put("/api/v1/pools/spring/threshold", json={"low_threshold": None}, headers=keys.auth())
    assert (r.json()["assigned"], r.json()["low_threshold"]) == (1, None)


def test_a_pool_code_validates_and_redeems_at_checkout_once_assigned(
    client: TestClient, keys: Any, spring: dict[str, Any]
) -> None:
    # Given a pool of two codes, one given to ada by her first order
    client.post("/api/v1/pools/spring/codes", json=["SPR-0001", "SPR-0002"], headers=keys.auth())
    create_event(client, keys, name="Welcome", count=1, actions=[{"type": "pool_code", "pool": "spring"}])
    orders(client, keys, "ada", 1)
    [given] = client.get("/api/v1/customers/ada/codes", headers=keys.auth()).json()["data"]
    kept = ({"SPR-0001", "SPR-0002"} - {given["code"]}).pop()

    def checkout(path: str, body: dict[str, Any]) -> Any:
        return client.post(f"/api/v1/codes/{path}", json=body, headers=keys.auth())

    # Then the code still in the pool is unknown at checkout
    assert checkout("validate", {"code": kept, "customer_id": "ada"}).json()["status"] == "unknown"
    # and hers validates with the pool's discount, and redeems once
    verdict = checkout("validate", {"code": given["code"], "customer_id": "ada"}).json()
    assert verdict["status"] == "valid" and verdict["discount"] == SPRING["discount"]
    body = {"code": given["code"], "customer_id": "ada", "order_id": "o-1", "idempotency_key": "k1"}
    assert checkout("redeem", body).status_code == 200
    again = {**body, "order_id": "o-2", "idempotency_key": "k2"}
    assert assert_problem(checkout("redeem", again), 409)["verdict"] == "already_redeemed"


def test_codes_with_an_expiry_are_counted_removed_and_a_pool_deleted(
    client: TestClient, keys: Any, spring: dict[str, Any]
) -> None:
    headers = {**keys.auth(), "Content-Type": "text/csv"}
    csv = "code,expires_at\nSPR-0001,2027-01-31\nSPR-0002,\n"
    r = client.post("/api/v1/pools/spring/codes", content=csv, headers=headers)
    assert (r.status_code, r.json()["total"], r.json()["expired"]) == (200, 2, 0), r.text
    r = client.post("/api/v1/pools/spring/codes", content="code,expires_at\nSPR-0003,someday\n", headers=headers)
    assert_problem(r, 422, "line 2")
    r = client.post("/api/v1/pools/spring/generate", json={"count": 2, "expires_at": "2027-06-30"}, headers=keys.auth())
    assert r.json()["total"] == 4, r.text
    assert_problem(
        client.post(
            "/api/v1/pools/spring/generate", json={"count": 2, "expires_at": "2001-01-01"}, headers=keys.auth()
        ),
        422,
        "expires_at",
    )

    r = client.post("/api/v1/pools/spring/remove-codes", json={"codes": ["SPR-0009"]}, headers=keys.auth())
    assert_problem(r, 422, "SPR-0009")
    r = client.post("/api/v1/pools/spring/remove-codes", json={"codes": ["spr-0001"]}, headers=keys.auth())
    assert (r.status_code, r.json()["removed"], r.json()["pool"]["total"]) == (200, 1, 3), r.text
    assert client.delete("/api/v1/pools/spring", headers=keys.auth()).status_code == 204
    assert_problem(client.get("/api/v1/pools/spring", headers=keys.auth()), 404)


def test_a_pool_with_a_code_given_out_is_not_deleted(client: TestClient, keys: Any, spring: Any) -> None:
    client.post("/api/v1/pools/spring/codes", json=["SPR-0001", "SPR-0002"], headers=keys.auth())
    create_event(client, keys, name="Welcome", count=1, actions=[{"type": "pool_code", "pool": "spring"}])

    refused = assert_problem(client.delete("/api/v1/pools/spring", headers=keys.auth()), 409)
    assert "Welcome" in refused["detail"]
    orders(client, keys, "ada", 1)
    r = client.post("/api/v1/pools/spring/remove-codes", json={}, headers=keys.auth())
    assert (r.json()["removed"], r.json()["pool"]["assigned"], r.json()["pool"]["left"]) == (1, 1, 0)
