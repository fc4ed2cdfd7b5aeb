"""POST /v1/track, /v1/identify and /v1/batch: Segment's tracking API on both backends."""

from __future__ import annotations

import base64
import gzip

import orjson
import sqlalchemy as sa
from fastapi.testclient import TestClient

from milepost import Milepost
from milepost.adapters.storage import tables as t
from milepost.config import Settings
from milepost.entrypoints.http import create_app
from support.bodies import corrupt_gzip, gzip_bomb

PROBLEM = "application/problem+json"
GZIP = {"Content-Encoding": "gzip"}


def basic(secret: str) -> dict[str, str]:
    """Segment's way: the write key as the basic-auth user name, no password."""
    return {"Authorization": "Basic " + base64.b64encode(f"{secret}:".encode()).decode()}


def completed(n: int, user: str = "u1", total: float = 27.5) -> dict:
    properties = {"order_id": f"o{n}", "total": total, "currency": "USD"}
    return {"type": "track", "messageId": f"m{n}", "userId": user, "event": "Order Completed", "properties": properties}


def stored(mp: Milepost, store: str) -> dict[str, tuple[str, str, dict]]:
    e = t.events
    query = sa.select(e.c.external_id, e.c.source, e.c.type, e.c.payload).where(e.c.store_id == mp.stores.get(store).id)
    with mp.db.engine.connect() as conn:
        return {r.external_id: (r.source, r.type, orjson.loads(r.payload)) for r in conn.execute(query)}


def test_track_stores_an_order_in_minor_units_and_answers_segment_success(client: TestClient, keys, mp) -> None:
    r = client.post("/v1/track", json=completed(1), headers=basic(keys.ingest))

    assert r.status_code == 200, r.text
    assert r.json() == {
        "success": True,
        "accepted": 1,
        "duplicates": 0,
        "conflicts": 0,
        "rejected": 0,
        "results": [{"index": 0, "id": "m1", "status": "accepted"}],
    }
    report = mp.customers.get(keys.store, "u1")
    assert (report.order_count, report.amount_spent) == (1, 2750)
    assert stored(mp, keys.store)["m1"][:2] == ("segment", "order.completed")


def test_identify_sets_the_profile(client: TestClient, keys, mp) -> None:
    message = {
        "messageId": "id-1",
        "userId": "u1",
        "traits": {"email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace", "emailOptIn": True},
        "timestamp": "2026-02-01T10:00:00.000Z",
    }

    r = client.post("/v1/identify", json=message, headers=basic(keys.ingest))

    assert r.status_code == 200 and r.json()["accepted"] == 1
    report = mp.customers.get(keys.store, "u1")
    assert (report.email, report.name, report.email_consent) == ("ada@example.com", "Ada Lovelace", True)


def test_a_batch_keeps_the_valid_messages_and_names_each_rejection(client: TestClient, keys, mp) -> None:
    batch = [
        completed(1),
        {"type": "page", "messageId": "pg", "userId": "u1", "name": "Home"},
        {"type": "track", "messageId": "anon", "anonymousId": "a1", "event": "Order Completed"},
        {**completed(2), "properties": {"order_id": "o2", "total": "lots"}},
        {"type": "track", "messageId": "c1", "userId": "u1", "event": "Wishlist Shared", "properties": {"n": 2}},
        {"type": "identify", "messageId": "i1", "userId": "u1", "traits": {"email": "not-an-email"}},
    ]

    r = client.post("/v1/batch", json={"batch": batch}, headers=basic(keys.ingest))

    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["success"], body["accepted"], body["duplicates"], body["rejected"]) == (True, 2, 0, 4)
    statuses = [x["status"] for x in body["results"]]
    assert statuses == ["accepted", "rejected", "rejected", "rejected", "accepted", "rejected"]
    problems = {x["id"]: x["problem"] for x in body["results"] if x["status"] == "rejected"}
    assert problems["pg"]["detail"] == "type: 'page' is not used by Milepost; send track or identify"
    assert problems["anon"]["detail"] == "userId: is required: Milepost tracks known customers"
    assert problems["m2"]["field"] == "properties.total"
    assert problems["i1"] == {
        "field": "traits.email",
        "reason": "must be an email address",
        "detail": "traits.email: must be an email address",
    }
    assert stored(mp, keys.store)["c1"][1:] == ("custom", stored_custom(batch[4]))


def stored_custom(message: dict) -> dict:
    """The native event a custom track message is stored as."""
    return {
        "id": message["messageId"],
        "customer_id": message["userId"],
        "type": "custom",
        "name": message["event"],
        "properties": message["properties"],
    }


def test_a_duplicate_messageId_is_harmless(client: TestClient, keys, mp) -> None:
    client.post("/v1/batch", json={"batch": [completed(1), completed(2)]}, headers=basic(keys.ingest))

    again = client.post("/v1/batch", json={"batch": [completed(1), completed(2)]}, headers=basic(keys.ingest))
    within = client.post("/v1/batch", json={"batch": [completed(3), completed(3)]}, headers=basic(keys.ingest))

    assert again.status_code == 200 and (again.json()["accepted"], again.json()["duplicates"]) == (0, 2)
    assert [x["status"] for x in within.json()["results"]] == ["accepted", "duplicate"]
    assert mp.customers.get(keys.store, "u1").order_count == 3


def test_a_messageId_sent_again_with_other_content_is_a_conflict(client: TestClient, keys, mp) -> None:
    client.post("/v1/batch", json={"batch": [completed(1), completed(2)]}, headers=basic(keys.ingest))

    batch = [completed(1, total=99.0), completed(2), completed(3)]
    r = client.post("/v1/batch", json={"batch": batch}, headers=basic(keys.ingest))
    single = client.post("/v1/track", json=completed(1, total=99.0), headers=basic(keys.ingest))

    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["accepted"], body["duplicates"], body["conflicts"], body["rejected"]) == (1, 1, 1, 0)
    assert body["results"][0]["status"] == "conflict" and body["results"][0]["problem"]["field"] == "messageId"
    assert single.status_code == 409 and single.json()["detail"].startswith("messageId: was sent before")
    assert mp.customers.get(keys.store, "u1").amount_spent == 3 * 2750


def test_a_refund_lowers_the_counts(client: TestClient, keys, mp) -> None:
    client.post("/v1/batch", json={"batch": [completed(1), completed(2, total=10)]}, headers=basic(keys.ingest))
    refund = {"messageId": "rf", "userId": "u1", "event": "Order Refunded", "properties": {"order_id": "o1"}}
    partial = {
        "messageId": "rp",
        "userId": "u1",
        "event": "Order Refunded",
        "properties": {"order_id": "o2", "total": 4},
    }

    client.post("/v1/track", json=refund, headers=basic(keys.ingest))
    client.post("/v1/track", json=partial, headers=basic(keys.ingest))

    report = mp.customers.get(keys.store, "u1")
    assert (report.order_count, report.amount_spent) == (1, 600)


def test_reviews_and_custom_events_are_stored_for_later(client: TestClient, keys, mp) -> None:
    review = {
        "messageId": "rv",
        "userId": "u9",
        "event": "Product Reviewed",
        "properties": {"product_id": "p1", "rating": 4.0, "review_body": "Lovely"},
    }

    r = client.post("/v1/track", json=review, headers=basic(keys.ingest))

    assert r.status_code == 200, r.text
    source, kind, payload = stored(mp, keys.store)["rv"]
    assert (source, kind, payload["rating"], payload["properties"]["review_body"]) == (
        "segment",
        "review.created",
        4,
        "Lovely",
    )
    assert mp.customers.get(keys.store, "u9").order_count == 0


def test_reviews_referrals_and_renewals_count_once_per_item(client: TestClient, keys, mp) -> None:
    def track(message_id: str, event: str, **props: str) -> dict:
        return {"type": "track", "messageId": message_id, "userId": "u7", "event": event, "properties": props}

    batch = [
        track("a", "Product Reviewed", review_id="r1", product_id="p1"),
        track("b", "Product Reviewed", review_id="r1", product_id="p1"),  # the same review again
        track("c", "Referral Completed", referral_id="ref-1", referred_customer_id="u8"),
        track("d", "subscription_renewed", invoice_id="in-1", subscription_id="sub-1"),
        track("e", "Subscription Renewed", invoice_id="in-2", subscription_id="sub-1"),
    ]

    r = client.post("/v1/batch", json={"batch": batch}, headers=basic(keys.ingest))

    assert r.status_code == 200 and r.json()["accepted"] == 5, r.text
    counts = mp.customers.get(keys.store, "u7").aggregates
    assert (counts.review_count, counts.referral_count, counts.billing_cycles) == (1, 1, 2)
    assert stored(mp, keys.store)["c"][2]["referred_customer_id"] == "u8"


def test_gzip_bodies_are_accepted(client: TestClient, keys) -> None:
    body = gzip.compress(orjson.dumps({"batch": [completed(1), completed(2)]}))
    headers = {**basic(keys.ingest), "Content-Encoding": "gzip", "Content-Type": "application/json"}

    r = client.post("/v1/batch", content=body, headers=headers)

    assert r.status_code == 200 and r.json()["accepted"] == 2


def test_the_write_key_authenticates_as_basic_user_bearer_or_body(client: TestClient, keys, mp) -> None:
    assert client.post("/v1/track", json=completed(1), headers=keys.auth("ingest")).status_code == 200
    in_body = client.post("/v1/batch", json={"batch": [completed(2)], "writeKey": keys.ingest})
    assert in_body.status_code == 200 and in_body.json()["accepted"] == 1
    assert mp.customers.get(keys.store, "u1").order_count == 2


def test_a_wrong_or_missing_key_is_401(client: TestClient, keys) -> None:
    wrong = client.post("/v1/track", json=completed(1), headers=basic("mpk_nope"))
    assert wrong.status_code == 401 and wrong.headers["content-type"] == PROBLEM
    assert wrong.headers["www-authenticate"].startswith("Basic")
    assert client.post("/v1/track", json=completed(1)).status_code == 401
    assert client.post("/v1/batch", json={"batch": [completed(1)], "writeKey": "mpk_nope"}).status_code == 401
    # the header wins over the body, and a bad body says nothing to an unknown caller
    assert client.post("/v1/batch", json={"batch": [], "writeKey": keys.ingest}, headers=basic("x")).status_code == 401
    assert client.post("/v1/track", content=b"{not json").status_code == 401


def test_a_single_invalid_message_is_a_400_with_the_reason(client: TestClient, keys) -> None:
    message = {"messageId": "m1", "anonymousId": "a1", "event": "Order Completed"}

    r = client.post("/v1/track", json=message, headers=basic(keys.ingest))

    assert r.status_code == 400 and r.headers["content-type"] == PROBLEM
    problem = r.json()
    assert problem["detail"] == "userId: is required: Milepost tracks known customers"
    assert problem["message"] == problem["detail"]  # what Segment's libraries log
    assert problem["results"][0]["status"] == "rejected"


def test_a_batch_with_every_message_invalid_is_a_400(client: TestClient, keys, mp) -> None:
    batch = [{"type": "screen", "messageId": "s1", "userId": "u1"}, {**completed(1), "timestamp": "yesterday"}]

    r = client.post("/v1/batch", json={"batch": batch}, headers=basic(keys.ingest))

    assert r.status_code == 400 and r.json()["detail"] == "every message was rejected"
    assert r.json()["results"][1]["problem"]["field"] == "timestamp"
    assert stored(mp, keys.store) == {}


def test_bad_bodies_and_limits_are_problems_never_a_crash(client: TestClient, keys) -> None:
    headers = basic(keys.ingest)
    cases = [
        ("/v1/track", b"{not json", {}, 400),
        ("/v1/track", b"[1, 2]", {}, 400),
        ("/v1/identify", b'"text"', {}, 400),
        ("/v1/batch", b'{"batch": 3}', {}, 400),
        ("/v1/batch", b'{"batch": []}', {}, 400),
        ("/v1/batch", b"[]", {}, 400),
        ("/v1/batch", b"garbage", {"Content-Encoding": "gzip"}, 400),
        ("/v1/batch", b"{}", {"Content-Encoding": "br"}, 415),
        ("/v1/batch", orjson.dumps({"batch": [{}] * 1001}), {}, 413),
        ("/v1/batch", b" " * 70_000 + b"{}", {}, 413),
    ]
    for path, content, extra, status in cases:
        r = client.post(path, content=content, headers={**headers, **extra})
        assert r.status_code == status, (path, content[:20], r.text)
        assert r.headers["content-type"] == PROBLEM


def test_segment_limits_500_kb_a_batch_32_kb_a_message_are_413(mp, keys) -> None:
    """Segment's own limits, on a server whose body limits are wider (the default 4 MiB)."""
    padded = [{**completed(n), "properties": {**completed(n)["properties"], "note": "x" * 25_000}} for n in range(26)]
    big_message = {**completed(99), "properties": {**completed(99)["properties"], "note": "x" * 33_000}}
    cases = [
        ("/v1/batch", {"batch": padded}, "512000"),  # 26 messages of 25 KB: 650 KB
        ("/v1/batch", {"batch": [completed(1), big_message]}, "batch[1]"),
        ("/v1/track", big_message, "32768"),
    ]
    with TestClient(create_app(mp, Settings()), raise_server_exceptions=False) as roomy:
        for path, document, named in cases:
            for content, extra in [(orjson.dumps(document), {}), (gzip.compress(orjson.dumps(document)), GZIP)]:
                r = roomy.post(path, content=content, headers={**basic(keys.ingest), **extra})
                assert r.status_code == 413, (path, named, r.text)
                assert r.headers["content-type"] == PROBLEM and named in r.json()["detail"]
        assert stored(mp, keys.store) == {}
        r = roomy.post("/v1/batch", json={"batch": padded[:18]}, headers=basic(keys.ingest))  # 450 KB
        assert r.status_code == 200 and r.json()["accepted"] == 18


def test_a_corrupt_gzip_body_is_a_400_never_half_read(client: TestClient, keys, mp) -> None:
    for name, content in corrupt_gzip(orjson.dumps({"batch": [completed(1)]})).items():
        r = client.post("/v1/batch", content=content, headers={**basic(keys.ingest), **GZIP})
        assert r.status_code == 400, (name, r.text)
        assert r.headers["content-type"] == PROBLEM and r.json()["type"].endswith("invalid-encoding"), name
    assert stored(mp, keys.store) == {}


def test_a_bad_write_key_is_401_before_the_body_is_read(client: TestClient, keys) -> None:
    for auth in (basic("garbage"), basic("mpk_" + "0" * 40), {"Authorization": "Bearer garbage"}):
        for content, extra in [(b"[]", {}), (gzip_bomb(), GZIP), (b"garbage", GZIP)]:
            r = client.post("/v1/batch", content=content, headers={**auth, **extra})
            assert r.status_code == 401, (auth, content[:10], r.text)
            assert r.headers["content-type"] == PROBLEM


def test_messages_go_to_the_keys_store_only(client: TestClient, keys, other_store, mp) -> None:
    euros = {**completed(1), "properties": {"order_id": "o1", "total": 12, "currency": "EUR"}}

    r = client.post("/v1/track", json=euros, headers=basic(other_store.ingest))

    assert r.status_code == 200
    assert mp.customers.get(other_store.store, "u1").amount_spent == 1200
    wrong_currency = client.post("/v1/track", json=euros, headers=basic(keys.ingest))
    assert wrong_currency.json()["detail"] == "properties.currency: must be the store's currency, USD"
