"""The worker delivers the outbox: the local mailbox, SMTP, signed webhooks, retries on the
schedule, 410, dead letters and their alerts, leases. Real SMTP (aiosmtpd) and a real
HTTP receiver on loopback; nothing of the sending code is replaced."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from milepost_kit import buy, drain, key, rule
from standardwebhooks.webhooks import Webhook

from milepost import Milepost
from milepost.config import Settings
from milepost.errors import Conflict, ValidationError
from milepost.relay.message_ids import message_id_for
from milepost.service import reports
from support.smtp import SmtpSink

FAST = dict(webhooks_allow_private=True, delivery_jitter=0, delivery_concurrency=4)


def recorded(mp: Milepost, store: str) -> list[tuple[str, dict]]:
    """Milepost's internal events of the store: (type, data)."""
    everyone = [c.external_id for c in mp.customers.list(store)]
    found = [e for c in everyone for e in mp.customers.events(store, c, limit=200) if e.source == "milepost"]
    return [(e.type, json.loads(e.payload)["data"]) for e in found]


def settings(**changes) -> Settings:
    return Settings(**{**FAST, **changes})


def customer(mp: Milepost, store: str, cid: str = "c1", **profile) -> None:
    profile = {"email": f"{cid}@example.com", "name": "Ada Lovelace", "email_consent": True, **profile}
    result = mp.ingest(store, [{"id": key(), "type": "customer.created", "customer_id": cid, **profile}])
    assert result.accepted == 1, result.rejected


def email_rule(mp: Milepost, store: str, count: int = 2) -> int:
    mp.templates.save(
        store,
        "vip",
        subject="Welcome to {{ milestone.name }}, {{ customer.name }}",
        body_text="You have {{ customer.order_count }} orders and {{ reward.credit_amount|money(store.currency) }}.",
        body_html="<p>Hi {{ customer.name }}</p>",
    )
    return rule(
        mp, store, count, {"type": "credit", "amount": 500}, {"type": "send_email", "template": "vip"}, name="VIP"
    )


# -- email ---------------------------------------------------------------------------------------


def test_without_smtp_emails_are_kept_once_in_the_local_mailbox(mp, store):
    email_rule(mp, store)
    customer(mp, store)
    buy(mp, store, "c1", 2)
    assert drain(mp, store) == 1
    (mail,) = mp.mailbox.list(store)
    assert mail.subject == "Welcome to VIP, Ada Lovelace"
    assert "2 orders and $5.00" in mail.body_text
    assert mail.body_html == "<p>Hi Ada Lovelace</p>"
    assert mail.recipient == "Ada Lovelace <c1@example.com>"
    (delivery,) = mp.deliveries.list(store)
    assert delivery.status == "sent" and delivery.attempts == 1
    assert mail.message_id == message_id_for(delivery.key, "milepost@localhost")
    _, attempts = mp.deliveries.get(store, delivery.id)
    assert [a.outcome for a in attempts] == ["sent"]
    assert drain(mp, store) == 0 and len(mp.mailbox.list(store)) == 1


def test_emails_go_over_smtp_with_the_stores_sender_and_a_stable_message_id(mp, store):
    email_rule(mp, store)
    mp.stores.update(store, email_from_name="Shop Team", email_from_address="hello@shop.example")
    customer(mp, store)
    buy(mp, store, "c1", 2)
    with SmtpSink() as smtp:
        assert drain(mp, store, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none") == 1
    (message,) = smtp.messages
    (delivery,) = mp.deliveries.list(store)
    assert message["Message-ID"] == message_id_for(delivery.key, "hello@shop.example")
    assert message["From"] == "Shop Team <hello@shop.example>"
    assert message["To"] == "Ada Lovelace <c1@example.com>"
    assert message["Subject"] == "Welcome to VIP, Ada Lovelace"
    assert mp.mailbox.list(store) == []
    assert delivery.status == "sent" and delivery.last_code == 250


def test_the_stores_reply_to_address_and_logo_reach_its_emails(mp, store):
    # Given a store with a Reply-To and a logo, and a template that shows the logo
    mp.stores.update(store, reply_to_address="help@shop.example", logo_url="https://shop.example/logo.png")
    mp.templates.save(store, "vip", subject="Hi", body_text="Hi", body_html='<img src="{{ store.logo_url }}">')
    rule(mp, store, 2, {"type": "send_email", "template": "vip"}, name="VIP")
    customer(mp, store)
    buy(mp, store, "c1", 2)
    # When the worker sends it over SMTP
    with SmtpSink() as smtp:
        assert drain(mp, store, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none") == 1
    # Then replies go to the store's address and the HTML shows its logo
    (message,) = smtp.messages
    assert message["Reply-To"] == "help@shop.example"
    html = message.get_body(("html",)).get_content()
    assert '<img src="https://shop.example/logo.png">' in html
    # An empty Reply-To clears it
    assert mp.stores.update(store, reply_to_address="").reply_to_address is None


@pytest.mark.parametrize(
    ("profile", "reason"),
    [
        ({"email": None}, "no email address"),
        ({"email_consent": False}, "not consented"),
    ],
)
def test_customers_without_an_email_or_consent_get_none_and_the_skip_says_why(mp, store, profile, reason):
    email_rule(mp, store)
    customer(mp, store, **profile)
    buy(mp, store, "c1", 2)
    assert drain(mp, store) == 0
    (delivery,) = mp.deliveries.list(store)
    assert delivery.status == "skipped" and reason in delivery.last_error
    assert mp.mailbox.list(store) == []
    assert mp.deliveries.list(store, status="skipped") == [delivery]


# -- webhooks --------------------------------------------------------------------------------------


def subscribe(mp: Milepost, store: str, url: str, *types: str) -> str:
    mp.settings = settings()
    _, secret = mp.webhooks.create(store, url=url, event_types=list(types))
    return secret


def verified(secret: str, request) -> dict:
    """What a receiver using the standardwebhooks library accepts (it checks the timestamp
    against its own clock: tests that verify run on the real time, `live_clock`)."""
    return Webhook(secret).verify(request.body, request.headers)


def test_subscribed_internal_events_arrive_signed_as_type_timestamp_data(mp, store, receiver, live_clock):
    secret = subscribe(mp, store, f"{receiver.url}/hooks", "milestone.reached", "customer.rewarded", "alert.created")
    rule(mp, store, 2, {"type": "credit", "amount": 500}, {"type": "alert"}, name="Two")
    customer(mp, store)
    buy(mp, store, "c1", 2)
    assert drain(mp, store) == 3
    bodies = {b["type"]: b for b in (verified(secret, r) for r in receiver.requests)}
    assert set(bodies) == {"milestone.reached", "customer.rewarded", "alert.created"}
    reached = bodies["milestone.reached"]
    assert set(reached) == {"type", "timestamp", "data"}
    assert reached["data"]["customer"]["id"] == "c1" and reached["data"]["milestone"]["count"] == 2
    assert bodies["customer.rewarded"]["data"]["reward"] == {"type": "credit", "amount": 500, "currency": "USD"}
    (alert,) = mp.alerts.list(store)
    expected = {"id": f"alr_{alert.id}", "message": alert.message, "assignee": None}
    assert bodies["alert.created"]["data"]["alert"] == expected
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert ids == {d.key for d in mp.deliveries.list(store)}


def test_a_webhook_action_goes_to_its_url_signed_with_that_endpoints_secret(mp, store, receiver, live_clock):
    mp.settings = settings()
    url = f"{receiver.url}/action"
    rule(mp, store, 1, {"type": "webhook", "url": url})
    (endpoint,) = mp.webhooks.list(store)
    assert endpoint.url == url and endpoint.event_types == ()
    buy(mp, store, "c1", 1)
    assert drain(mp, store) == 1
    (request,) = receiver.requests
    assert request.path == "/action"
    body = verified(mp.webhooks.secret(store, endpoint.id), request)
    assert body["type"] == "milestone.reached"


def test_a_rotated_secret_signs_with_both_until_the_old_one_expires(mp, store, receiver, live_clock):
    old = subscribe(mp, store, receiver.url, "milestone.reached")
    (endpoint,) = mp.webhooks.list(store)
    _, new = mp.webhooks.rotate_secret(store, endpoint.id)
    rule(mp, store, 1)
    buy(mp, store, "c1", 1)
    drain(mp, store)
    (request,) = receiver.requests
    assert len(request.headers["webhook-signature"].split()) == 2
    verified(old, request)
    verified(new, request)

    live_clock.advance(hours=24, seconds=1)  # the old secret has expired
    buy(mp, store, "c2", 1)
    drain(mp, store)
    later = receiver.requests[-1]
    stamp = datetime.fromtimestamp(int(later.headers["webhook-timestamp"]), UTC)
    expected = Webhook(new).sign(later.headers["webhook-id"], stamp, later.body.decode())
    assert later.headers["webhook-signature"] == expected


def test_failures_are_retried_on_the_schedule_honouring_retry_after(mp, store, receiver, clock):
    subscribe(mp, store, receiver.url, "milestone.reached")
    rule(mp, store, 1)
    buy(mp, store, "c1", 1)
    receiver.answer(500, times=1)
    receiver.answer(429, {"Retry-After": "120"}, times=1)
    start = clock()
    assert drain(mp, store) == 0
    (delivery,) = mp.deliveries.list(store)
    assert (delivery.status, delivery.attempts, delivery.last_code) == ("pending", 1, 500)
    assert delivery.available_at == start + timedelta(seconds=5)
    assert drain(mp, store) == 0  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    clock.advance(seconds=5)
    drain(mp, store)
    (delivery,) = mp.deliveries.list(store)
    assert (delivery.attempts, delivery.last_code) == (2, 429)
    assert delivery.available_at == clock() + timedelta(seconds=300)  # the schedule's 5 min beat 120 s
    clock.advance(seconds=300)
    assert drain(mp, store) == 1
    _, attempts = mp.deliveries.get(store, delivery.id)
    assert [(a.outcome, a.code) for a in attempts] == [("retry", 500), ("retry", 429), ("sent", 204)]
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1


def test_retry_after_longer_than_the_schedule_is_honoured(mp, store, receiver, clock):
    subscribe(mp, store, receiver.url, "milestone.reached")
    rule(mp, store, 1)
    buy(mp, store, "c1", 1)
    receiver.answer(503, {"Retry-After": "600"})
    drain(mp, store)
    (delivery,) = mp.deliveries.list(store)
    assert delivery.available_at == clock() + timedelta(seconds=600)


def test_after_the_last_attempt_a_message_is_dead_with_one_alert_and_can_be_retried(mp, store, receiver, clock):
    subscribe(mp, store, receiver.url, "milestone.reached")
    rule(mp, store, 1)
    buy(mp, store, "c1", 1)
    buy(mp, store, "c2", 1)
    receiver.answer(500, times=6)
    for _ in range(3):
        drain(mp, store, delivery_schedule=[0, 1, 1])
        clock.advance(seconds=1)
    dead = mp.deliveries.list(store, status="dead")
    assert len(dead) == 2 and all(d.attempts == 3 for d in dead)
    (alert,) = mp.alerts.list(store)  # one open alert for the endpoint, not one per message
    assert f"dlv_{dead[0].id}" in alert.message or f"dlv_{dead[1].id}" in alert.message
    assert "HTTP 500" in alert.message
    failed = [e for e in recorded(mp, store) if e[0] in ("delivery.failed", "alert.created")]
    assert sorted(kind for kind, _ in failed) == ["alert.created", "delivery.failed", "delivery.failed"]
    assert {data["delivery"]["id"] for kind, data in failed if kind == "delivery.failed"} == {
        f"dlv_{d.id}" for d in dead
    }
    assert mp.deliveries.retry_dead(store) == 2
    assert drain(mp, store) == 2
    assert {d.status for d in mp.deliveries.list(store)} == {"sent"}
    with pytest.raises(Conflict):
        mp.deliveries.retry(store, dead[0].id)


def test_410_disables_the_endpoint_parks_its_messages_and_raises_an_alert(mp, store, receiver):
    subscribe(mp, store, receiver.url, "milestone.reached")
    rule(mp, store, 1)
    buy(mp, store, "c1", 1)
    receiver.answer(410)
    drain(mp, store)
    (endpoint,) = mp.webhooks.list(store)
    assert not endpoint.enabled and "410" in endpoint.disabled_reason
    (delivery,) = mp.deliveries.list(store)
    assert delivery.status == "dead"
    (alert,) = mp.alerts.list(store)
    assert "410" in alert.message and "disabled" in alert.message
    buy(mp, store, "c2", 1)  # a disabled endpoint is no longer subscribed
    assert len(mp.deliveries.list(store)) == 1
    mp.webhooks.update(store, endpoint.id, enabled=True)
    mp.deliveries.retry(store, delivery.id)
    assert drain(mp, store) == 1


def test_redirects_are_not_followed(mp, store, receiver):
    subscribe(mp, store, receiver.url, "milestone.reached")
    rule(mp, store, 1)
    buy(mp, store, "c1", 1)
    receiver.answer(302, {"Location": f"{receiver.url}/elsewhere"})
    drain(mp, store)
    assert [r.path for r in receiver.requests] == ["/"]
    (delivery,) = mp.deliveries.list(store)
    assert delivery.status == "pending" and "redirect" in delivery.last_error and "not followed" in delivery.last_error


def test_an_endpoint_on_a_private_address_is_refused_at_delivery_unless_allowed(mp, store, receiver):
    subscribe(mp, store, receiver.url, "milestone.reached")
    rule(mp, store, 1)
    buy(mp, store, "c1", 1)
    drain(mp, store, webhooks_allow_private=False)
    assert receiver.requests == []
    (delivery,) = mp.deliveries.list(store)
    assert delivery.status == "dead" and "loopback" in delivery.last_error


# -- leases -------------------------------------------------------------------------------------------


def test_a_claimed_message_waits_out_its_lease_then_goes_to_the_next_worker(mp, store, receiver, clock):
    subscribe(mp, store, receiver.url, "milestone.reached")
    rule(mp, store, 1)
    buy(mp, store, "c1", 1)
    with mp.db.write() as tx:  # a worker claims it, then dies before sending
        (_claimed,) = tx.claim_outbox(
            "dead-worker", clock(), clock() + timedelta(seconds=60), 10, [mp.stores.get(store).id]
        )
    assert drain(mp, store) == 0
    clock.advance(seconds=61)
    assert drain(mp, store) == 1
    assert len(receiver.requests) == 1


def test_two_workers_claim_disjoint_messages(mp, store, clock):
    email_rule(mp, store, count=1)
    for i in range(20):
        customer(mp, store, f"c{i}")
        buy(mp, store, f"c{i}", 1)
    with mp.db.write() as tx:
        first = tx.claim_outbox("a", clock(), clock() + timedelta(seconds=60), 12, [mp.stores.get(store).id])
    with mp.db.write() as tx:
        second = tx.claim_outbox("b", clock(), clock() + timedelta(seconds=60), 12, [mp.stores.get(store).id])
    assert len(first) == 12 and len(second) == 8
    assert not {m.id for m in first} & {m.id for m in second}


def test_deliveries_list_filters_and_reads_back(mp, store):
    email_rule(mp, store)
    customer(mp, store)
    customer(mp, store, "c2", email_consent=False)
    buy(mp, store, "c1", 2)
    buy(mp, store, "c2", 2)
    drain(mp, store)
    assert [d.customer_id for d in mp.deliveries.list(store, status="sent")] == ["c1"]
    assert [d.customer_id for d in mp.deliveries.list(store, status="skipped")] == ["c2"]
    assert len(mp.deliveries.list(store, channel="email")) == 2 and mp.deliveries.list(store, channel="sms") == []
    newest, oldest = mp.deliveries.list(store)
    assert mp.deliveries.list(store, before_id=newest.id) == [oldest]
    payload = json.loads(oldest.payload)
    assert payload["template"] == "vip"


def test_a_transactional_store_emails_customers_without_marketing_consent_but_never_without_an_address(mp, store):
    # Given a store whose milestone emails are transactional
    assert mp.stores.update(store, milestone_emails="transactional").milestone_emails == "transactional"
    email_rule(mp, store)
    customer(mp, store, "c1", email_consent=False)
    customer(mp, store, "c2", email=None, email_consent=False)
    # When both reach the milestone and the worker runs
    buy(mp, store, "c1", 2)
    buy(mp, store, "c2", 2)
    drain(mp, store)
    # Then the one with an address got it; the other was skipped for want of one
    by_customer = {d.customer_id: d for d in mp.deliveries.list(store)}
    assert by_customer["c1"].status == "sent" and [m.recipient for m in mp.mailbox.list(store)] == [
        "Ada Lovelace <c1@example.com>"
    ]
    assert by_customer["c2"].status == "skipped" and by_customer["c2"].last_error == "the customer has no email address"


def test_a_stores_milestone_emails_are_marketing_unless_set_otherwise(mp, store):
    assert mp.stores.get(store).milestone_emails == "marketing"
    with pytest.raises(ValidationError, match="milestone_emails"):
        mp.stores.update(store, milestone_emails="sometimes")


# -- re-sending a skipped message --------------------------------------------------------------


def consent(mp: Milepost, store: str, cid: str = "c1", **profile) -> None:
    update = {"id": key(), "type": "customer.updated", "customer_id": cid, "email_consent": True, **profile}
    assert mp.ingest(store, [update]).accepted == 1


def skipped_email(mp: Milepost, store: str, **profile):
    email_rule(mp, store)
    customer(mp, store, **{"email_consent": False, **profile})
    buy(mp, store, "c1", 2)
    drain(mp, store)
    (delivery,) = mp.deliveries.list(store, status="skipped")
    return delivery


@pytest.mark.parametrize(
    ("profile", "reason"),
    [({}, "the customer has not consented to marketing email"), ({"email": None}, "the customer has no email address")],
)
def test_a_skipped_email_is_not_retried_while_the_customer_still_cannot_get_it(mp, store, profile, reason):
    delivery = skipped_email(mp, store, **profile)
    with pytest.raises(Conflict, match=f"still cannot be sent: {reason}"):
        mp.deliveries.retry(store, delivery.id)
    assert mp.deliveries.get(store, delivery.id)[0] == delivery  # untouched


def test_a_skipped_email_is_sent_once_after_the_customer_consents_and_an_operator_retries(mp, store):
    delivery = skipped_email(mp, store)
    consent(mp, store)
    retried = mp.deliveries.retry(store, delivery.id)
    assert (retried.id, retried.status, retried.attempts) == (delivery.id, "pending", 0)
    assert drain(mp, store) == 1
    (after,) = mp.deliveries.list(store)  # the same delivery, no second one
    assert (after.id, after.status) == (delivery.id, "sent")
    assert [m.recipient for m in mp.mailbox.list(store)] == ["Ada Lovelace <c1@example.com>"]
    _, attempts = mp.deliveries.get(store, delivery.id)
    assert [a.outcome for a in attempts] == ["skipped", "sent"]
    with pytest.raises(Conflict, match="is sent"):
        mp.deliveries.retry(store, delivery.id)
    (milestone,) = mp.reports.milestone_log(store)
    assert [a["status"] for a in milestone.actions] == ["done", "sent"]


def test_a_transactional_store_retries_a_skipped_email_without_consent(mp, store):
    delivery = skipped_email(mp, store)
    mp.stores.update(store, milestone_emails="transactional")
    assert mp.deliveries.retry(store, delivery.id).status == "pending"
    assert drain(mp, store) == 1


def test_concurrent_retries_of_a_skipped_email_send_it_once(mp, store):
    delivery = skipped_email(mp, store)
    consent(mp, store)
    outcomes: list[str] = []

    def retry() -> None:
        try:
            outcomes.append(mp.deliveries.retry(store, delivery.id).status)
        except Conflict as e:
            outcomes.append(str(e))

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "pending" in outcomes
    assert all(o == "pending" or "being sent" in o for o in outcomes), outcomes
    assert drain(mp, store) == 1 and drain(mp, store) == 0
    assert len(mp.mailbox.list(store)) == 1 and len(mp.deliveries.list(store)) == 1


# -- whom an email would reach ----------------------------------------------------------------


def test_the_email_reach_counts_customers_without_an_address_or_consent(mp, store):
    assert mp.customers.email_reach(store).describe() == (
        "This email would reach 0 of 0 customers today; 0 have no email address, "
        "0 have not consented to marketing email."
    )
    customer(mp, store, "ok")
    customer(mp, store, "no-consent", email_consent=False)
    customer(mp, store, "no-address", email=None)
    customer(mp, store, "no-address-no-consent", email=None, email_consent=False)
    buy(mp, store, "buyer", 1)  # known from an order alone: no address, no consent

    reach = mp.customers.email_reach(store)

    assert (reach.customers, reach.reached, reach.no_address, reach.no_consent) == (5, 1, 3, 1)
    assert reach.describe() == (
        "This email would reach 1 of 5 customers today; 3 have no email address, "
        "1 has not consented to marketing email."
    )
    mp.stores.update(store, milestone_emails="transactional")
    reach = mp.customers.email_reach(store)
    assert (reach.reached, reach.no_address, reach.no_consent) == (2, 3, 0)
    assert reach.describe() == (
        "This email would reach 2 of 5 customers today; 3 have no email address. "
        "Milestone emails are transactional: they need no marketing consent."
    )


def test_a_long_history_reads_every_delivery_in_bounded_lists(mp, store, monkeypatch):
    monkeypatch.setattr(reports, "_CHUNK", 2)  # three milestones: two lists of ids
    email_rule(mp, store, count=1)
    for count in (2, 3):
        rule(mp, store, count, {"type": "send_email", "template": "vip"})
    customer(mp, store, email_consent=False)
    buy(mp, store, "c1", 3)
    drain(mp, store)
    statuses = [a["status"] for m in mp.customers.get(store, "c1").milestones for a in m.actions]
    assert statuses == ["done", "skipped", "skipped", "skipped"]
