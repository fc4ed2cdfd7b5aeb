"""Discount codes as the store sees them, on every backend: on the customer's report (with
the milestone that issued each code, whatever became of it), and as a reward, sent to
`customer.rewarded` endpoints beside `reward.issued`, signed per Standard Webhooks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from milepost_kit import buy, drain, key, refunded
from standardwebhooks.webhooks import Webhook

from milepost import Milepost
from milepost.config import Settings
from milepost.domain import codes as domain
from milepost.domain.records import IssuedCode

TEN_PERCENT = {"kind": "percentage", "percent": 10}
FIVE_OFF = {"kind": "fixed_amount", "amount": 500}


def code_program(
    mp: Milepost, store: str, name: str, threshold: int, *extra: dict, clawback_days: int | None = None, **params
) -> int:
    """A program giving a code (TEN_PERCENT unless `discount`; `params` are the action's), then `extra` actions."""
    actions = [{"type": "code", "discount": params.pop("discount", TEN_PERCENT), **params}, *extra]
    details = mp.programs.create(
        store, name=name, metric="order_count", threshold=threshold, actions=actions, clawback_days=clawback_days
    )
    return details.rule.id


def status(c: IssuedCode, now: datetime) -> str:
    return domain.check(c.code, c.code.customer_id, now).status


# -- on the customer's report ----------------------------------------------------------------------


def test_the_report_lists_the_customer_s_codes_with_the_milestone_that_issued_each(mp, store, clock):
    # Given two programs that give codes, at the 1st and the 2nd order
    first = code_program(mp, store, "Welcome", 1, expires_in_days=10)
    second = code_program(mp, store, "Second", 2, discount={"kind": "free_shipping"})
    buy(mp, store, "c1", 2)
    buy(mp, store, "c2", 1)

    # When the customer's report is read
    report = mp.customers.get(store, "c1")

    # Then it holds c1's codes, oldest first, each named by its firing and program
    welcome, shipping = report.codes
    fired = {m.rule_id: m for m in report.milestones}
    assert (welcome.rule_id, welcome.rule_name, welcome.firing_id, welcome.occurrence) == (
        first,
        "Welcome",
        fired[first].id,
        1,
    )
    assert (shipping.rule_id, shipping.rule_name, shipping.firing_id) == (second, "Second", fired[second].id)
    assert [c.code for c in report.codes] == mp.codes.list(store, "c1")  # the same codes, as `codes` lists them
    assert welcome.code.discount.as_dict() == TEN_PERCENT and welcome.code.expires_at == clock() + timedelta(days=10)
    assert shipping.code.expires_at is None
    assert [c.code.customer_id for c in mp.customers.get(store, "c2").codes] == ["c2"]


def test_a_customer_without_codes_has_none(mp, store):
    buy(mp, store, "c1", 1)
    assert mp.customers.get(store, "c1").codes == ()


def test_each_code_shows_what_became_of_it(mp, store, clock):
    code_program(mp, store, "Welcome", 1, expires_in_days=10)
    code_program(mp, store, "Second", 2, discount=FIVE_OFF)
    code_program(mp, store, "Third", 3, clawback_days=30)
    buy(mp, store, "c1", 3)
    welcome, second, third = (c.code.code for c in mp.customers.get(store, "c1").codes)
    mp.codes.redeem(store, second, "c1", order_id="o-9", key=key())
    mp.ingest(store, [refunded("c1", "c1-o2")])  # the third order: its code is clawed back
    clock.advance(timedelta(days=10))

    codes = {c.code.code: c for c in mp.customers.get(store, "c1").codes}

    now = clock()
    assert status(codes[welcome], now) == domain.EXPIRED
    redeemed = codes[second].code
    assert status(codes[second], now) == domain.REDEEMED and redeemed.redeemed_order_id == "o-9"
    assert redeemed.redeemed_at == now - timedelta(days=10)
    voided = codes[third]
    assert status(voided, now) == domain.VOIDED and voided.code.void_reason == "clawed back: order c1-o2 refunded"
    assert voided.rule_name == "Third"  # the milestone stays, so does the code


# -- as a reward: customer.rewarded ------------------------------------------------------------------


def test_a_code_is_a_reward_sent_to_customer_rewarded_beside_reward_issued(mp, store, receiver, live_clock):
    # Given an endpoint subscribed to both, and a program that gives credit and a code
    mp.settings = Settings(webhooks_allow_private=True)
    kinds = ["customer.rewarded", "reward.issued"]
    _, secret = mp.webhooks.create(store, url=f"{receiver.url}/hooks", event_types=kinds)
    code_program(mp, store, "Welcome", 1, {"type": "credit", "amount": 300}, discount=FIVE_OFF, expires_in_days=7)

    # When the program fires and the outbox is delivered
    buy(mp, store, "c1", 1)
    drain(mp, store)

    # Then the credit and the code are each a customer.rewarded; the code is a reward.issued too
    bodies = [Webhook(secret).verify(r.body, r.headers) for r in receiver.requests]
    (code,) = mp.codes.list(store, "c1")
    discount = {"kind": "fixed_amount", "amount": 500, "currency": "USD"}
    rewards = [b["data"]["reward"] for b in bodies if b["type"] == "customer.rewarded"]
    assert len(rewards) == 2 and {"type": "credit", "amount": 300, "currency": "USD"} in rewards
    (given,) = [r for r in rewards if r["type"] == "code"]
    assert (given["code"], given["discount"]) == (code.code, discount)
    assert datetime.fromisoformat(given["expires_at"]) == live_clock() + timedelta(days=7)
    (issued,) = [b["data"] for b in bodies if b["type"] == "reward.issued"]
    assert (issued["code"], issued["discount"], issued["expires_at"]) == (code.code, discount, given["expires_at"])
    rewarded = next(b["data"] for b in bodies if b["type"] == "customer.rewarded" and b["data"]["reward"] == given)
    assert {k: v for k, v in rewarded.items() if k != "reward"} == {
        k: v for k, v in issued.items() if k not in ("code", "discount", "expires_at")
    }  # the same customer, milestone and order as every reward
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 3


def test_a_code_that_does_not_expire_is_rewarded_with_a_null_expiry(mp, store):
    mp.settings = Settings(webhooks_allow_private=True)
    mp.webhooks.create(store, url="http://127.0.0.1:9/hooks", event_types=["customer.rewarded"])
    code_program(mp, store, "Welcome", 1)
    buy(mp, store, "c1", 1)
    (row,) = [o for o in mp.reports.outbox(store) if o["channel"] == "webhook"]
    (code,) = mp.codes.list(store, "c1")
    body = json.loads(row["payload"])
    assert body["type"] == "customer.rewarded"
    assert body["data"]["reward"] == {"type": "code", "code": code.code, "discount": TEN_PERCENT, "expires_at": None}
