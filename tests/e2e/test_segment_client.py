"""Wire compatibility: Segment's own analytics-python client, pointed at a real Milepost server.

The client sends /v1/batch with the write key as basic auth (and in the body), gzip
bodies, ISO timestamps and its own messageIds; nothing here is adapted for Milepost.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from segment.analytics import Client
from segment.analytics.request import APIError, post

from milepost import Milepost
from milepost.adapters.storage import tables as t
from milepost.entrypoints.http import create_app
from support.live import serve


class Recorder:
    """The ASGI app, noting each request's path and headers on the way in."""

    def __init__(self, app: Any) -> None:
        self.app, self.requests = app, []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests.append((scope["path"], {k.decode(): v.decode() for k, v in scope["headers"]}))
        await self.app(scope, receive, send)


@pytest.fixture
def recorder(mp: Milepost) -> Recorder:
    return Recorder(create_app(mp))


@pytest.fixture
def server_url(recorder: Recorder) -> Iterator[str]:
    """A real uvicorn server around `mp`, on a free local port, for the length of one test."""
    with serve(recorder) as url:
        yield url


@pytest.fixture
def write_key(mp: Milepost) -> tuple[str, str]:
    store = f"s-{uuid.uuid4().hex}"
    mp.stores.create(store, "Shop", currency="USD")
    return store, mp.keys.create(store, "ingest")[1]


def stored(mp: Milepost, store: str) -> list[tuple[str, str, dict]]:
    e = t.events
    query = sa.select(e.c.source, e.c.type, e.c.payload).where(e.c.store_id == mp.stores.get(store).id)
    with mp.db.engine.connect() as conn:
        return [(r.source, r.type, orjson.loads(r.payload)) for r in conn.execute(query)]


def send_a_customers_story(analytics: Client, user: str) -> None:
    traits = {"email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace", "email_consent": True}
    analytics.identify(user, {**traits, "sms_consent": False, "plan": "gold"})
    for order_id, total in (("o1", 27.50), ("o2", 10), ("o3", Decimal("12.25"))):
        analytics.track(user, "Order Completed", {"order_id": order_id, "total": total, "currency": "USD"})
    analytics.track(user, "Order Refunded", {"order_id": "o1"})
    analytics.track(user, "Product Reviewed", {"product_id": "p1", "rating": 5, "review_body": "Lovely"})
    analytics.track(user, "Wishlist Shared", {"items": ["p1", "p2"]})


def test_the_segment_client_sends_a_customers_story(mp: Milepost, server_url: str, write_key, recorder) -> None:
    store, secret = write_key
    errors: list[Exception] = []
    analytics = Client(
        secret, host=server_url, gzip=True, upload_interval=0.05, max_retries=1, on_error=lambda e, _: errors.append(e)
    )

    send_a_customers_story(analytics, "u1")
    analytics.shutdown()  # flushes the queue, then stops the client's thread

    assert errors == []
    assert recorder.requests, "the client sent nothing"
    for path, headers in recorder.requests:
        assert path == "/v1/batch" and headers["content-encoding"] == "gzip"
        assert headers["authorization"].startswith("Basic ")
    customer = mp.customers.get(store, "u1")
    assert (customer.order_count, customer.amount_spent) == (2, 1000 + 1225)
    assert (customer.email, customer.name, customer.email_consent, customer.sms_consent) == (
        "ada@example.com",
        "Ada Lovelace",
        True,
        False,
    )
    assert customer.attributes == {"plan": "gold"}
    # what the client sent, kept as sent (beside Milepost's own events, source 'milepost')
    events = [e for e in stored(mp, store) if e[0] != "milepost"]
    assert {source for source, _, _ in events} == {"segment"}
    assert sorted(kind for _, kind, _ in events) == [
        "custom",
        "customer.updated",
        "order.completed",
        "order.completed",
        "order.completed",
        "order.refunded",
        "review.created",
    ]
    [custom] = [payload for _, kind, payload in events if kind == "custom"]
    assert (custom["name"], custom["properties"]) == ("Wishlist Shared", {"items": ["p1", "p2"]})


def test_resending_is_harmless_and_invalid_input_is_not_retried(mp: Milepost, server_url: str, write_key) -> None:
    store, secret = write_key
    analytics = Client(secret, host=server_url, gzip=True, sync_mode=True, max_retries=0)
    order = {"order_id": "o1", "total": 5, "currency": "USD"}

    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # a retry sends the message as it was, its timestamp too
    for _ in range(2):  # the same messageId twice, as a sender retrying after a timeout would
        analytics.track("u1", "Order Completed", order, message_id="fixed-id", timestamp=at)
    with pytest.raises(APIError) as refused:
        analytics.track(anonymous_id="visitor-1", event="Order Completed", properties=order)

    with pytest.raises(APIError) as conflict:  # the same messageId for another event
        analytics.track("u1", "Order Completed", {**order, "total": 6}, message_id="fixed-id", timestamp=at)

    assert mp.customers.get(store, "u1").order_count == 1
    assert conflict.value.status == 409 and conflict.value.code == "event-conflict"
    assert refused.value.status == 400
    assert refused.value.message == "userId: is required: Milepost tracks known customers"


def test_the_clients_own_limits_pass_and_segments_limits_answer_413(mp: Milepost, server_url: str, write_key) -> None:
    """What the client keeps to (32 KB a message, 475,000 bytes a batch) is accepted; a
    batch over Segment's 500 KB, sent by the client's own `post`, is its 413, with the
    `code` and `message` the client reads."""
    store, secret = write_key
    errors: list[Exception] = []
    analytics = Client(secret, host=server_url, gzip=True, upload_interval=0.05, on_error=lambda e, _: errors.append(e))
    note = "x" * 31_000  # the largest kind of message the client sends
    for n in range(20):
        analytics.track("u1", "Order Completed", {"order_id": f"o{n}", "total": 1, "currency": "USD", "note": note})
    analytics.shutdown()
    assert errors == [] and mp.customers.get(store, "u1").order_count == 20

    message = {"type": "track", "userId": "u2", "event": "Note Taken", "properties": {"note": "x" * 25_000}}
    batch = [{**message, "messageId": f"big-{n}"} for n in range(26)]  # 650 KB
    with pytest.raises(APIError) as refused:
        post(secret, host=server_url, gzip=True, batch=batch)
    assert refused.value.status == 413
    assert refused.value.code == "payload-too-large" and "512000" in refused.value.message
    assert all(payload.get("name") != "Note Taken" for _, _, payload in stored(mp, store))
