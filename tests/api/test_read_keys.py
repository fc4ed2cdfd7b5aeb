"""A `read` key over HTTP, on both backends: it reads every GET of the admin API (the
automations, customers and a day's run listed with their content) and changes nothing:
every POST, PUT, PATCH and DELETE, the events endpoint and the Segment endpoints answer a
403 problem naming the scope needed, and nothing changed. The OpenAPI document names the
scope of each operation, and that scope is the one the server asks for."""

from __future__ import annotations

import base64
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from admin_kit import assert_problem
from fastapi.testclient import TestClient

from milepost import Milepost

AUTOMATION = {
    "key": "vip_welcome",
    "name": "VIP welcome",
    "trigger": {"type": "signup", "days": 1},
    "branches": [{"name": "everyone", "actions": [{"type": "add_tag", "tag": "vip"}]}],
}
#: The one GET a read key may not make: it answers a webhook signing secret.
SECRET = "/api/v1/webhook-endpoints/{endpoint_id}/secret"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def reader(mp: Milepost, store: str) -> dict[str, str]:
    return bearer(mp.keys.create(store, "read", "dashboard")[1])


def _operations(client: TestClient) -> dict[tuple[str, str], list[str]]:
    """Each operation of the OpenAPI document, with the scopes its security names."""
    spec = client.get("/openapi.json").json()
    return {
        (method.upper(), path): next(iter(op["security"][0].values()))
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if path.startswith(("/api/", "/v1/"))
    }


def _filled(path: str) -> str:
    """The path with every parameter given a value no store has."""
    return re.sub(r"\{[^}]+\}", "zz-none", path).replace("zz-none/runs/zz-none", "zz-none/runs/2026-03-01")


def test_a_read_key_lists_automations_customers_and_a_days_run(
    client: TestClient, keys: Any, reader: dict[str, str], clock: Any
) -> None:
    # Given an automation, a customer who signed up yesterday, and today's run, set up with the other keys
    assert client.post("/api/v1/automations", json=AUTOMATION, headers=keys.auth()).status_code == 201
    clock.set(datetime(2026, 2, 28, 10, 0, tzinfo=UTC))
    ada = {"id": uuid.uuid4().hex, "type": "customer.created", "customer_id": "ada"}
    assert client.post("/api/v1/events", json=ada, headers=keys.auth("ingest")).status_code == 200
    clock.set(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    ran = client.post("/api/v1/daily-runs", json={"date": "2026-03-01"}, headers=keys.auth())
    assert ran.status_code == 200, ran.text

    # When the read key lists them
    automations = client.get("/api/v1/automations", headers=reader)
    customers = client.get("/api/v1/customers", headers=reader)
    runs = client.get("/api/v1/automations/vip_welcome/runs", headers=reader)
    day = client.get("/api/v1/automations/vip_welcome/runs/2026-03-01", headers=reader)
    one = client.get("/api/v1/customers/ada", headers=reader)

    # Then it reads what the admin key made
    assert [a["key"] for a in automations.json()["data"]] == ["vip_welcome"]
    assert [c["id"] for c in customers.json()["data"]] == ["ada"]
    assert [(r["date"], r["fired"]) for r in runs.json()["data"]] == [("2026-03-01", 1)]
    assert [c["customer_id"] for c in day.json()["data"]] == ["ada"]
    assert one.status_code == 200 and "vip" in one.json()["tags"]


def test_a_read_key_is_refused_every_change_and_nothing_changes(
    client: TestClient, keys: Any, reader: dict[str, str]
) -> None:
    # Given an automation and a customer
    assert client.post("/api/v1/automations", json=AUTOMATION, headers=keys.auth()).status_code == 201
    ada = {"id": uuid.uuid4().hex, "type": "customer.created", "customer_id": "ada"}
    assert client.post("/api/v1/events", json=ada, headers=keys.auth("ingest")).status_code == 200
    before = client.get("/api/v1/automations/vip_welcome", headers=keys.auth()).json()

    # When the read key creates, updates, deletes and sends events
    other = {**AUTOMATION, "key": "other"}
    refused = {
        "create": client.post("/api/v1/automations", json=other, headers=reader),
        "update": client.patch("/api/v1/automations/vip_welcome", json={"active": False}, headers=reader),
        "replace": client.put("/api/v1/automations/vip_welcome", json=AUTOMATION, headers=reader),
        "delete": client.delete("/api/v1/automations/vip_welcome", headers=reader),
        "tag": client.post("/api/v1/customers/ada/tags", json={"tags": ["x"]}, headers=reader),
        "ingest": client.post("/api/v1/events", json={**ada, "id": "again"}, headers=reader),
    }

    # Then each is a 403 problem naming the scope it needs, and nothing changed
    for what, r in refused.items():
        body = assert_problem(r, 403)
        needed = "ingest" if what == "ingest" else "admin"
        assert body["detail"] == f"this key's scope is 'read'; this needs {needed!r}", what
    after = client.get("/api/v1/automations", headers=keys.auth()).json()["data"]
    assert after == [before]
    assert client.get("/api/v1/customers/ada", headers=keys.auth()).json()["tags"] == []


def test_every_get_is_open_to_a_read_key_and_every_other_call_is_refused_as_documented(
    client: TestClient, reader: dict[str, str]
) -> None:
    operations = _operations(client)
    assert len(operations) > 60  # the whole API, not a part of it

    for (method, path), scopes in operations.items():
        # Given a body that is not even JSON, so that nothing but the key decides a change
        r = client.request(method, _filled(path), content=b"{not json", headers=reader)

        # Then a GET answers (200, or 404 for what the store lacks); anything else is a 403
        # naming the scope the document names
        if method == "GET" and path != SECRET:
            assert scopes == ["read"], (method, path)
            assert r.status_code in (200, 404), (method, path, r.text)
        else:
            assert scopes in (["admin"], ["ingest"]), (method, path)
            body = assert_problem(r, 403)
            assert body["detail"] == f"this key's scope is 'read'; this needs {scopes[0]!r}", (method, path)


def test_a_read_key_is_not_a_segment_write_key(client: TestClient, mp: Milepost, store: str) -> None:
    secret = mp.keys.create(store, "read")[1]
    basic = base64.b64encode(f"{secret}:".encode()).decode()
    track = {"type": "track", "event": "Cart Viewed", "userId": "ada", "messageId": uuid.uuid4().hex}

    by_header = client.post("/v1/track", json=track, headers={"Authorization": f"Basic {basic}"})
    in_body = client.post("/v1/track", json={**track, "writeKey": secret})

    for r in (by_header, in_body):
        assert assert_problem(r, 403)["detail"] == "this key's scope is 'read'; this needs 'ingest'"


def test_the_openapi_document_names_the_scope_of_each_operation(client: TestClient) -> None:
    operations = _operations(client)

    ingest = {op for op in operations if op[1] == "/api/v1/events" or op[1].startswith("/v1/")}
    assert {op for op, scopes in operations.items() if scopes == ["ingest"]} == ingest
    assert {op for op, scopes in operations.items() if scopes == ["admin"]} == {
        op for op in set(operations) - ingest if op[0] != "GET" or op[1] == SECRET
    }
    scheme = client.get("/openapi.json").json()["components"]["securitySchemes"]["apiKey"]
    assert "`read`" in scheme["description"]
