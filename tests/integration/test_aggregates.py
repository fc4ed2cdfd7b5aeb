"""Aggregates through the Python API, on every backend: defined, listed, changed and
deleted; their values as of a store-local day over the whole days before it (the first
purchase exactly 365 days ago is in a 365-day window), computed from what is stored when
asked, so a late event counts from then on; and the engine's page read, `values_for`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from milepost_kit import key, order_event, paid, refunded

from milepost import Milepost
from milepost.errors import Conflict, NotFound, ValidationError
from milepost.service import aggregate_values

ZONE = "America/New_York"
D = date(2026, 3, 1)


@pytest.fixture
def shop(mp: Milepost) -> str:
    """A store in New York, counting paid orders."""
    store = f"s-{key()}"
    mp.stores.create(store, "Test shop", currency="USD", timezone=ZONE)
    return store


def local(day: date, hour: int, minute: int = 0) -> str:
    """An ISO instant (UTC) of the store-local `day` at hour:minute."""
    at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(ZONE))
    return at.astimezone(UTC).isoformat()


def orders_365d(mp: Milepost, store: str, function: str = "count") -> None:
    mp.aggregates.create(
        store, f"orders_365d_{function}", name="Orders, 365 days", source="orders", function=function, window_days=365
    )


def ingest(mp: Milepost, store: str, *events: dict) -> None:
    result = mp.ingest(store, list(events))
    assert result.accepted == len(events), result.rejected


def test_an_aggregate_is_created_listed_changed_and_deleted(mp, shop):
    created = mp.aggregates.create(shop, "orders_365d", name="Orders in a year", source="orders", window_days=365)

    assert (created.key, created.source, created.function, created.window_days) == (
        "orders_365d",
        "orders",
        "count",
        365,
    )
    assert [a.key for a in mp.aggregates.list(shop)] == ["orders_365d"]
    with pytest.raises(Conflict):
        mp.aggregates.create(shop, "orders_365d", name="Again", source="orders")
    changed = mp.aggregates.update(shop, "orders_365d", window_days=30, name="Orders in a month")
    assert (changed.name, changed.window_days) == ("Orders in a month", 30)
    assert mp.aggregates.get(shop, "orders_365d") == changed
    mp.aggregates.delete(shop, "orders_365d")
    assert mp.aggregates.list(shop) == []
    with pytest.raises(NotFound):
        mp.aggregates.delete(shop, "orders_365d")


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("key", {"key": "Orders 365"}),
        ("name", {"name": " "}),
        ("source", {"source": ""}),
        ("function", {"function": "avg"}),
        ("property", {"function": "sum", "source": "custom thing"}),
        ("property", {"source": "orders", "property": "total"}),
        ("window_days", {"window_days": 0}),
    ],
)
def test_an_aggregate_with_bad_fields_is_refused(mp, shop, field, values):
    given = {"key": "orders_365d", "name": "Orders", "source": "orders", **values}
    with pytest.raises(ValidationError) as refused:
        mp.aggregates.create(shop, given.pop("key"), **given)
    assert field in refused.value.problems


def test_a_change_names_only_known_fields_and_keeps_the_definition_whole(mp, shop):
    mp.aggregates.create(shop, "spend", name="Spend", source="orders", function="sum")
    with pytest.raises(ValidationError):
        mp.aggregates.update(shop, "spend", colour="red")
    with pytest.raises(ValidationError):
        mp.aggregates.update(shop, "spend", source="gift wrapped")  # a sum of events names a property


def test_the_first_purchase_365_days_ago_is_inside_a_365_day_window(mp, shop):
    # Given a first purchase paid late in the evening (store time) of D-365
    orders_365d(mp, shop)
    ingest(mp, shop, paid("ann", "a1", at=local(D - timedelta(days=365), 23, 30)))

    # Then on the anniversary D it counts; a day later it has left the window
    assert mp.aggregates.values(shop, "ann", D) == {"orders_365d_count": 1}
    assert mp.aggregates.values(shop, "ann", D + timedelta(days=1)) == {"orders_365d_count": 0}
    # and before D-365 is over it is not yet in (the window is the whole days before the day asked)
    assert mp.aggregates.values(shop, "ann", D - timedelta(days=365)) == {"orders_365d_count": 0}


def test_orders_count_by_when_they_were_paid_not_placed_and_only_while_they_count(mp, shop):
    orders_365d(mp, shop)
    orders_365d(mp, shop, "sum")
    long_ago, inside = local(D - timedelta(days=500), 10), local(D - timedelta(days=100), 10)
    ingest(
        mp,
        shop,
        order_event("placed", "bo", "placed-long-ago", 5000, at=long_ago),
        paid("bo", "placed-long-ago", 5000, at=inside),  # placed long ago, paid inside: counts
        order_event("placed", "bo", "never-paid", 700, at=inside),  # never paid: does not
        paid("bo", "refunded-in-part", 3000, at=inside),
        refunded("bo", "refunded-in-part", 1000, at=inside),  # counts its net 2000
        paid("bo", "refunded", 900, at=inside),
        refunded("bo", "refunded", at=inside),  # fully refunded: does not count
        paid("bo", "today", 100, at=local(D, 9)),  # on D itself: not yet
    )

    assert mp.aggregates.values(shop, "bo", D) == {"orders_365d_count": 2, "orders_365d_sum": 7000}


def test_events_are_counted_by_type_and_custom_events_by_name_and_summed_by_property(mp, shop):
    mp.aggregates.create(shop, "reviews", name="Reviews", source="review.created")
    mp.aggregates.create(shop, "gifts_30d", name="Gifts", source="gift wrapped", window_days=30)
    mp.aggregates.create(
        shop,
        "gift_value_30d",
        name="Gift value",
        source="gift wrapped",
        function="sum",
        property="value",
        window_days=30,
    )
    at = local(D - timedelta(days=3), 12)

    def gift(value: object) -> dict:
        return {
            "id": key(),
            "type": "custom",
            "name": "gift wrapped",
            "customer_id": "cy",
            "occurred_at": at,
            "properties": {"value": value},
        }

    ingest(
        mp,
        shop,
        {"id": key(), "type": "review.created", "customer_id": "cy", "occurred_at": at, "rating": 5},
        gift(250),
        gift(125),
        gift("a lot"),  # not a number: counted, not summed
        {"id": key(), "type": "custom", "name": "other", "customer_id": "cy", "occurred_at": at},
        {**gift(1000), "occurred_at": local(D - timedelta(days=31), 12)},  # before the window
    )

    assert mp.aggregates.values(shop, "cy", D) == {"reviews": 1, "gifts_30d": 3, "gift_value_30d": 375}


def test_an_event_arriving_late_changes_the_value_of_a_later_day(mp, shop):
    orders_365d(mp, shop)
    ingest(mp, shop, paid("di", "d2", at=local(D - timedelta(days=10), 12)))
    assert mp.aggregates.values(shop, "di", D) == {"orders_365d_count": 1}

    # an order paid 20 days before D, told only now
    ingest(mp, shop, paid("di", "d1", at=local(D - timedelta(days=20), 12)))

    assert mp.aggregates.values(shop, "di", D) == {"orders_365d_count": 2}


def test_values_for_answers_every_customer_and_name_of_a_page(mp, shop):
    orders_365d(mp, shop)
    mp.aggregates.create(shop, "reviews", name="Reviews", source="review.created")
    ingest(mp, shop, paid("ed", "e1", at=local(D - timedelta(days=1), 12)), paid("fay", "f1", at=local(D, 12)))
    store = mp.wiring.store(shop)
    with mp.wiring.db.read() as tx:
        ids = {c: tx.customer(store.id, c)[0].id for c in ("ed", "fay")}
        values = aggregate_values.values_for(tx, store, {"orders_365d_count", "reviews"}, list(ids.values()), D)
        assert aggregate_values.known(tx, store.id) == {"orders_365d_count", "reviews"}
        with pytest.raises(NotFound):
            aggregate_values.values_for(tx, store, {"nope"}, list(ids.values()), D)

    assert values == {
        ids["ed"]: {"orders_365d_count": 1, "reviews": 0},
        ids["fay"]: {"orders_365d_count": 0, "reviews": 0},
    }


def test_values_default_to_today_in_the_store_time_zone(mp, shop, clock):
    orders_365d(mp, shop)
    ingest(mp, shop, paid("gus", "g1", at=local(D - timedelta(days=1), 12)))
    clock.set(datetime.fromisoformat(local(D, 8)))

    assert mp.aggregates.values(shop, "gus") == {"orders_365d_count": 1}
    with pytest.raises(NotFound):
        mp.aggregates.values(shop, "nobody")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    paid_hours=st.lists(st.integers(min_value=0, max_value=24 * 60), max_size=8),
    window=st.integers(min_value=1, max_value=40),
    offset=st.integers(min_value=0, max_value=60),
)
def test_an_orders_window_holds_the_orders_paid_on_the_n_local_days_before(mp, shop, paid_hours, window, offset):
    # random orders paid at whole hours over 60 days, and a random day D
    start = datetime(2026, 1, 1, tzinfo=UTC)
    customer, aggregate = key(), f"orders_{window}d"
    if aggregate not in {a.key for a in mp.aggregates.list(shop)}:
        mp.aggregates.create(shop, aggregate, name="Orders", source="orders", window_days=window)
    times = [start + timedelta(hours=h) for h in paid_hours]
    if times:
        ingest(mp, shop, *(paid(customer, f"{customer}-{i}", at=t.isoformat()) for i, t in enumerate(times)))
    day = date(2026, 1, 1) + timedelta(days=offset)

    expected = sum(day - timedelta(days=window) <= t.astimezone(ZoneInfo(ZONE)).date() < day for t in times)
    got = mp.aggregates.values(shop, customer, day)[aggregate] if times else expected
    assert got == expected
