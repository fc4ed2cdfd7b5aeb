"""`milepost demo` on an empty database of each backend: a program of each kind, six named
customers as the README's tour describes them, and six months of traffic that fired
milestones on the days it happened, the same on every run."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from milepost.entrypoints.cli import demo_history
from support.cli import MilepostCli

KINDS = {
    ("program", "amount_spent"),
    ("program", "order_count"),  # every 5th order
    ("program", "review_count"),
    ("program", "referral_count"),
    ("program", "billing_cycles"),
    ("program", "points_earned"),
    ("journey", "order_count"),
    ("inactivity", "order_count"),
}


def test_the_demo_has_a_program_of_each_kind_and_months_of_history(fresh: MilepostCli) -> None:
    # Given an empty database, when the demo is seeded
    seeded = fresh("demo").stdout
    assert "milestone programs created: Big spender, Every 5th order" in seeded

    # Then every kind of program is there, and each has fired for someone
    programs = fresh.json("programs", "list", "--store", "demo")
    assert {(p["kind"], p["metric"]) for p in programs if p["kind"] != "order_count"} == KINDS
    assert any(p["every"] == 5 for p in programs)
    log = fresh.json("milestones", "log", "--store", "demo", "--limit", "10000")
    fired = Counter(m["rule_name"] for m in log)
    assert {p["name"] for p in programs} <= set(fired), fired
    assert len({m["customer_id"] for m in log}) >= 50

    # And the firings are spread over the last six months, as the traffic came
    now = datetime.now(UTC)
    when = [datetime.fromisoformat(m["fired_at"]) for m in log]
    assert min(when) < now - timedelta(days=150) and max(when) > now - timedelta(days=10)
    last_30 = {w.date() for w in when if w > now - timedelta(days=30)}
    assert len(last_30) >= 10  # the dashboard's chart has a shape, not one spike today

    # And the named customers are as README's tour says
    ada = fresh.json("customers", "show", "ada", "--store", "demo")
    assert ada["order_count"] == 27 and ada["balance"] == 3500
    assert [m["rule_name"] for m in ada["milestones"]] == ["Welcome", "5-Order Club", "Loyal customer", "Legend"]
    assert any("Call Ada Lovelace" in a["message"] for a in fresh.json("alerts", "list", "--store", "demo"))

    # And the first-purchase anniversary ran the last seven days: Nora's gift today
    assert "anniversary automation: pool 1year_anniversary_discount, aggregate orders_365d" in seeded
    assert "daily runs: 7 day(s)" in seeded
    nora = fresh.json("customers", "show", "nora", "--store", "demo")
    assert "coupon_1year_anniversary" in nora["tags"]
    assert [m["rule_name"] for m in nora["milestones"]] == ["Welcome", "First purchase anniversary"]
    assert fresh.json("customers", "aggregates", "nora", "--store", "demo")["values"] == {"orders_365d": 1}

    # And a second run changes nothing
    assert "nothing changed" in fresh("demo").stdout
    assert len(fresh.json("milestones", "log", "--store", "demo", "--limit", "10000")) == len(log)


def test_the_history_is_the_same_on_every_run() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    first, again = demo_history.history(start), demo_history.history(start + timedelta(days=3))
    assert [e["id"] for e in first] == [e["id"] for e in again]
    assert [e["occurred_at"] - start for e in first] == [e["occurred_at"] - start - timedelta(days=3) for e in again]
    kinds = Counter(e["type"] for e in first)
    assert kinds["order.paid"] >= 300 and kinds["customer.created"] == 60
    assert {"review.created", "referral.completed", "subscription.renewed", "order.refunded"} <= set(kinds)
