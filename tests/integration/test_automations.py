"""Automations through `mp.*`, on SQLite and PostgreSQL: the first-purchase anniversary
(a pool code, a recorded event, a tag and an email in a real SMTP mailbox; an empty pool
telling the account manager instead; the thank-you branch), once per customer and day,
on the customer's local date across DST, 29 February and the date line."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from milepost_kit import drain, key, order_event

from milepost import Milepost
from milepost.errors import Conflict, ValidationError
from milepost.scheduler.automations import run_automations
from support.automations import ANNIVERSARY, POOL, anniversary
from support.smtp import SmtpSink


def shop(mp: Milepost, codes: int, zone: str = "UTC") -> str:
    store = f"s-{key()}"
    mp.stores.create(store, "Anniversary shop", currency="USD", timezone=zone)
    mp.templates.save(
        store, "anniversary_gift", subject="A year already!", body_text="Your gift: {{ reward.coupon_code }}"
    )
    mp.templates.save(store, "anniversary_thanks", subject="Thank you", body_text="Thanks, {{ customer.name }}")
    mp.pools.create(store, POOL, name="Anniversary", discount={"kind": "percentage", "percent": 15})
    if codes:
        mp.pools.import_codes(store, POOL, [f"ANNIV-{i:04}-CODE" for i in range(codes)])
    mp.aggregates.create(store, "orders_365d", name="Orders in a year", source="orders", window_days=365)
    return store


def customer(mp: Milepost, store: str, cid: str, consent: bool = True, **attributes: Any) -> None:
    event = {"id": key(), "type": "customer.created", "customer_id": cid, "name": f"Customer {cid}"}
    event |= {"email": f"{cid}@example.com", "email_consent": consent, "attributes": attributes}
    event["occurred_at"] = "2024-01-01T00:00:00Z"
    result = mp.ingest(store, [event])
    assert result.accepted == 1, result.rejected


def order(mp: Milepost, store: str, cid: str, oid: str, at: str, kind: str = "paid") -> None:
    result = mp.ingest(store, [order_event(kind, cid, oid, 1000, at=at)])
    assert result.accepted == 1, result.rejected


def agent(mp: Milepost) -> str:
    email = f"am-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(email, "Avery Manager", "correct horse battery", "agent")
    return email


def smtp(port: int) -> dict[str, object]:
    return {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}


def fired_days(runs: list[Any]) -> dict[date, int]:
    """Per day run: the anniversary's firings."""
    (run,) = runs
    return {d.day: sum(a.fired for a in d.automations) for d in run.days}


def test_the_anniversary_gives_a_code_an_event_a_tag_and_an_email(mp: Milepost):
    store = shop(mp, codes=2)
    for cid in ("one", "three", "unpaid", "late"):
        customer(mp, store, cid)
    order(mp, store, "one", "o1", "2025-03-01T10:00:00Z")
    for i, at in enumerate(("2025-03-01T10:00:00Z", "2025-06-01T10:00:00Z", "2026-01-10T10:00:00Z")):
        order(mp, store, "three", f"t{i}", at)
    order(mp, store, "unpaid", "u1", "2025-03-01T10:00:00Z", kind="placed")  # placed a year ago, never paid
    order(mp, store, "late", "l1", "2024-05-01T10:00:00Z", kind="placed")  # placed long ago,
    order(mp, store, "late", "l1", "2025-03-01T18:00:00Z")  # paid a year ago
    mp.automations.create(store, anniversary())

    assert fired_days(mp.sweeps.run_daily([store], date(2026, 3, 1))) == {date(2026, 3, 1): 3}

    (run,) = mp.automations.runs(store, ANNIVERSARY)
    assert (run.day, run.candidates, run.audience, run.fired, run.skipped) == (date(2026, 3, 1), 3, 3, 3, 0)
    assert run.branches == {"1-2 orders": 2, "3+ orders": 1}
    by_customer = {c.customer_id: c for c in mp.automations.run(store, ANNIVERSARY, date(2026, 3, 1))}
    assert {c: r.branch for c, r in by_customer.items()} == {
        "one": "1-2 orders",
        "three": "3+ orders",
        "late": "1-2 orders",
    }
    codes = {}
    for cid in ("one", "late"):
        report = mp.customers.get(store, cid)
        assert "coupon_1year_anniversary" in report.tags
        (event,) = [e for e in mp.customers.events(store, cid) if e.type == "custom"]
        payload = orjson.loads(event.payload)
        assert payload["name"] == "coupon assigned" and payload["properties"]["promotion"] == POOL
        codes[cid] = payload["properties"]["coupon code"]
        assert codes[cid].startswith("ANNIV-")
        outcomes = by_customer[cid].outcomes
        assert [o["status"] for o in outcomes] == ["done", "done", "done", "pending"]  # the email, not sent yet
    assert codes["one"] != codes["late"]
    assert mp.pools.get(store, POOL).left == 0
    assert "coupon_1year_anniversary" not in mp.customers.get(store, "three").tags
    assert mp.alerts.list(store) == []

    with SmtpSink() as server:
        assert drain(mp, store, **smtp(server.port)) == 3
    mail = {m["To"].split("<")[1].split("@")[0]: m for m in server.messages}
    assert set(mail) == {"one", "three", "late"}
    assert mail["one"]["Subject"] == "A year already!" and codes["one"] in mail["one"].get_content()
    assert mail["three"]["Subject"] == "Thank you"
    sent = {c.customer_id: c.outcomes[-1] for c in mp.automations.run(store, ANNIVERSARY, date(2026, 3, 1))}
    assert {cid: o["status"] for cid, o in sent.items()} == {"one": "sent", "three": "sent", "late": "sent"}


def test_an_empty_pool_tells_the_account_manager_and_gives_the_customer_nothing(mp: Milepost):
    store = shop(mp, codes=0)
    manager = agent(mp)
    customer(mp, store, "c1", account_manager=manager)
    order(mp, store, "c1", "o1", "2025-03-01T10:00:00Z")
    mp.automations.create(store, anniversary())

    assert fired_days(mp.sweeps.run_daily([store], date(2026, 3, 1))) == {date(2026, 3, 1): 1}

    report = mp.customers.get(store, "c1")
    assert "coupon_1year_anniversary" not in report.tags
    assert [e for e in mp.customers.events(store, "c1") if e.type == "custom"] == []
    (alert,) = mp.alerts.list(store)
    assert alert.assignee == manager and alert.message == f"Customer c1 got no code: pool {POOL} is empty"
    (ran,) = mp.automations.run(store, ANNIVERSARY, date(2026, 3, 1))
    statuses = [(o["type"], o["status"], o.get("on_failure", False)) for o in ran.outcomes]
    assert statuses == [
        ("pool_code", "skipped", False),
        ("record_event", "skipped", False),
        ("add_tag", "skipped", False),
        ("send_email", "skipped", False),
        ("alert", "done", True),
        ("internal_email", "pending", True),
    ]
    assert ran.outcomes[1]["detail"] == f"pool {POOL} has no code left"

    with SmtpSink() as server:
        assert drain(mp, store, **smtp(server.port)) == 2  # the alert's email and the internal email
    recipients = sorted(m["To"] for m in server.messages)
    assert all(manager in r for r in recipients)
    (internal,) = [m for m in server.messages if m["Subject"].startswith("No anniversary code")]
    assert internal["Subject"] == "No anniversary code for Customer c1"
    assert "c1 got nothing" in internal.get_content()


def test_a_day_run_twice_fires_nothing_twice(mp: Milepost, clock):
    store = shop(mp, codes=5)
    customer(mp, store, "c1")
    order(mp, store, "c1", "o1", "2025-03-01T10:00:00Z")
    mp.automations.create(store, anniversary())
    mp.sweeps.run_daily([store], date(2026, 3, 1))
    stored = mp.stores.get(store)
    again = run_automations(mp.db, stored, date(2026, 3, 1), clock)  # as a second machine would
    assert [(t.candidates, t.fired) for t in again] == [(1, 0)]
    assert mp.pools.get(store, POOL).left == 4
    assert len(mp.automations.runs(store, ANNIVERSARY)) == 2


@pytest.mark.parametrize(
    ("zone", "paid_at", "before", "after", "day"),
    [
        # 2025-03-30: Berlin's clocks go from 02:00 to 03:00; 21:30 UTC is 23:30 there
        ("Europe/Berlin", "2025-03-30T21:30:00Z", date(2026, 3, 27), date(2026, 4, 2), date(2026, 3, 30)),
        # 365 days after 2027-03-01 is 2028-02-29
        ("UTC", "2027-03-01T12:00:00Z", date(2028, 2, 26), date(2028, 3, 3), date(2028, 2, 29)),
    ],
    ids=["2330-on-a-dst-day", "a-span-ending-on-29-february"],
)
def test_a_first_purchase_is_found_on_its_one_local_day(mp: Milepost, zone, paid_at, before, after, day):
    store = shop(mp, codes=5, zone=zone)
    customer(mp, store, "c1")
    order(mp, store, "c1", "o1", paid_at)
    mp.automations.create(store, anniversary())
    mp.sweeps.run_daily([store], before)
    days = fired_days(mp.sweeps.run_daily([store], after))
    assert {d for d, n in days.items() if n} == {day} and sum(days.values()) == 1


def test_customers_either_side_of_the_date_line_have_their_own_day(mp: Milepost):
    store = shop(mp, codes=5)
    customer(mp, store, "east", timezone="Pacific/Kiritimati")  # UTC+14: 2025-03-02 01:00
    customer(mp, store, "west", timezone="Pacific/Pago_Pago")  # UTC-11: 2025-03-01 00:00
    for cid in ("east", "west"):
        order(mp, store, cid, f"{cid}-o", "2025-03-01T11:00:00Z")
    mp.automations.create(store, anniversary())
    mp.sweeps.run_daily([store], date(2026, 2, 27))
    mp.sweeps.run_daily([store], date(2026, 3, 4))
    fired = {
        c.customer_id: day
        for day in (date(2026, 3, d) for d in range(1, 5))
        for c in mp.automations.run(store, ANNIVERSARY, day)
    }
    assert fired == {"west": date(2026, 3, 1), "east": date(2026, 3, 2)}


def test_emails_wait_for_the_local_hour(mp: Milepost, clock):
    clock.set(datetime(2026, 3, 1, 12, tzinfo=UTC))
    store = shop(mp, codes=0)
    customer(mp, store, "here")  # UTC: 09:00 has passed, sent at once
    customer(mp, store, "honolulu", timezone="Pacific/Honolulu")  # 09:00 there is 19:00 UTC
    for cid in ("here", "honolulu"):
        order(mp, store, cid, f"{cid}-o1", "2025-03-01T10:00:00Z")
        order(mp, store, cid, f"{cid}-o2", "2025-05-01T10:00:00Z")
        order(mp, store, cid, f"{cid}-o3", "2025-07-01T10:00:00Z")
    mp.automations.create(store, anniversary(send_at_local_hour=9))
    mp.sweeps.run_daily([store], date(2026, 3, 1))
    assert drain(mp, store) == 1
    clock.set(datetime(2026, 3, 1, 19, 0, 1, tzinfo=UTC))
    assert drain(mp, store) == 1
    assert sorted(m.recipient.split("<")[1].split("@")[0] for m in mp.mailbox.list(store)) == ["here", "honolulu"]


def test_an_automation_naming_what_does_not_exist_is_refused(mp: Milepost):
    store = shop(mp, codes=0)
    bad = anniversary()
    bad["branches"][0]["actions"][0]["pool"] = "nope"
    bad["branches"][1]["when"]["field"] = "aggregate.orders_2y"
    with pytest.raises(ValidationError) as exc:
        mp.automations.create(store, bad)
    assert exc.value.problems == {
        "branches[0].actions[0].pool": "no coupon pool with the key 'nope'",
        "branches[1].when.field": "no aggregate with the key 'orders_2y'",
    }
    template = anniversary()
    template["branches"][0]["actions"][1]["properties"]["coupon code"] = "{{ code"
    template["branches"][0]["actions"][0]["on_failure"][1]["subject"] = "{{ nobody.name }}"
    with pytest.raises(ValidationError) as exc:
        mp.automations.create(store, template)
    assert set(exc.value.problems) == {
        "branches[0].actions[1].properties.coupon code",
        "branches[0].actions[0].on_failure[1].subject",
    }
    assert mp.automations.list(store) == []


def test_automations_are_kept_by_key_apart_from_programs(mp: Milepost):
    store = shop(mp, codes=0)
    saved = mp.automations.create(store, anniversary())
    assert [s.automation.key for s in mp.automations.list(store)] == [ANNIVERSARY]
    assert mp.automations.get(store, ANNIVERSARY).automation.as_dict() == saved.automation.as_dict()
    assert mp.automations.set_active(store, ANNIVERSARY, False).automation.active is False
    assert mp.programs.list(store) == []
    with pytest.raises(Conflict, match="first_purchase_anniversary"):
        mp.templates.delete(store, "anniversary_thanks")
    with pytest.raises(Conflict, match="first_purchase_anniversary"):
        mp.aggregates.delete(store, "orders_365d")
    mp.automations.delete(store, ANNIVERSARY)
    mp.aggregates.delete(store, "orders_365d")
    assert mp.automations.list(store) == []
    mp.aggregates.create(store, "orders_365d", name="Orders in a year", source="orders", window_days=365)
    mp.automations.create(store, anniversary())  # the key may be used again


def test_days_before_active_from_never_fire(mp: Milepost):
    store = shop(mp, codes=5)
    customer(mp, store, "c1")
    order(mp, store, "c1", "o1", "2025-03-01T10:00:00Z")
    mp.automations.create(store, anniversary(active_from="2026-03-02"))
    assert fired_days(mp.sweeps.run_daily([store], date(2026, 3, 1))) == {date(2026, 3, 1): 0}
    assert mp.automations.runs(store, ANNIVERSARY) == []


def onboarding(key_: str, trigger: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": key_,
        "name": "VIP onboarding",
        "trigger": trigger,
        "branches": [{"name": "all", "actions": [{"type": "add_tag", "tag": f"{key_}-started"}]}],
    }


def test_trigger_workflow_starts_the_named_automation_once(mp: Milepost):
    store = shop(mp, codes=0)
    mp.automations.create(store, onboarding("vip_onboarding", {"type": "manual"}))
    rule_id = mp.order_count_events.create(
        store, count=3, name="3rd order", actions=[{"type": "trigger_workflow", "workflow": "vip_onboarding"}]
    ).rule.id
    mp.automations.create(store, onboarding("after_program", {"type": "milestone", "program": f"oce_{rule_id}"}))
    customer(mp, store, "c1")
    for i in range(2):
        order(mp, store, "c1", f"o{i}", f"2026-02-0{i + 1}T10:00:00Z")
    assert not {"vip_onboarding-started", "after_program-started"} & set(mp.customers.get(store, "c1").tags)
    order(mp, store, "c1", "o2", "2026-02-05T10:00:00Z")
    order(mp, store, "c1", "o3", "2026-02-06T10:00:00Z")  # the 4th: nothing starts again
    tags = set(mp.customers.get(store, "c1").tags)
    assert {"vip_onboarding-started", "after_program-started"} <= tags
    (started,) = [
        m
        for m in mp.customers.get(store, "c1").milestones
        if m.rule_id == mp.automations.get(store, "vip_onboarding").id
    ]
    assert started.actions[0]["branch"] == "all"


def review(cid: str, rating: int, event_id: str | None = None) -> dict[str, Any]:
    return {"id": event_id or key(), "type": "custom", "customer_id": cid, "name": "review written"} | {
        "properties": {"rating": rating},
        "occurred_at": "2026-02-01T10:00:00Z",
    }


def started_count(mp: Milepost, store: str, cid: str, automation: str) -> int:
    rule_id = mp.automations.get(store, automation).id
    return sum(1 for m in mp.customers.get(store, cid).milestones if m.rule_id == rule_id)


def test_an_event_starts_an_automation_when_its_properties_match(mp: Milepost):
    store = shop(mp, codes=0)
    trigger = {"type": "event", "event": "review written", "where": {"rating": 5}}
    mp.automations.create(store, onboarding("five_stars", trigger))
    customer(mp, store, "c1")
    customer(mp, store, "c2")
    assert mp.ingest(store, [review("c1", 4), review("c2", 5)]).accepted == 2
    assert "five_stars-started" not in mp.customers.get(store, "c1").tags
    assert "five_stars-started" in mp.customers.get(store, "c2").tags
    assert mp.automations.get(store, "five_stars").automation.trigger.as_dict() == trigger


def test_an_event_type_starts_an_automation_once_per_event_however_often_it_is_sent(mp: Milepost):
    store = shop(mp, codes=0)
    mp.automations.create(store, onboarding("on_order", {"type": "event", "event": "order.paid"}))
    customer(mp, store, "c1")
    paid = order_event("paid", "c1", "o1", 1000, at="2026-02-01T10:00:00Z")
    for _ in range(2):  # the second is a duplicate
        mp.ingest(store, [paid])
    assert started_count(mp, store, "c1", "on_order") == 1
    order(mp, store, "c1", "o2", "2026-02-02T10:00:00Z")
    assert started_count(mp, store, "c1", "on_order") == 2  # another event: another start


def test_events_an_automation_records_start_nothing(mp: Milepost):
    store = shop(mp, codes=0)
    loop = onboarding("loop", {"type": "event", "event": "looped"})
    loop["branches"][0]["actions"].append({"type": "record_event", "event": "looped"})
    mp.automations.create(store, loop)
    customer(mp, store, "c1")
    mp.ingest(store, [{"id": key(), "type": "custom", "customer_id": "c1", "name": "looped"}])
    assert started_count(mp, store, "c1", "loop") == 1


def follow_up(**changes: Any) -> dict[str, Any]:
    """A month after the first purchase: tag now, and 3 days later the thank-you email and a tag."""
    actions = [
        {"type": "add_tag", "tag": "welcomed"},
        {"type": "wait", "days": 3},
        {"type": "send_email", "template": "anniversary_thanks"},
        {"type": "add_tag", "tag": "followed_up"},
    ]
    definition = {
        "key": "follow_up",
        "name": "Follow-up",
        "trigger": {"type": "first_purchase", "days": 30},
        "branches": [{"name": "all", "actions": actions}],
    }
    return definition | changes


D = date(2026, 3, 31)  # 30 days after the first purchase


def waiting_shop(mp: Milepost) -> str:
    store = shop(mp, codes=0)
    customer(mp, store, "c1")
    order(mp, store, "c1", "o1", "2026-03-01T10:00:00Z")
    mp.automations.create(store, follow_up())
    return store


def followed_up(mp: Milepost, store: str) -> list[tuple[date, list[str]]]:
    """Per day the follow-up fired for c1 on: each action's status."""
    days = [date(2026, 3, 31 + i) if i < 1 else date(2026, 4, i) for i in range(6)]
    found = [(day, mp.automations.run(store, "follow_up", day)) for day in days]
    return [(day, [o["status"] for c in fired for o in c.outcomes]) for day, fired in found if fired]


def test_a_wait_runs_the_rest_of_the_branch_on_its_day_once(mp: Milepost, clock):
    store = waiting_shop(mp)
    mp.sweeps.run_daily([store], D)
    ((waited,),) = [mp.automations.run(store, "follow_up", D)]
    assert waited.outcomes[-1] == {
        "position": 1,
        "type": "wait",
        "status": "waiting",
        "detail": "waiting until 2026-04-03",
        "branch": "all",
    }
    assert {"welcomed"} & set(mp.customers.get(store, "c1").tags)
    for day in (date(2026, 4, 1), date(2026, 4, 2)):
        mp.sweeps.run_daily([store], day)
        assert "followed_up" not in mp.customers.get(store, "c1").tags
    mp.sweeps.run_daily([store], date(2026, 4, 3))
    assert "followed_up" in mp.customers.get(store, "c1").tags
    again = run_automations(mp.db, mp.stores.get(store), date(2026, 4, 3), clock)  # as a second machine would
    assert [t.fired for t in again] == [0]
    mp.sweeps.run_daily([store], date(2026, 4, 5))
    assert followed_up(mp, store) == [(D, ["done", "waiting"]), (date(2026, 4, 3), ["pending", "done"])]
    clock.set(datetime(2026, 4, 5, 12, 0, tzinfo=UTC))
    with SmtpSink() as server:
        assert drain(mp, store, **smtp(server.port)) == 1
    assert server.messages[0]["Subject"] == "Thank you"


def test_a_catch_up_run_across_the_day_fires_what_waited(mp: Milepost):
    store = waiting_shop(mp)
    mp.sweeps.run_daily([store], D)
    days = fired_days(mp.sweeps.run_daily([store], date(2026, 4, 5)))  # runs 1 April to 5 April
    assert days == {date(2026, 4, i): int(i == 3) for i in range(1, 6)}
    assert followed_up(mp, store) == [(D, ["done", "waiting"]), (date(2026, 4, 3), ["pending", "done"])]


def test_an_event_starts_a_branch_that_waits(mp: Milepost, clock):
    store = shop(mp, codes=0)
    mp.automations.create(store, follow_up(trigger={"type": "event", "event": "order.paid"}))
    customer(mp, store, "c1")
    mp.sweeps.run_daily([store], date(2026, 3, 1))
    order(mp, store, "c1", "o1", "2026-03-01T10:00:00Z")  # ingested on 1 March (the clock)
    mp.sweeps.run_daily([store], date(2026, 3, 3))
    assert "followed_up" not in mp.customers.get(store, "c1").tags
    mp.sweeps.run_daily([store], date(2026, 3, 4))
    assert {"welcomed", "followed_up"} <= set(mp.customers.get(store, "c1").tags)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(later=st.lists(st.integers(0, 5), max_size=5))
def test_any_runs_after_the_first_give_what_waited_once_on_its_day(mp: Milepost, later: list[int]):
    """After the run of D, any runs (any order, repeats, gaps) fire the rest of the branch
    once, on D + 3, when the latest of them is D + 3 or after; else not yet."""
    store = waiting_shop(mp)
    mp.sweeps.run_daily([store], D)
    for offset in later:
        mp.sweeps.run_daily([store], D + timedelta(days=offset))
    rest = [(date(2026, 4, 3), ["pending", "done"])] if max(later, default=0) >= 3 else []
    assert followed_up(mp, store) == [(D, ["done", "waiting"]), *rest]


WAIT_DAYS = "must be a whole number of days from 1 to 365"


@pytest.mark.parametrize(
    ("actions", "field", "reason"),
    [
        ([{"type": "wait", "days": 0}], "branches[0].actions[0].days", WAIT_DAYS),
        ([{"type": "wait", "days": 366}], "branches[0].actions[0].days", WAIT_DAYS),
        (
            [{"type": "pool_code", "pool": POOL, "on_failure": [{"type": "wait", "days": 1}]}],
            "branches[0].actions[0].on_failure[0].type",
            "an on_failure list takes no pool_code or wait",
        ),
    ],
)
def test_a_wait_is_checked_on_save(mp: Milepost, actions: list[dict[str, Any]], field: str, reason: str):
    store = shop(mp, codes=0)
    with pytest.raises(ValidationError) as exc:
        mp.automations.create(store, follow_up(branches=[{"name": "all", "actions": actions}]))
    assert exc.value.problems[field] == reason


def test_an_event_automation_a_workflow_also_starts_counts_every_start(mp: Milepost):
    """One numbering for every start: the program's Trigger Workflow and the event in the
    same batch, then the event again, are three firings of the automation."""
    store = shop(mp, codes=0)
    mp.automations.create(store, onboarding("welcome_flow", {"type": "event", "event": "order.paid"}))
    mp.order_count_events.create(
        store, count=1, name="First order", actions=[{"type": "trigger_workflow", "workflow": "welcome_flow"}]
    )
    customer(mp, store, "c1")
    order(mp, store, "c1", "o1", "2026-03-01T10:00:00Z")  # fires the program and matches the event
    order(mp, store, "c1", "o2", "2026-03-01T11:00:00Z")  # matches the event only

    fired = [m for m in mp.customers.get(store, "c1").milestones if m.rule_name == "VIP onboarding"]
    assert sorted(m.occurrence for m in fired) == [1, 2, 3]


def test_an_automation_saved_between_batches_starts_from_the_next_one(mp: Milepost):
    """Ingest keeps the store's startable automations per rules version: one saved after a
    batch read them is in the next batch's, as is a switch-off."""
    store = shop(mp, codes=0)
    second = [{"type": "add_tag", "tag": "second"}]
    rule_id = mp.order_count_events.create(store, count=2, name="2nd order", actions=second).rule.id
    customer(mp, store, "c1")
    customer(mp, store, "c2")
    order(mp, store, "c1", "o1", "2026-02-01T10:00:00Z")  # a batch with no automation to start
    mp.automations.create(store, onboarding("after_second", {"type": "milestone", "program": f"oce_{rule_id}"}))
    order(mp, store, "c1", "o2", "2026-02-02T10:00:00Z")
    assert "after_second-started" in mp.customers.get(store, "c1").tags
    mp.automations.set_active(store, "after_second", False)
    for oid in ("o3", "o4"):
        order(mp, store, "c2", oid, "2026-02-03T10:00:00Z")
    assert "after_second-started" not in mp.customers.get(store, "c2").tags
