"""What every API answer carries whatever its outcome (nosniff, no-store), and what none does:
a redirect, which Starlette would make to an absolute http:// URL (dropping TLS behind a
proxy). An unknown path, with or without a trailing slash, is a 404 problem."""

from __future__ import annotations

from typing import Any

import pytest
from admin_kit import assert_problem
from fastapi import FastAPI
from fastapi.testclient import TestClient

PAID = {"id": "o1-paid", "type": "order.paid", "customer_id": "ada", "order_id": "o1", "total": 2500}
API_HEADERS = {"x-content-type-options": "nosniff", "cache-control": "no-store"}

# method, path, key scope (None: no key), body, the status it answers
ANSWERS = [
    ("GET", "/api/v1/store", "admin", None, 200),
    ("GET", "/api/v1/programs", "admin", None, 200),
    ("POST", "/api/v1/events", "ingest", {"events": [PAID]}, 200),
    ("POST", "/api/v1/events", None, {"events": []}, 401),
    ("GET", "/api/v1/store", "ingest", None, 403),
    ("GET", "/api/v1/customers/nobody", "admin", None, 404),
    ("GET", "/api/v1/no-such-resource", "admin", None, 404),
    ("POST", "/api/v1/programs", "admin", {"name": ""}, 422),
    ("POST", "/v1/batch", None, {"batch": []}, 401),
    ("GET", "/v1/no-such-call", None, None, 404),
    ("GET", "/healthz", None, None, 200),
]


def _send(client: TestClient, keys: Any, method: str, path: str, scope: str | None, body: Any) -> Any:
    headers = keys.auth(scope) if scope else {}
    return client.request(method, path, json=body, headers=headers, follow_redirects=False)


@pytest.mark.parametrize(("method", "path", "scope", "body", "status"), ANSWERS)
def test_api_answers_carry_nosniff_and_no_store_errors_included(
    client: TestClient, keys: Any, method: str, path: str, scope: str | None, body: Any, status: int
) -> None:
    r = _send(client, keys, method, path, scope, body)

    assert r.status_code == status, r.text
    assert {k: r.headers.get(k) for k in API_HEADERS} == API_HEADERS


def test_an_unexpected_error_is_a_500_problem_with_the_api_headers(app: FastAPI, client: TestClient) -> None:
    # Given a route that fails in a way no handler expects
    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/broken", broken)

    # When it is called
    r = client.get("/api/v1/broken")

    # Then the answer is the 500 problem, with the headers of every API answer
    assert_problem(r, 500)
    assert {k: r.headers.get(k) for k in API_HEADERS} == API_HEADERS


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/api/v1/programs/", "admin"),
        ("GET", "/api/v1/store/", "admin"),
        ("GET", "/api/v1/templates/", "admin"),
        ("POST", "/api/v1/events/", "ingest"),
        ("POST", "/v1/batch/", None),
        ("GET", "/healthz/", None),
    ],
)
def test_a_path_with_a_trailing_slash_is_a_404_problem_not_a_redirect(
    client: TestClient, keys: Any, method: str, path: str, scope: str | None
) -> None:
    r = _send(client, keys, method, path, scope, {"events": []} if method == "POST" else None)

    assert "location" not in r.headers
    assert_problem(r, 404)


def test_the_customers_path_never_redirects(client: TestClient, keys: Any) -> None:
    for path in ("/api/v1/customers", "/api/v1/customers/"):
        r = _send(client, keys, "GET", path, "admin", None)

        assert not 300 <= r.status_code < 400 and "location" not in r.headers, (path, r.status_code)
        assert r.headers["content-type"].startswith(("application/json", "application/problem+json")), r.text


def test_the_admin_address_leads_to_its_home_by_a_path_not_a_url(client: TestClient) -> None:
    # When /admin, as `milepost serve` prints it, is opened
    r = client.get("/admin", follow_redirects=False)

    # Then it redirects to /admin/ without naming a scheme or host, and that page answers
    assert 300 <= r.status_code < 400 and r.headers["location"] == "/admin/"
    home = client.get("/admin", follow_redirects=True)
    assert home.status_code == 200 and home.url.path == "/admin/login"
