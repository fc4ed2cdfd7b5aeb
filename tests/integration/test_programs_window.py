"""Editing a program's active window through the Python API, on every backend: a bound
given as None is removed, one left out stays, and an edit that opens the window again
(extending or removing the end of a program that ended, moving or removing the start of
one that has not started) is not retroactive, like switching a program back on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from milepost_kit import buy, fired, key

from milepost import Milepost
from milepost.errors import ValidationError


def review(customer: str, review_id: str) -> dict[str, Any]:
    return {"id": key(), "type": "review.created", "customer_id": customer, "review_id": review_id}


def reviews(mp: Milepost, store: str, *pairs: tuple[str, str]) -> None:
    result = mp.ingest(store, [review(c, r) for c, r in pairs])
    assert not result.rejected, result.rejected


def program(mp: Milepost, store: str, **kw: Any) -> int:
    kw.setdefault("actions", [{"type": "add_tag", "tag": "reviewer"}])
    kw.setdefault("name", "One review")
    return mp.programs.create(store, metric="review_count", threshold=1, **kw).rule.id


def inactivity(mp: Milepost, store: str, **kw: Any) -> int:
    actions = [{"type": "add_tag", "tag": "lapsed"}]
    return mp.programs.create_inactivity(store, name="30 days quiet", days=30, actions=actions, **kw).rule.id


@pytest.mark.parametrize("new_end", ["later", "none"])
def test_reopening_an_ended_program_fires_for_new_crossings_only(mp, store, clock, new_end):
    # Given a program that ended yesterday, and a customer who crossed since
    pid = program(mp, store, ends_at=clock() - timedelta(days=1))
    reviews(mp, store, ("crossed", "c1"))
    # When its end is moved a month on, or removed
    ends_at = clock() + timedelta(days=30) if new_end == "later" else None
    edited = mp.programs.update(store, pid, ends_at=ends_at)
    # Then it is armed again: the customer who crossed while it was over never gets it
    assert (edited.rule.ends_at, edited.rule.version, edited.excluded) == (ends_at, 2, 1)
    reviews(mp, store, ("crossed", "c2"), ("new", "n1"))
    assert fired(mp, store, "crossed") == [] and fired(mp, store, "new") == [(pid, 1)]


@pytest.mark.parametrize("new_start", ["earlier", "none"])
def test_opening_a_program_that_has_not_started_fires_for_new_crossings_only(mp, store, clock, new_start):
    pid = program(mp, store, starts_at=clock() + timedelta(days=7))
    reviews(mp, store, ("early", "e1"))
    starts_at = clock() - timedelta(days=1) if new_start == "earlier" else None

    edited = mp.programs.update(store, pid, starts_at=starts_at)

    assert (edited.rule.starts_at, edited.excluded) == (starts_at, 1)
    reviews(mp, store, ("early", "e2"), ("new", "n1"))
    assert fired(mp, store, "early") == [] and fired(mp, store, "new") == [(pid, 1)]


def test_an_edit_that_leaves_the_window_shut_or_open_arms_nothing(mp, store, clock):
    now = clock()
    later = program(mp, store, name="Later", starts_at=now + timedelta(days=7))
    live = program(mp, store, name="Live", ends_at=now + timedelta(days=7))
    reviews(mp, store, ("crossed", "c1"))
    assert mp.programs.update(store, later, starts_at=now + timedelta(days=1)).excluded == 0  # still shut
    assert mp.programs.update(store, live, ends_at=None).excluded == 0  # open already
    assert fired(mp, store, "crossed") == [(live, 1)]


def test_a_bound_left_out_stays_and_none_removes_it(mp, store, clock):
    start, end = clock() - timedelta(days=1), clock() + timedelta(days=1)
    pid = program(mp, store, starts_at=start, ends_at=end, clawback_days=30)

    renamed = mp.programs.update(store, pid, name="Renamed").rule
    assert (renamed.name, renamed.starts_at, renamed.ends_at, renamed.clawback_days) == ("Renamed", start, end, 30)
    no_start = mp.programs.update(store, pid, starts_at=None).rule
    assert (no_start.starts_at, no_start.ends_at, no_start.version) == (None, end, 3)
    assert mp.programs.update(store, pid, starts_at=None).rule.version == 3  # nothing left to remove
    assert mp.programs.update(store, pid, clawback_days=None).rule.clawback_days is None
    assert mp.programs.update(store, pid, ends_at=None).rule.ends_at is None


@pytest.mark.parametrize("field", ["name", "threshold", "actions", "conditions", "active"])
def test_none_is_refused_for_what_cannot_be_removed(mp, store, field):
    pid = program(mp, store)

    with pytest.raises(ValidationError) as refused:
        mp.programs.update(store, pid, **{field: None})

    assert field in refused.value.problems
    assert mp.programs.get(store, pid).rule.version == 1


def test_none_is_refused_for_an_order_count_event_too(mp, store):
    rid = mp.order_count_events.create(store, count=3, name="Three", actions=[{"type": "alert"}]).rule.id

    with pytest.raises(ValidationError) as refused:
        mp.order_count_events.update(store, rid, count=None)

    assert refused.value.problems
    assert mp.order_count_events.update(store, rid, name="Renamed").rule.threshold == 3  # what is left out stays


def test_extending_an_inactivity_program_is_not_retroactive(mp, store, clock):
    # Given an inactivity program that ends in 10 days, and a customer whose lapse reaches
    # its 30 days after that
    pid = inactivity(mp, store, ends_at=clock() + timedelta(days=10))
    buy(mp, store, "quiet", 1)
    clock.advance(days=31)
    assert mp.sweeps.inactivity([store]).programs == 0  # over
    # When its end is removed
    assert mp.programs.update(store, pid, ends_at=None).excluded == 1
    # Then the lapse that reached its days while it was over never fires; the next one does
    assert mp.sweeps.inactivity([store]).fired == 0
    buy(mp, store, "quiet", 1, start=1)
    clock.advance(days=31)
    mp.sweeps.inactivity([store])
    assert len(fired(mp, store, "quiet")) == 1 and fired(mp, store, "quiet")[0][0] == pid
