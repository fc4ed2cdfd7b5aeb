"""Segments over HTTP: created, listed, changed and deleted; their size and members by
page; a preview before saving; refused with problem details naming each field's path;
one store's segments out of another's reach."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from admin_kit import assert_problem, orders, walk
from fastapi.testclient import TestClient

PATH = "/api/v1/segments"


def custom(customer: str, name: str, **properties: Any) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "type": "custom", "customer_id": customer, "name": name, "properties": properties}


def send(client: TestClient, keys: Any, *events: dict[str, Any]) -> None:
    r = client.post("/api/v1/events", json={"events": list(events)}, headers=keys.auth("ingest"))
    assert r.status_code == 200 and r.json()["rejected"] == 0, r.text


def carts(condition: str = "more_than", value: int = 0, **kw: Any) -> dict[str, Any]:
    return {"type": "event", "event": "cart_abandoned", "condition": condition, "value": value, **kw}


CARTS = {"key": "carts", "name": "Abandoned carts", "filters": [carts()]}


def test_a_segment_is_created_listed_changed_and_deleted(client: TestClient, keys: Any) -> None:
    send(client, keys, custom("ann", "cart_abandoned", value=80), custom("ben", "cart_abandoned", value=20))

    r = client.post(PATH, json=CARTS, headers=keys.auth())

    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"{PATH}/carts"
    made = r.json()
    assert {k: made[k] for k in ("key", "kind", "size", "time_based")} == {
        "key": "carts",
        "kind": "auto",
        "size": 2,
        "time_based": False,
    }
    assert made["groups"] == [{"filters": [{**carts(), "metric": "has_occurred"}]}]
    listed = client.get(PATH, headers=keys.auth()).json()
    assert [s["key"] for s in listed["data"]] == ["carts"] and "size" not in listed["data"][0]
    big = [{"property": "properties.value", "op": ">", "value": 50}]
    r = client.patch(f"{PATH}/carts", json={"filters": [carts(where=big)], "name": "Big carts"}, headers=keys.auth())
    assert (r.status_code, r.json()["name"], r.json()["size"]) == (200, "Big carts", 1), r.text
    assert client.get(f"{PATH}/carts", headers=keys.auth()).json() == r.json()
    assert client.delete(f"{PATH}/carts", headers=keys.auth()).status_code == 204
    assert_problem(client.get(f"{PATH}/carts", headers=keys.auth()), 404)
    assert_problem(client.delete(f"{PATH}/carts", headers=keys.auth()), 404)


def test_members_come_by_page_and_a_preview_saves_nothing(client: TestClient, keys: Any) -> None:
    send(client, keys, *[custom(f"c{i:02}", "cart_abandoned") for i in range(7)], custom("zed", "other"))
    assert client.post(PATH, json=CARTS, headers=keys.auth()).status_code == 201

    members = walk(client, f"{PATH}/carts/members", keys.auth(), limit=3)

    assert [m["customer_id"] for m in members] == [f"c{i:02}" for i in range(7)]
    assert set(members[0]) == {"customer_id", "name", "email"}
    r = client.post(
        f"{PATH}/preview", params={"limit": 2}, json={"filters": [carts("less_than", 1)]}, headers=keys.auth()
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"size": 1, "members": [{"customer_id": "zed", "name": None, "email": None}]}
    assert [s["key"] for s in client.get(PATH, headers=keys.auth()).json()["data"]] == ["carts"]
    assert_problem(client.get(f"{PATH}/carts/members", params={"cursor": "nonsense"}, headers=keys.auth()), 422)


def test_a_static_segment_keeps_its_members(client: TestClient, keys: Any) -> None:
    orders(client, keys, "early", 1)
    static = {"key": "early", "name": "Early buyers", "kind": "static"}
    static["filters"] = [{"type": "metric", "metric": "order_count", "condition": "more_than", "value": 0}]
    assert client.post(PATH, json=static, headers=keys.auth()).json()["size"] == 1

    orders(client, keys, "late", 1)

    assert [m["customer_id"] for m in client.get(f"{PATH}/early/members", headers=keys.auth()).json()["data"]] == [
        "early"
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**CARTS, "key": "Bad Key"}, "key"),
        ({**CARTS, "kind": "sometimes"}, "kind"),
        ({"key": "x", "name": "X"}, "groups"),
        (
            {**CARTS, "filters": [{"type": "attribute", "attribute": "city", "op": "like", "value": "P"}]},
            "filters[0].op",
        ),
        ({**CARTS, "filters": [carts(metric="last_occurred", value=-1)]}, "filters[0].value"),
        ({**CARTS, "filters": [carts(within_days=-7)]}, "filters[0].within_days"),
        (
            {
                **CARTS,
                "groups": [
                    {"filters": [{"type": "aggregate", "aggregate": "nope", "condition": "exactly", "value": 1}]}
                ],
                "filters": None,
            },
            "groups[0].filters[0].aggregate",
        ),
        ({**CARTS, "filters": [{"type": "segment", "segment": "carts"}]}, "filters[0].segment"),
        ({**CARTS, "filters": [{"type": "milestone", "program": "alr_3"}]}, "filters[0].program"),
    ],
)
def test_a_bad_definition_is_a_problem_naming_the_field(client: TestClient, keys: Any, body: dict, field: str) -> None:
    body = {k: v for k, v in body.items() if v is not None}

    problem = assert_problem(client.post(PATH, json=body, headers=keys.auth()), 422, field)

    assert client.get(PATH, headers=keys.auth()).json()["data"] == []
    assert problem["errors"]


def test_loops_between_segments_and_segments_in_use_are_refused(client: TestClient, keys: Any) -> None:
    client.post(PATH, json=CARTS, headers=keys.auth())
    named = {"key": "vip_carts", "name": "VIP carts", "filters": [{"type": "segment", "segment": "carts"}]}
    assert client.post(PATH, json=named, headers=keys.auth()).status_code == 201

    loop = client.patch(
        f"{PATH}/carts", json={"filters": [{"type": "segment", "segment": "vip_carts"}]}, headers=keys.auth()
    )
    problem = assert_problem(loop, 422, "filters[0].segment")
    assert "carts → vip_carts → carts" in problem["detail"]
    assert_problem(client.delete(f"{PATH}/carts", headers=keys.auth()), 409)
    assert_problem(client.patch(f"{PATH}/carts", json={"kind": "static"}, headers=keys.auth()), 422, "kind")
    assert_problem(client.post(PATH, json=CARTS, headers=keys.auth()), 409)


def test_another_store_sees_none_of_them(client: TestClient, keys: Any, other_store: Any) -> None:
    send(client, keys, custom("ann", "cart_abandoned"))
    client.post(PATH, json=CARTS, headers=keys.auth())

    assert client.get(PATH, headers=other_store.auth()).json() == {"data": [], "next_cursor": None}
    for method, path in (("GET", "/carts"), ("GET", "/carts/members"), ("PATCH", "/carts"), ("DELETE", "/carts")):
        body = {"name": "Taken"} if method == "PATCH" else None
        assert_problem(client.request(method, PATH + path, json=body, headers=other_store.auth()), 404)
    theirs = client.post(f"{PATH}/preview", json={"filters": [carts()]}, headers=other_store.auth())
    assert theirs.json() == {"size": 0, "members": []}
    named = {"key": "x", "name": "X", "filters": [{"type": "segment", "segment": "carts"}]}
    assert_problem(client.post(PATH, json=named, headers=other_store.auth()), 422, "filters[0].segment")
    assert_problem(client.get(PATH, headers=keys.auth("ingest")), 403)
