"""Who an automation reached and fired nothing for, and why, through `mp.*` on SQLite and
PostgreSQL: a customer in the audience and in no branch is in the day's run log by name,
with the conditions each branch failed, and no firing, so they qualify another day or
start; the rest of a branch after a wait is checked again on its day (automation still
on, customer still in the audience) and, stopped, fires nothing and says why."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from milepost_kit import key
from test_automations import D, customer, follow_up, order, shop, started_count

from milepost import Milepost

VIP_ONLY = {"name": "vip", "when": {"field": "tag", "op": "has", "value": "vip"}}


def vip_follow_up(**changes: Any) -> dict[str, Any]:
    """30 days after the first purchase, only a VIP gets a tag."""
    return follow_up(branches=[{**VIP_ONLY, "actions": [{"type": "add_tag", "tag": "thanked"}]}], **changes)


def test_a_customer_in_no_branch_is_in_the_run_log_by_name_with_why_and_nothing_fires(mp: Milepost):
    # Given two first purchases of 30 days before D, one by a VIP
    store = shop(mp, codes=0)
    for cid in ("plain", "star"):
        customer(mp, store, cid)
        order(mp, store, cid, f"{cid}-1", "2026-03-01T10:00:00Z")
    mp.customers.tag(store, "star", add=["vip"])
    mp.automations.create(store, vip_follow_up())

    # When D runs, twice
    mp.sweeps.run_daily([store], D)
    mp.sweeps.run_daily([store], D)

    # Then the VIP fired; the other is listed, by name and email, with the failed condition
    assert [c.customer_id for c in mp.automations.run(store, "follow_up", D)] == ["star"]
    (miss,) = mp.automations.misses(store, "follow_up", D)
    assert (miss.customer_id, miss.name, miss.email) == ("plain", "Customer plain", "plain@example.com")
    assert (miss.reason, miss.why) == ("no_branch", "no branch matched")
    assert miss.detail == {"branches": [{"name": "vip", "failed": ["tag has vip: has no tags"]}]}
    (run,) = mp.automations.runs(store, "follow_up")
    assert (run.audience, run.fired, run.skipped, run.stopped) == (2, 1, 1, 0)
    assert started_count(mp, store, "plain", "follow_up") == 0  # no firing: nothing holds the day for them


def test_a_customer_in_no_branch_qualifies_at_a_later_start(mp: Milepost, clock):
    clock.set(datetime(2026, 3, 31, 12, 0, tzinfo=UTC))  # the batches' day is D
    store = shop(mp, codes=0)
    mp.automations.create(store, vip_follow_up(trigger={"type": "event", "event": "visit"}))
    customer(mp, store, "c1")
    visit = {"type": "custom", "customer_id": "c1", "name": "visit", "occurred_at": "2026-03-31T10:00:00Z"}
    mp.ingest(store, [{**visit, "id": key()}])
    assert [m.reason for m in mp.automations.misses(store, "follow_up", D)] == ["no_branch"]
    assert started_count(mp, store, "c1", "follow_up") == 0

    mp.customers.tag(store, "c1", add=["vip"])
    mp.ingest(store, [{**visit, "id": key()}])

    assert started_count(mp, store, "c1", "follow_up") == 1
    assert "thanked" in mp.customers.get(store, "c1").tags


def waiting_pair(mp: Milepost, **changes: Any) -> str:
    """c1 and c2 reach the follow-up's wait on D; the audience: customers not tagged `paused`."""
    store = shop(mp, codes=0)
    for cid in ("c1", "c2"):
        customer(mp, store, cid)
        order(mp, store, cid, f"{cid}-1", "2026-03-01T10:00:00Z")
    audience = {"field": "tag", "op": "lacks", "value": "paused"}
    mp.automations.create(store, follow_up(audience=audience, **changes))
    mp.sweeps.run_daily([store], D)
    assert {c.customer_id for c in mp.automations.run(store, "follow_up", D)} == {"c1", "c2"}
    return store


RESUMED = date(2026, 4, 3)


def test_the_rest_after_a_wait_stops_for_a_customer_who_left_the_audience(mp: Milepost):
    store = waiting_pair(mp)
    mp.customers.tag(store, "c1", add=["paused"])

    mp.sweeps.run_daily([store], RESUMED)

    assert "followed_up" not in mp.customers.get(store, "c1").tags
    assert "followed_up" in mp.customers.get(store, "c2").tags
    assert [c.customer_id for c in mp.automations.run(store, "follow_up", RESUMED)] == ["c2"]
    (miss,) = mp.automations.misses(store, "follow_up", RESUMED)
    assert (miss.customer_id, miss.reason, miss.why) == ("c1", "left_audience", "left the audience")
    assert miss.detail == {"branch": "all", "failed": ["tag lacks paused: tags are paused, welcomed"]}
    latest = mp.automations.runs(store, "follow_up")[0]
    assert (latest.day, latest.fired, latest.stopped) == (RESUMED, 1, 1)
    mp.customers.tag(store, "c1", remove=["paused"])
    mp.sweeps.run_daily([store], date(2026, 4, 4))  # back in the audience: the stopped rest stays stopped
    assert "followed_up" not in mp.customers.get(store, "c1").tags


def test_the_rest_after_a_wait_stops_when_the_automation_is_off(mp: Milepost):
    store = waiting_pair(mp)
    mp.automations.set_active(store, "follow_up", False)

    mp.sweeps.run_daily([store], RESUMED)

    assert mp.automations.run(store, "follow_up", RESUMED) == []
    misses = mp.automations.misses(store, "follow_up", RESUMED)
    assert [(m.customer_id, m.reason, m.why, m.detail) for m in misses] == [
        ("c1", "disabled", "automation disabled", {"branch": "all"}),
        ("c2", "disabled", "automation disabled", {"branch": "all"}),
    ]
    latest = mp.automations.runs(store, "follow_up")[0]
    assert (latest.day, latest.fired, latest.stopped) == (RESUMED, 0, 2)
    mp.automations.set_active(store, "follow_up", True)
    mp.sweeps.run_daily([store], date(2026, 4, 4))
    assert not {"followed_up"} & (set(mp.customers.get(store, "c1").tags) | set(mp.customers.get(store, "c2").tags))


def test_the_rest_after_a_wait_stops_when_its_branch_is_gone(mp: Milepost):
    store = waiting_pair(mp)
    renamed = mp.automations.get(store, "follow_up").automation.as_dict()
    renamed["branches"][0]["name"] = "everyone"
    mp.automations.update(store, "follow_up", renamed)

    mp.sweeps.run_daily([store], RESUMED)

    assert mp.automations.run(store, "follow_up", RESUMED) == []
    assert {(m.customer_id, m.reason, m.why) for m in mp.automations.misses(store, "follow_up", RESUMED)} == {
        ("c1", "branch_gone", "branch no longer in the automation"),
        ("c2", "branch_gone", "branch no longer in the automation"),
    }
