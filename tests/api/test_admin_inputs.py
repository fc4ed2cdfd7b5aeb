"""Inputs the database cannot take (NUL characters, numbers too large, ids too long) are
refused with a 4xx problem before they reach it, on both backends; the API document
describes every admin answer as a problem."""

from __future__ import annotations

from typing import Any

import pytest
from admin_kit import assert_problem, create_event, orders
from fastapi import FastAPI
from fastapi.testclient import TestClient

NUL = "a\x00b"


@pytest.fixture
def seeded(client: TestClient, keys: Any) -> dict[str, str]:
    event = create_event(client, keys, count=1, actions=[{"type": "credit", "amount": 100}])
    orders(client, keys, "ada", 1)
    return {"event": f"/api/v1/order-count-events/{event['id']}", "credit": "/api/v1/customers/ada/credit"}


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PATCH", "/api/v1/store", {"name": NUL}, 422),
        ("PATCH", "/api/v1/store", {"timezone": NUL}, 422),
        ("POST", "/api/v1/order-count-events", {"name": NUL, "count": 1, "actions": [{"type": "alert"}]}, 422),
        ("POST", "/api/v1/order-count-events", {"name": "n", "count": 2**63, "actions": [{"type": "alert"}]}, 422),
        ("PATCH", "{event}", {"actions": [{"type": "add_tag", "tag": NUL}]}, 422),
        ("PATCH", "{event}", {"actions": [{"type": "alert", "message": NUL}]}, 422),
        ("PATCH", "{event}", {"actions": [{"type": "webhook", "url": "http://["}]}, 422),
        ("PATCH", "{event}", {"actions": [{"type": ["credit"]}]}, 422),
        ("PATCH", "{event}", {"conditions": [{"tag": NUL}]}, 422),
        ("PUT", "/api/v1/templates/ok", {"subject": NUL, "body_text": "b"}, 422),
        ("PUT", "/api/v1/templates/ok", {"subject": "s", "body_text": "b", "body_html": NUL}, 422),
        ("PUT", "/api/v1/templates/ok%0A", {"subject": "s", "body_text": "b"}, 422),
        ("PUT", "/api/v1/templates/a%00b", {"subject": "s", "body_text": "b"}, 422),
        ("GET", "/api/v1/templates/a%00b", None, 404),
        ("DELETE", "/api/v1/templates/a%00b", None, 404),
        ("GET", "/api/v1/customers/a%00b", None, 404),
        ("GET", "/api/v1/customers/" + "x" * 201, None, 404),
        ("POST", "{credit}/spend", {"amount": 1, "idempotency_key": NUL}, 422),
        ("POST", "{credit}/spend", {"amount": 1, "idempotency_key": "k", "note": NUL}, 422),
        ("POST", "{credit}/spend", {"amount": 1, "idempotency_key": "k", "order_id": "o" * 201}, 422),
        ("POST", "{credit}/adjust", {"amount": 2**63, "idempotency_key": "k", "reason": "r"}, 422),
        ("POST", "{credit}/adjust", {"amount": 1, "idempotency_key": "k", "reason": NUL}, 422),
        ("POST", "/api/v1/alerts/alr_1/acknowledge", {"by": NUL}, 422),
        ("GET", "/api/v1/alerts?cursor=WyJhbHIiLDkyMjMzNzIwMzY4NTQ3NzU4MDhd", None, 422),  # 2**63
        ("PATCH", "/api/v1/store", b"\xff\xfe{", 400),
    ],
)
def test_inputs_the_database_cannot_store_are_refused(
    client: TestClient, keys: Any, seeded: dict[str, str], method: str, path: str, body: Any, status: int
) -> None:
    url = path.format(**seeded) if path.startswith("{") else path
    content = {"content": body} if isinstance(body, bytes) else {"json": body}

    r = client.request(method, url, headers={**keys.auth(), "Content-Type": "application/json"}, **content)

    assert_problem(r, status)


def test_a_customer_filter_that_cannot_exist_finds_nothing(client: TestClient, keys: Any, seeded: Any) -> None:
    for customer in (NUL, "x" * 201):
        r = client.get("/api/v1/milestones", params={"customer_id": customer}, headers=keys.auth())
        assert r.status_code == 200 and r.json()["data"] == []


def test_every_admin_answer_but_success_is_a_documented_problem(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for path, operations in paths.items():
        if not path.startswith("/api/v1/") or path == "/api/v1/events":
            continue
        for method, op in operations.items():
            codes = set(op["responses"])
            assert {"401", "403", "422"} <= codes, (method, path)
            assert ("400" in codes) == ("requestBody" in op), (method, path)
            for code, answer in op["responses"].items():
                if code.startswith(("4", "5")):
                    assert list(answer["content"]) == ["application/problem+json"], (method, path, code)
