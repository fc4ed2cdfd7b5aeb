"""POST /api/v1/events and the API keys that guard it."""

from __future__ import annotations

import gzip
import re

import orjson
from fastapi.testclient import TestClient

from milepost import Milepost
from support.bodies import corrupt_gzip, gzip_bomb

PROBLEM = "application/problem+json"
JSON_TYPE = {"Content-Type": "application/json"}


def paid(n: int, customer: str = "c1", total: int = 2500) -> dict:
    return {"id": f"e{n}", "type": "order.paid", "customer_id": customer, "order_id": f"o{n}", "total": total}


def test_a_batch_keeps_the_valid_events_and_names_each_rejection(client: TestClient, keys, mp: Milepost) -> None:
    mp.order_count_events.create(keys.store, count=2, name="Second order", actions=[{"type": "add_tag", "tag": "two"}])
    batch = [paid(1), {"id": "bad", "type": "order.paid", "customer_id": "c1", "total": -5, "order_id": "x"}, paid(2)]

    r = client.post("/api/v1/events", json={"events": batch}, headers=keys.auth("ingest"))

    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 0, 1)
    assert [x["status"] for x in body["results"]] == ["accepted", "rejected", "accepted"]
    assert body["results"][1]["problem"]["field"] == "total"
    [milestone] = body["results"][2]["milestones"]
    assert milestone["name"] == "Second order" and milestone["id"].startswith("mst_")
    assert mp.customers.get(keys.store, "c1").order_count == 2


def test_resending_a_batch_changes_nothing(client: TestClient, keys, mp: Milepost) -> None:
    batch = {"events": [paid(1), paid(2)]}
    client.post("/api/v1/events", json=batch, headers=keys.auth("ingest"))

    again = client.post("/api/v1/events", json=batch, headers=keys.auth("ingest")).json()

    assert (again["accepted"], again["duplicates"]) == (0, 2)
    assert mp.customers.get(keys.store, "c1").order_count == 2


def test_a_single_event_is_accepted_and_a_single_invalid_one_is_a_problem(client: TestClient, keys) -> None:
    ok = client.post("/api/v1/events", json=paid(1), headers=keys.auth("ingest"))
    assert ok.status_code == 200 and ok.json()["accepted"] == 1

    bad = client.post("/api/v1/events", json={"id": "x", "type": "order.paid"}, headers=keys.auth("ingest"))

    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    problem = bad.json()
    assert problem["status"] == 422 and problem["detail"].startswith("customer_id:")
    assert problem["type"].endswith("/invalid-events")


def test_gzip_bodies_are_accepted(client: TestClient, keys, mp: Milepost) -> None:
    body = gzip.compress(orjson.dumps({"events": [paid(1), paid(2)]}))
    headers = {**keys.auth("ingest"), "Content-Encoding": "gzip", "Content-Type": "application/json"}

    r = client.post("/api/v1/events", content=body, headers=headers)

    assert r.status_code == 200 and r.json()["accepted"] == 2


def test_a_bad_key_is_401_before_the_body_is_read(client: TestClient, keys) -> None:
    gzipped = {"Content-Encoding": "gzip"}
    for secret in ("garbage", "mpk_" + "0" * 40):
        auth = {"Authorization": f"Bearer {secret}"}
        for content, extra in [(b"[]", {}), (b"{not json", {}), (gzip_bomb(), gzipped), (b"garbage", gzipped)]:
            r = client.post("/api/v1/events", content=content, headers={**auth, **extra})
            assert r.status_code == 401, (secret, content[:10], r.text)
            assert r.headers["content-type"] == PROBLEM and r.headers["www-authenticate"].startswith("Bearer")
    # the same bomb with a good key is inflated, and refused for its size
    r = client.post("/api/v1/events", content=gzip_bomb(), headers={**keys.auth("ingest"), **gzipped})
    assert r.status_code == 413


def test_every_api_route_with_a_body_checks_the_key_before_reading_it(client: TestClient, app, keys) -> None:
    """FastAPI parses a route's body before its dependencies run; the key must not wait."""
    routes = [
        (method, re.sub(r"\{[^}]+\}", "x_1", path))
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if path.startswith("/api/") and method in ("post", "put", "patch")
    ]
    assert len(routes) > 20
    bodies = [(b"{not json", {}), (b"[]", {}), (gzip_bomb(), {"Content-Encoding": "gzip"})]
    for auth in ({"Authorization": "Bearer garbage"}, {"Authorization": "Bearer mpk_" + "0" * 40}, {}):
        for method, url in routes:
            for content, extra in bodies:
                headers = {**auth, **extra, **JSON_TYPE}
                r = client.request(method, url, content=content, headers=headers)
                assert r.status_code == 401, (method, url, auth, content[:10], r.text)
                assert r.headers["content-type"] == PROBLEM and r.headers["www-authenticate"].startswith("Bearer")
    # a good key still reaches the body: broken JSON is its 400, and an ingest key on an admin route a 403
    broken = client.post("/api/v1/programs", content=b"{not json", headers={**keys.auth(), **JSON_TYPE})
    assert broken.status_code == 400
    assert client.post("/api/v1/programs", json={}, headers=keys.auth("ingest")).status_code == 403


def test_a_corrupt_gzip_body_is_a_400_never_half_read(client: TestClient, keys, mp: Milepost) -> None:
    headers = {**keys.auth("ingest"), "Content-Encoding": "gzip"}
    for name, content in corrupt_gzip(orjson.dumps({"events": [paid(1)]})).items():
        r = client.post("/api/v1/events", content=content, headers=headers)
        assert r.status_code == 400, (name, r.text)
        assert r.headers["content-type"] == PROBLEM and r.json()["type"].endswith("invalid-encoding"), name
    assert client.post("/api/v1/events", json=paid(1), headers=keys.auth("ingest")).json()["accepted"] == 1


def test_a_gzip_body_of_two_members_is_read_whole(client: TestClient, keys) -> None:
    body = gzip.compress(b'{"events": [') + gzip.compress(orjson.dumps(paid(1)) + b"]}")
    r = client.post("/api/v1/events", content=body, headers={**keys.auth("ingest"), "Content-Encoding": "gzip"})
    assert r.status_code == 200 and r.json()["accepted"] == 1


def test_limits_answer_413_never_a_crash(client: TestClient, keys) -> None:
    headers = keys.auth("ingest")
    too_many = client.post("/api/v1/events", json={"events": [{"id": str(i)} for i in range(1001)]}, headers=headers)
    assert too_many.status_code == 413 and too_many.headers["content-type"] == PROBLEM
    assert "1000" in too_many.json()["detail"]

    # the app under test allows 64 KiB on the wire and 256 KiB inflated
    big = client.post("/api/v1/events", content=b" " * 70_000 + b"{}", headers=headers)
    assert big.status_code == 413

    bomb = gzip.compress(b"[" + b"0," * 200_000 + b"0]")
    inflated = client.post("/api/v1/events", content=bomb, headers={**headers, "Content-Encoding": "gzip"})
    assert inflated.status_code == 413 and "decompressed" in inflated.json()["detail"]


def test_bad_bodies_are_problems(client: TestClient, keys) -> None:
    headers = keys.auth("ingest")
    cases = [
        (b"{not json", {}, 400),
        (b"", {}, 400),
        (b"[1, 2]", {}, 422),
        (b'{"events": 3}', {}, 422),
        (b'{"events": []}', {}, 422),
        (b"garbage", {"Content-Encoding": "gzip"}, 400),
        (b"{}", {"Content-Encoding": "br"}, 415),
    ]
    for content, extra, status in cases:
        r = client.post("/api/v1/events", content=content, headers={**headers, **extra})
        assert r.status_code == status, (content, r.text)
        assert r.headers["content-type"] == PROBLEM


def test_keys_authenticate_and_scope(client: TestClient, keys, mp: Milepost) -> None:
    assert client.post("/api/v1/events", json=paid(1)).status_code == 401
    wrong = client.post("/api/v1/events", json=paid(1), headers={"Authorization": "Bearer mpk_nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
    # an admin key may send events too
    assert client.post("/api/v1/events", json=paid(1), headers=keys.auth("admin")).status_code == 200


def test_a_revoked_key_stops_working_at_once(client: TestClient, keys, mp: Milepost) -> None:
    [ingest_key] = [k for k in mp.keys.list(keys.store) if k.scope == "ingest"]
    assert client.post("/api/v1/events", json=paid(1), headers=keys.auth("ingest")).status_code == 200

    mp.keys.revoke(keys.store, ingest_key.id)

    # the key was seen live a moment ago, so its body may be read; the database still decides
    refused = client.post("/api/v1/events", json=paid(2), headers=keys.auth("ingest"))
    assert refused.status_code == 401 and refused.headers["content-type"] == PROBLEM
    assert mp.customers.get(keys.store, "c1").order_count == 1


def test_a_revoked_admin_key_stops_working_at_once_on_every_route(client: TestClient, keys, mp: Milepost) -> None:
    key, secret = mp.keys.create(keys.store, "admin", "soon revoked")
    auth = {"Authorization": f"Bearer {secret}"}
    body = {"name": "Five", "count": 5, "actions": [{"type": "add_tag", "tag": "Five"}]}
    assert client.post("/api/v1/order-count-events", json=body, headers=auth).status_code == 201

    mp.keys.revoke(keys.store, key.id)

    assert client.post("/api/v1/order-count-events", json={**body, "count": 6}, headers=auth).status_code == 401
    assert client.post("/api/v1/events", json=paid(1), headers=auth).status_code == 401
    assert [e.rule.threshold for e in mp.order_count_events.list(keys.store)] == [5]


def test_keys_are_stored_only_as_a_hash(mp: Milepost, store: str) -> None:
    key, secret = mp.keys.create(store, "admin", "ci")
    with mp.db.read() as tx:
        rows = tx._rows("SELECT prefix, secret_hash FROM api_keys WHERE id = " + str(key.id))
    [(prefix, digest)] = rows
    assert secret.startswith(prefix) and secret not in digest and len(digest) == 64
    assert mp.keys.authenticate(secret)[1].key == store


def test_events_go_to_the_keys_store_only(client: TestClient, keys, other_store, mp: Milepost) -> None:
    client.post("/api/v1/events", json=paid(1, customer="shared"), headers=other_store.auth("ingest"))

    assert mp.customers.get(other_store.store, "shared").order_count == 1
    import pytest

    from milepost.errors import NotFound

    with pytest.raises(NotFound):
        mp.customers.get(keys.store, "shared")


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_control_characters_are_rejected_per_event(client: TestClient, keys) -> None:
    # PostgreSQL text cannot hold NUL: it must be a rejection, not a database error
    batch = [
        paid(1),
        {**paid(2), "customer_id": "c\x00"},
        {"id": "p", "type": "customer.updated", "customer_id": "c1", "name": "A\x00B"},
    ]

    body = client.post("/api/v1/events", json={"events": batch}, headers=keys.auth("ingest")).json()

    assert [r["status"] for r in body["results"]] == ["accepted", "rejected", "rejected"]
    assert [r["problem"]["field"] for r in body["results"][1:]] == ["customer_id", "name"]


def test_unreadable_json_is_400_and_invalid_input_is_422_everywhere(client: TestClient, keys) -> None:
    headers = {**keys.auth("admin"), "Content-Type": "application/json"}
    broken = client.post("/api/v1/order-count-events", content=b"{nope", headers=headers)
    assert broken.status_code == 400 and broken.json()["type"].endswith("/invalid-json")

    schema_error = client.post(
        "/api/v1/order-count-events", json={"name": "x", "count": 0, "actions": []}, headers=headers
    )
    service_error = client.post(
        "/api/v1/order-count-events",
        json={"name": "x", "count": 3, "actions": [{"type": "credit", "amount": 100, "currency": "EUR"}]},
        headers=headers,
    )
    for r in (schema_error, service_error):
        assert r.status_code == 422 and r.json()["type"].endswith("/invalid-request"), r.text


def test_an_id_sent_again_with_other_content_is_a_conflict_and_changes_nothing(
    client: TestClient, keys, mp: Milepost
) -> None:
    client.post("/api/v1/events", json={"events": [paid(1), paid(2)]}, headers=keys.auth("ingest"))
    same_in_another_order = dict(reversed(list(paid(1).items())))

    r = client.post(
        "/api/v1/events",
        json={"events": [same_in_another_order, paid(2, total=9999), paid(3), paid(3, total=1)]},
        headers=keys.auth("ingest"),
    )

    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["accepted"], body["duplicates"], body["conflicts"], body["rejected"]) == (1, 1, 2, 0)
    assert [x["status"] for x in body["results"]] == ["duplicate", "conflict", "accepted", "conflict"]
    problem = body["results"][1]["problem"]
    assert problem["field"] == "id" and "other content" in problem["reason"]
    assert mp.customers.get(keys.store, "c1").amount_spent == 2500 * 3  # e2's first total, e3's first


def test_a_single_event_reusing_an_id_with_other_content_is_a_409(client: TestClient, keys, mp: Milepost) -> None:
    client.post("/api/v1/events", json=paid(1), headers=keys.auth("ingest"))

    r = client.post("/api/v1/events", json=paid(1, total=1), headers=keys.auth("ingest"))

    assert r.status_code == 409 and r.headers["content-type"] == PROBLEM
    problem = r.json()
    assert problem["type"].endswith("/event-conflict") and problem["detail"].startswith("id: was sent before")
    assert [x["status"] for x in problem["results"]] == ["conflict"]
    assert client.post("/api/v1/events", json=paid(1), headers=keys.auth("ingest")).json()["duplicates"] == 1
    assert mp.customers.get(keys.store, "c1").amount_spent == 2500
