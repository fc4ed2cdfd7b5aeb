"""Text messages end to end on every backend: a rule's `send_sms` action fires, the worker
renders the text and sends it to a real HTTP stand-in for Twilio on loopback (or keeps it
in the local mailbox when no provider is configured), and records the outcome. Nothing of
the sending code is replaced."""

from __future__ import annotations

from datetime import timedelta

import pytest
from milepost_kit import buy, key, rule

from milepost import Milepost
from milepost.config import Settings
from support.twilio_standin import TwilioStandIn, error

FAST = dict(webhooks_allow_private=True, delivery_jitter=0, delivery_concurrency=4)
FROM = "+15005550006"
PHONE = "+14155550123"
TEXT = "Hi {{ customer.name }}, you reached {{ milestone.name }} with {{ customer.order_count }} orders."


@pytest.fixture
def twilio():
    with TwilioStandIn() as standin:
        yield standin


def settings(twilio: TwilioStandIn | None = None, **changes) -> Settings:
    provider = {}
    if twilio is not None:
        provider = dict(
            twilio_account_sid=twilio.account_sid,
            twilio_auth_token=twilio.auth_token,
            twilio_from_number=FROM,
            twilio_base_url=twilio.base_url,
        )
    return Settings(**{**FAST, **provider, **changes})


def customer(mp: Milepost, store: str, cid: str = "c1", kind: str = "created", **profile) -> None:
    profile = {"name": "Ada Lovelace", "phone": PHONE, "sms_consent": True, **profile}
    result = mp.ingest(store, [{"id": key(), "type": f"customer.{kind}", "customer_id": cid, **profile}])
    assert result.accepted == 1, result.rejected


def sms_rule(mp: Milepost, store: str, count: int = 2, text: str = TEXT) -> int:
    return rule(mp, store, count, {"type": "send_sms", "text": text}, name="VIP")


def drain(mp: Milepost, store: str, twilio: TwilioStandIn | None = None, **changes) -> int:
    worker = mp.worker(settings=settings(twilio, **changes), stores=[store])
    try:
        worker.drain()
        return worker.delivered
    finally:
        worker.close()


def test_a_text_goes_to_twilio_rendered_for_the_customer(mp, store, twilio):
    sms_rule(mp, store)
    customer(mp, store)
    buy(mp, store, "c1", 2)
    assert drain(mp, store, twilio) == 1
    (message,) = twilio.messages
    assert (message.to, message.from_) == (PHONE, FROM)
    assert message.body == "Hi Ada Lovelace, you reached VIP with 2 orders."
    (delivery,) = mp.deliveries.list(store)
    assert (delivery.channel, delivery.status, delivery.attempts, delivery.last_code) == ("sms", "sent", 1, 201)
    assert delivery.customer_id == "c1" and delivery.sent_at is not None
    assert message.idempotency_key == delivery.key
    _, attempts = mp.deliveries.get(store, delivery.id)
    assert [(a.outcome, a.code) for a in attempts] == [("sent", 201)]
    assert mp.mailbox.list(store) == []
    assert drain(mp, store, twilio) == 0 and len(twilio.requests) == 1


def test_the_text_is_rendered_with_the_profile_as_it_is_at_send_time(mp, store, twilio):
    sms_rule(mp, store)
    customer(mp, store, phone=None, sms_consent=False)
    buy(mp, store, "c1", 2)
    customer(mp, store, kind="updated", name="Ada King", phone="+447700900123", sms_consent=True)
    assert drain(mp, store, twilio) == 1
    (message,) = twilio.messages
    assert message.to == "+447700900123" and message.body.startswith("Hi Ada King,")


def test_many_texts_are_sent_once_each_by_the_workers_threads(mp, store, twilio):
    sms_rule(mp, store, count=1)
    phones = {f"c{i}": f"+1415555{i:04d}" for i in range(12)}
    for cid, phone in phones.items():
        customer(mp, store, cid, name=f"Customer {cid}", phone=phone)
        buy(mp, store, cid, 1)
    assert drain(mp, store, twilio) == 12
    assert sorted(m.to for m in twilio.messages) == sorted(phones.values())
    by_phone = {m.to: m.body for m in twilio.messages}
    assert all(by_phone[phone].startswith(f"Hi Customer {cid},") for cid, phone in phones.items())
    assert len({m.idempotency_key for m in twilio.messages}) == 12
    assert {d.status for d in mp.deliveries.list(store)} == {"sent"}


@pytest.mark.parametrize(
    ("profile", "reason"),
    [
        ({"sms_consent": False}, "consented to text messages"),
        ({"phone": None}, "no phone number"),
        ({"phone": None, "sms_consent": False}, "no phone number"),
    ],
)
def test_customers_without_a_phone_or_sms_consent_get_no_text_and_the_skip_says_why(mp, store, twilio, profile, reason):
    sms_rule(mp, store)
    customer(mp, store, **profile)
    buy(mp, store, "c1", 2)
    assert drain(mp, store, twilio) == 0
    (delivery,) = mp.deliveries.list(store)
    assert delivery.status == "skipped" and reason in delivery.last_error
    assert twilio.requests == []
    assert mp.mailbox.list(store) == []
    assert mp.deliveries.list(store, status="skipped") == [delivery]
    _, attempts = mp.deliveries.get(store, delivery.id)
    assert [a.outcome for a in attempts] == ["skipped"]


def test_a_customer_who_never_gave_a_phone_gets_no_text(mp, store, twilio):
    sms_rule(mp, store)
    buy(mp, store, "c1", 2)  # the customer exists only through their orders
    drain(mp, store, twilio)
    (delivery,) = mp.deliveries.list(store)
    assert delivery.status == "skipped" and "no phone number" in delivery.last_error
    assert twilio.requests == []


def test_without_twilio_texts_are_kept_once_in_the_local_mailbox(mp, store):
    sms_rule(mp, store)
    customer(mp, store)
    buy(mp, store, "c1", 2)
    assert drain(mp, store, twilio_from_number=FROM) == 1
    (text,) = mp.mailbox.list(store, channel="sms")
    assert text.channel == "sms" and text.recipient == PHONE and text.sender == FROM
    assert text.body_text == "Hi Ada Lovelace, you reached VIP with 2 orders."
    assert text.subject is None and text.body_html is None
    assert mp.mailbox.list(store, channel="email") == []
    (delivery,) = mp.deliveries.list(store)
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert text.delivery_id == delivery.id and text.message_id == delivery.key
    assert mp.mailbox.get(store, text.id) == text
    assert drain(mp, store) == 0 and len(mp.mailbox.list(store)) == 1


def test_without_a_sending_number_the_mailbox_names_the_channel_as_sender(mp, store):
    sms_rule(mp, store)
    customer(mp, store)
    buy(mp, store, "c1", 2)
    drain(mp, store)
    (text,) = mp.mailbox.list(store, channel="sms")
    assert text.sender == "sms"


def test_a_number_twilio_refuses_is_dead_after_one_attempt_with_an_alert(mp, store, twilio):
    sms_rule(mp, store)
    customer(mp, store)
    buy(mp, store, "c1", 2)
    twilio.answer(400, error(400, 21211, f"The 'To' number {PHONE} is not a valid phone number."))
    assert drain(mp, store, twilio) == 0
    (delivery,) = mp.deliveries.list(store)
    assert (delivery.status, delivery.attempts, delivery.last_code) == ("dead", 1, 400)
    assert "Twilio error 21211" in delivery.last_error
    _, attempts = mp.deliveries.get(store, delivery.id)
    assert [(a.outcome, a.code) for a in attempts] == [("failed", 400)]
    (alert,) = mp.alerts.list(store)
    assert f"dlv_{delivery.id}" in alert.message and "(sms)" in alert.message and "21211" in alert.message
    assert drain(mp, store, twilio) == 0 and len(twilio.requests) == 1
    assert twilio.messages == []


def test_a_rate_limit_puts_the_text_back_until_retry_after_then_it_goes_with_the_same_key(mp, store, twilio, clock):
    sms_rule(mp, store)
    customer(mp, store)
    buy(mp, store, "c1", 2)
    twilio.answer(429, error(429, 20429, "Too Many Requests"), {"Retry-After": "120"})
    start = clock()
    assert drain(mp, store, twilio) == 0
    (delivery,) = mp.deliveries.list(store)
    assert (delivery.status, delivery.attempts, delivery.last_code) == ("pending", 1, 429)
    assert "20429" in delivery.last_error
    assert delivery.available_at == start + timedelta(seconds=120)  # Retry-After beat the schedule's 5 s
    assert drain(mp, store, twilio) == 0 and len(twilio.requests) == 1  # not due yet
    clock.advance(seconds=120)
    assert drain(mp, store, twilio) == 1
    (delivery,) = mp.deliveries.list(store)
    assert (delivery.status, delivery.attempts, delivery.last_code) == ("sent", 2, 201)
    _, attempts = mp.deliveries.get(store, delivery.id)
    assert [(a.outcome, a.code) for a in attempts] == [("retry", 429), ("sent", 201)]
    assert [r.headers["idempotency-key"] for r in twilio.requests] == [delivery.key, delivery.key]
    assert len(twilio.messages) == 1 and mp.alerts.list(store) == []


def test_a_server_error_is_retried_on_the_schedule(mp, store, twilio, clock):
    sms_rule(mp, store)
    customer(mp, store)
    buy(mp, store, "c1", 2)
    twilio.answer(500, error(500, 20500, "Internal Server Error"))
    drain(mp, store, twilio)
    (delivery,) = mp.deliveries.list(store)
    assert (delivery.status, delivery.last_code) == ("pending", 500)
    assert delivery.available_at == clock() + timedelta(seconds=5)
    clock.advance(seconds=5)
    assert drain(mp, store, twilio) == 1


def test_a_wrong_auth_token_is_retried_and_the_error_says_to_check_the_settings(mp, store, twilio, clock):
    sms_rule(mp, store)
    customer(mp, store)
    buy(mp, store, "c1", 2)
    assert drain(mp, store, twilio, twilio_auth_token="wrong") == 0
    (delivery,) = mp.deliveries.list(store)
    assert (delivery.status, delivery.last_code) == ("pending", 401)
    assert "20003" in delivery.last_error and "auth token" in delivery.last_error
    clock.advance(seconds=5)
    assert drain(mp, store, twilio) == 1  # fixed in the settings, the same message goes
    assert len(twilio.messages) == 1


def test_after_the_last_attempt_a_text_is_dead_with_one_alert(mp, store, twilio, clock):
    sms_rule(mp, store)
    for cid in ("c1", "c2"):
        customer(mp, store, cid)
        buy(mp, store, cid, 2)
    twilio.answer(503, error(503, 20503, "Service Unavailable"), times=6)
    for _ in range(3):  # one thread: see the next test for dead letters settled at the same time
        drain(mp, store, twilio, delivery_schedule=[0, 1, 1], delivery_concurrency=1)
        clock.advance(seconds=1)
    dead = mp.deliveries.list(store, status="dead")
    assert len(dead) == 2 and all(d.attempts == 3 for d in dead)
    (alert,) = mp.alerts.list(store)  # one open alert for the channel, not one per message
    assert "(sms)" in alert.message and "failed after 3 attempts" in alert.message and "HTTP 503" in alert.message
    assert mp.deliveries.retry_dead(store) == 2
    assert drain(mp, store, twilio) == 2
    assert len(twilio.messages) == 2


def test_texts_dying_at_the_same_time_raise_one_alert(mp, store, twilio):
    """Worker threads settle dead letters at once; the open-alert key is unique in the database."""
    sms_rule(mp, store)
    for i in range(8):
        customer(mp, store, f"c{i}")
        buy(mp, store, f"c{i}", 2)
    twilio.answer(400, error(400, 21211, f"The 'To' number {PHONE} is not a valid phone number."), times=8)
    drain(mp, store, twilio, delivery_concurrency=8)
    assert len(mp.deliveries.list(store, status="dead")) == 8
    assert len(mp.alerts.list(store)) == 1
