"""Discount codes as milestone rewards, through the Python API, on every backend: issued by a
program's firing (each discount kind, unique, with its pattern and expiry), validated for a
customer (every verdict), redeemed idempotently, rolled back after a refund, voided, and
reported to the store by signed webhooks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from milepost_kit import buy, count_rows, drain, key, paid, refunded
from standardwebhooks.webhooks import Webhook

from milepost import Milepost
from milepost.adapters.storage import tables as t
from milepost.config import Settings
from milepost.domain import codes as domain
from milepost.errors import CodeRefused, Conflict, NotFound, ValidationError

TEN_PERCENT = {"kind": "percentage", "percent": 10}


def code_program(mp: Milepost, store: str, discount: dict[str, Any] = TEN_PERCENT, threshold: int = 1, **params):
    action = {"type": "code", "discount": discount, **params}
    return mp.programs.create(store, name="Reward", metric="order_count", threshold=threshold, actions=[action])


def issued(mp: Milepost, store: str, customer: str = "c1") -> domain.Code:
    (code,) = mp.codes.list(store, customer)
    return code


@pytest.fixture
def coded(mp: Milepost, store: str) -> str:
    """c1 reached the program and holds a 10% code, good for 30 days."""
    code_program(mp, store, expires_in_days=30)
    buy(mp, store, "c1", 1)
    return issued(mp, store).code


# -- issuing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("discount", "given"),
    [
        ({"kind": "fixed_amount", "amount": 1000}, {"kind": "fixed_amount", "amount": 1000, "currency": "USD"}),
        (TEN_PERCENT, TEN_PERCENT),
        ({"kind": "free_shipping"}, {"kind": "free_shipping"}),
        ({"kind": "free_gift", "product_id": "tote-bag"}, {"kind": "free_gift", "product_id": "tote-bag"}),
    ],
)
def test_a_firing_issues_a_code_of_each_discount_kind(mp, store, clock, discount, given):
    code_program(mp, store, discount)
    buy(mp, store, "c1", 1)

    code = issued(mp, store)
    assert code.discount.as_dict() == given and code.customer_id == "c1"
    assert code.issued_at == clock() and code.expires_at is None  # no expiry unless asked
    assert mp.codes.validate(store, code.code, "c1") == domain.Verdict(domain.VALID, code.discount)
    (milestone,) = mp.customers.get(store, "c1").milestones
    assert milestone.actions[0]["detail"].startswith(f"issued {code.code}: ")


def test_codes_follow_the_pattern_are_unique_and_fire_once(mp, store):
    code_program(mp, store, pattern="VIP-XXXX-XXXX")
    customers = [f"c{i}" for i in range(30)]
    for c in customers:
        buy(mp, store, c, 2)  # the second order crosses nothing more
    codes = [issued(mp, store, c).code for c in customers]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 13 and c.startswith("VIP-") and c[8] == "-" for c in codes)
    assert all(ch in domain.ALPHABET for c in codes for ch in c.replace("VIP-", "").replace("-", ""))
    assert count_rows(mp, store, t.codes) == 30


def test_a_code_action_is_checked_when_the_program_is_saved(mp, store):
    with pytest.raises(ValidationError) as refused:
        mp.programs.create(
            store,
            name="Bad",
            metric="order_count",
            threshold=1,
            actions=[{"type": "code", "discount": {"kind": "percentage", "percent": 0}, "pattern": "VIP-XX"}],
        )
    assert set(refused.value.problems) == {"actions[0].discount.percent", "actions[0].pattern"}
    with pytest.raises(ValidationError) as refused:
        code_program(mp, store, {"kind": "fixed_amount", "amount": 500, "currency": "EUR"})
    assert "actions[0].discount.currency" in refused.value.problems


def test_a_code_drawn_twice_fails_the_batch_which_runs_again_with_new_codes(mp, store, monkeypatch):
    code_program(mp, store)
    buy(mp, store, "c1", 1)
    taken = issued(mp, store).code
    draws = []
    original = domain.Pattern.generate

    def unlucky_first(pattern, rng):  # the pattern's own code, not ingest's: ingest may be compiled
        draws.append(pattern)
        return taken if len(draws) == 1 else original(pattern, rng)

    monkeypatch.setattr(domain.Pattern, "generate", unlucky_first)
    buy(mp, store, "c2", 1)

    assert len(draws) == 2  # the batch ran again
    assert issued(mp, store, "c2").code != taken and issued(mp, store, "c1").code == taken


def test_the_code_is_the_coupon_code_of_the_firing_s_email(mp, store):
    mp.templates.save(store, "gift", subject="Your code", body_text="Use {{ reward.coupon_code }} at checkout.")
    action = {"type": "code", "discount": TEN_PERCENT}
    mp.programs.create(
        store,
        name="Gift",
        metric="order_count",
        threshold=1,
        actions=[action, {"type": "send_email", "template": "gift"}],
    )
    profile = {"id": key(), "type": "customer.created", "customer_id": "c1", "email": "c1@example.com"}
    mp.ingest(store, [{**profile, "email_consent": True}])
    buy(mp, store, "c1", 1)
    worker = mp.worker(settings=Settings(smtp_host=""), stores=[store])
    try:
        worker.drain()
    finally:
        worker.close()
    (mail,) = mp.mailbox.list(store)
    assert mail.body_text == f"Use {issued(mp, store).code} at checkout."
    assert issued(mp, store).code in mp.templates.preview(store, "gift", "c1").text


# -- validating ----------------------------------------------------------------------------------


def test_every_verdict(mp, store, clock, coded):
    assert mp.codes.validate(store, f"  {coded.lower()} ", "c1").status == domain.VALID  # as typed
    assert mp.codes.validate(store, "NOPE-NOPE-NOPE", "c1").status == domain.UNKNOWN
    assert mp.codes.validate(store, coded, "c2").status == domain.NOT_THEIRS

    clock.advance(timedelta(days=30))
    expired = mp.codes.validate(store, coded, "c1")
    assert expired.status == domain.EXPIRED and not expired.valid and expired.discount is None

    clock.advance(timedelta(days=-1))
    mp.codes.redeem(store, coded, "c1", order_id="o-9", key="k1")
    assert mp.codes.validate(store, coded, "c1").reason == "the code was redeemed on order o-9"

    mp.codes.void(store, coded, "fraud")
    assert mp.codes.validate(store, coded, "c1") == domain.Verdict(domain.VOIDED, reason="fraud")


def test_a_code_of_another_store_is_unknown(mp, store, coded):
    other = f"s-{key()}"
    mp.stores.create(other, "Other", currency="USD")
    assert mp.codes.validate(other, coded, "c1").status == domain.UNKNOWN
    with pytest.raises(NotFound):
        mp.codes.void(other, coded, "not yours")


# -- redeeming -------------------------------------------------------------------------------------


def test_redeeming_is_idempotent_by_key(mp, store, clock, coded):
    first = mp.codes.redeem(store, coded, "c1", order_id="o-9", key="k1")
    assert (first.redeemed_at, first.redeemed_order_id) == (clock(), "o-9")

    clock.advance(timedelta(minutes=5))
    assert mp.codes.redeem(store, coded.lower(), "c1", order_id="o-9", key="k1") == first  # a retry
    with pytest.raises(Conflict):
        mp.codes.redeem(store, coded, "c1", order_id="o-10", key="k1")  # the key of another redemption
    with pytest.raises(CodeRefused) as refused:
        mp.codes.redeem(store, coded, "c1", order_id="o-10", key="k2")
    assert refused.value.status == domain.REDEEMED
    assert issued(mp, store) == first


def test_a_code_that_is_not_good_is_refused_with_its_verdict(mp, store, clock, coded):
    for code, customer, status in [(coded, "c2", domain.NOT_THEIRS), ("NOPE-NOPE-NOPE", "c1", domain.UNKNOWN)]:
        with pytest.raises(CodeRefused) as refused:
            mp.codes.redeem(store, code, customer, order_id="o-9", key=key())
        assert refused.value.status == status
    clock.advance(timedelta(days=31))
    with pytest.raises(CodeRefused) as refused:
        mp.codes.redeem(store, coded, "c1", order_id="o-9", key=key())
    assert refused.value.status == domain.EXPIRED
    assert issued(mp, store).redeemed_at is None


def test_one_key_redeems_one_code(mp, store, coded):
    buy(mp, store, "c2", 1)
    mp.codes.redeem(store, coded, "c1", order_id="o-1", key="k1")
    with pytest.raises(Conflict):
        mp.codes.redeem(store, issued(mp, store, "c2").code, "c2", order_id="o-2", key="k1")
    assert issued(mp, store, "c2").redeemed_at is None


@pytest.mark.parametrize("missing", [{"order_id": " "}, {"key": ""}])
def test_a_redemption_needs_an_order_and_a_key(mp, store, coded, missing):
    with pytest.raises(ValidationError):
        mp.codes.redeem(store, coded, "c1", **{"order_id": "o-1", "key": "k1", **missing})


# -- rollback and void ---------------------------------------------------------------------------


def test_a_redemption_on_a_refunded_order_rolls_back(mp, store, coded):
    mp.ingest(store, [paid("c1", "o-9")])
    mp.codes.redeem(store, coded, "c1", order_id="o-9", key="k1")
    with pytest.raises(Conflict, match="not been reported refunded"):
        mp.codes.rollback(store, coded, "o-9")
    with pytest.raises(Conflict, match="redeemed on order o-9"):
        mp.codes.rollback(store, coded, "o-other")

    mp.ingest(store, [refunded("c1", "o-9")])
    rolled = mp.codes.rollback(store, coded, "o-9")

    assert (rolled.redeemed_at, rolled.redeemed_order_id) == (None, None)
    assert mp.codes.validate(store, coded, "c1").valid
    assert mp.codes.rollback(store, coded, "o-9") == rolled  # again: nothing to take back
    again = mp.codes.redeem(store, coded, "c1", order_id="o-10", key="k1")  # the key is free again
    assert again.redeemed_order_id == "o-10"


def test_voiding_is_final_and_idempotent(mp, store, clock, coded):
    voided = mp.codes.void(store, coded, "clawback")
    assert (voided.voided_at, voided.void_reason) == (clock(), "clawback")
    assert mp.codes.void(store, coded, "another reason") == voided
    with pytest.raises(CodeRefused) as refused:
        mp.codes.redeem(store, coded, "c1", order_id="o-9", key="k1")
    assert refused.value.status == domain.VOIDED and str(refused.value) == "clawback"
    with pytest.raises(ValidationError):
        mp.codes.void(store, coded, " ")
    with pytest.raises(NotFound):
        mp.codes.void(store, "NOPE-NOPE-NOPE", "no such code")


def test_listing_needs_a_known_customer(mp, store, coded):
    assert [c.code for c in mp.codes.list(store, "c1")] == [coded]
    with pytest.raises(NotFound):
        mp.codes.list(store, "nobody")


# -- webhooks --------------------------------------------------------------------------------------


def test_issued_and_redemptions_are_reported_to_subscribed_endpoints_signed(mp, store, receiver, live_clock):
    mp.settings = Settings(webhooks_allow_private=True)
    kinds = ["reward.issued", "redemption.succeeded", "redemption.failed"]
    _, secret = mp.webhooks.create(store, url=f"{receiver.url}/hooks", event_types=kinds)
    code_program(mp, store, {"kind": "fixed_amount", "amount": 500}, expires_in_days=7)
    buy(mp, store, "c1", 1)
    code = issued(mp, store).code
    mp.codes.redeem(store, code, "c1", order_id="o-9", key="k1")
    mp.codes.redeem(store, code, "c1", order_id="o-9", key="k1")  # a retry: no second message
    for _ in range(2):  # refused twice under one key: one message
        with pytest.raises(CodeRefused):
            mp.codes.redeem(store, code, "c1", order_id="o-10", key="k2")

    drain(mp, store)

    bodies = [Webhook(secret).verify(r.body, r.headers) for r in receiver.requests]
    by_type = {b["type"]: b["data"] for b in bodies}
    assert sorted(b["type"] for b in bodies) == sorted(kinds)
    reward = by_type["reward.issued"]
    expires = live_clock() + timedelta(days=7)
    assert (reward["code"], reward["discount"]) == (code, {"kind": "fixed_amount", "amount": 500, "currency": "USD"})
    assert datetime.fromisoformat(reward["expires_at"]) == expires
    assert reward["customer"]["id"] == "c1" and reward["milestone"]["name"] == "Reward"
    assert by_type["redemption.succeeded"]["order_id"] == "o-9"
    failed = by_type["redemption.failed"]
    assert (failed["status"], failed["code"], failed["order_id"]) == (domain.REDEEMED, code, "o-10")


def test_no_subscriber_no_message(mp, store, coded):
    assert all(json.loads(d.payload).get("type") != "reward.issued" for d in mp.deliveries.list(store))
    with pytest.raises(CodeRefused):
        mp.codes.redeem(store, coded, "c2", order_id="o-1", key="k1")
    assert mp.deliveries.list(store) == []
