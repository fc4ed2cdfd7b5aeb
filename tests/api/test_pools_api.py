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
