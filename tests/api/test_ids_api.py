"""Every route that takes an id reads it as the API prints it (`oce_9`) or as the bare
number (`9`), refuses another kind's id naming that kind, and names ids prefixed in its
problems. The routes come from the OpenAPI document, so a new one is covered too."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

UNKNOWN = 999_999_999

#: each path parameter that is an id of ours, and its prefix (customers and templates
#: are named by the store's own ids and keys)
PREFIXES = {
    "event_id": "oce",
    "program_id": "prg",
    "alert_id": "alr",
    "endpoint_id": "whe",
    "delivery_id": "dlv",
    "message_id": "msg",
}
#: a body each route accepts, so that only the id decides the answer
BODIES: dict[str, dict[str, Any]] = {
    "event_id": {"name": "N"},
    "program_id": {"name": "N"},
    "endpoint_id": {"description": "x"},
    "alert_id": {"by": "ann@example.com"},
}


def id_routes(client: TestClient) -> list[tuple[str, str, str]]:
    """(method, path, id parameter) of every route with an id of ours in its path."""
    found = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for parameter in PREFIXES:
            if "{" + parameter + "}" in path:
                found += [(method.upper(), path, parameter) for method in operations]
    return found


def call(client: TestClient, keys: Any, method: str, path: str, parameter: str, value: str) -> Any:
    url = path.replace("{" + parameter + "}", value)
    return client.request(method, url, json=BODIES.get(parameter), headers=keys.auth())


def test_every_route_with_an_id_is_covered(client: TestClient) -> None:
    assert {p for _, _, p in id_routes(client)} == set(PREFIXES)
    assert len(id_routes(client)) >= 15


def test_an_id_is_read_prefixed_or_bare_and_problems_name_it_prefixed(client: TestClient, keys: Any) -> None:
    for method, path, parameter in id_routes(client):
        prefix = PREFIXES[parameter]
        for given in (f"{prefix}_{UNKNOWN}", str(UNKNOWN)):
            r = call(client, keys, method, path, parameter, given)
            assert r.status_code == 404, (method, path, given, r.text)
            assert f"{prefix}_{UNKNOWN}" in r.json()["detail"], (method, path, given, r.text)


def test_another_kinds_id_is_not_found_and_the_problem_names_its_kind(client: TestClient, keys: Any) -> None:
    for method, path, parameter in id_routes(client):
        prefix = PREFIXES[parameter]
        other = "dlv" if prefix != "dlv" else "oce"
        r = call(client, keys, method, path, parameter, f"{other}_1")
        assert r.status_code == 404, (method, path, r.text)
        detail = r.json()["detail"]
        assert f"{other}_1 is a" in detail and f"like {prefix}_9, or 9" in detail, (method, path, detail)


@pytest.mark.parametrize(
    ("collection", "body"),
    [
        ("order-count-events", {"count": 3, "name": "Third", "actions": [{"type": "alert"}]}),
        ("webhook-endpoints", {"url": "https://hooks.example.com/m", "event_types": ["milestone.reached"]}),
    ],
)
def test_a_resource_is_the_same_by_either_spelling(
    client: TestClient, keys: Any, collection: str, body: dict[str, Any]
) -> None:
    created = client.post(f"/api/v1/{collection}", json=body, headers=keys.auth())
    assert created.status_code == 201, created.text
    public = created.json()["id"]
    number = public.partition("_")[2]

    by_prefix = client.get(f"/api/v1/{collection}/{public}", headers=keys.auth())
    by_number = client.get(f"/api/v1/{collection}/{number}", headers=keys.auth())

    assert by_prefix.status_code == by_number.status_code == 200
    assert by_prefix.json() == by_number.json() and by_number.json()["id"] == public


def test_a_filter_takes_either_spelling_and_refuses_another_kind(client: TestClient, keys: Any) -> None:
    for value in ("oce_1", "1"):
        r = client.get("/api/v1/milestones", params={"order_count_event_id": value}, headers=keys.auth())
        assert r.status_code == 200, r.text
    r = client.get("/api/v1/milestones", params={"program_id": "oce_1"}, headers=keys.auth())
    assert r.status_code == 422 and "oce_1 is an order count event id, not a program id" in r.json()["detail"]
