"""Auto segments kept current by ingest, on every backend: a customer enters when an event
makes the filters hold and leaves when one makes them fail, in the batch's transaction,
each move recorded once; and, for any sequence of events (reordered, sent again, cut
into batches anyhow), the members kept live are the members computed from scratch
over the stored history."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from milepost_kit import key, paid

from milepost import Milepost


def cart(customer: str, id: str | None = None, at: str | None = None) -> dict:
    raw = {"id": id or key(), "type": "custom", "customer_id": customer, "name": "cart_abandoned"}
    return raw | ({"occurred_at": at} if at else {})


def bought(customer: str, id: str, at: str) -> dict:
    return {"id": id, "type": "custom", "customer_id": customer, "name": "checkout", "occurred_at": at}


def plan(customer: str, id: str, value: str, at: str) -> dict:
    return {
        "id": id,
        "type": "customer.updated",
        "customer_id": customer,
        "attributes": {"plan": value},
        "occurred_at": at,
    }


def has(name: str, condition: str = "more_than", value: int = 0) -> dict:
    return {"type": "event", "event": name, "condition": condition, "value": value}


SEGMENTS = [
    {"key": "twice", "name": "Abandoned exactly twice", "filters": [has("cart_abandoned", "exactly", 2)]},
    {
        "key": "lost",
        "name": "Abandoned, never bought",
        "filters": [has("cart_abandoned"), has("checkout", "less_than", 1)],
    },
    {
        "key": "valued",
        "name": "Two orders, or on the pro plan",
        "groups": [
            {"filters": [{"type": "metric", "metric": "order_count", "condition": "more_than", "value": 1}]},
            {"filters": [{"type": "attribute", "attribute": "plan", "op": "=", "value": "pro"}]},
        ],
    },
    {"key": "not_valued", "name": "Not valued", "filters": [{"type": "segment", "segment": "valued", "member": False}]},
    {
        "key": "recent",
        "name": "Carts in the last 45 days, last checkout over 40 days ago",
        "filters": [
            has("cart_abandoned") | {"within_days": 45},
            {"type": "event", "event": "checkout", "metric": "last_occurred", "condition": "more_than", "value": 40},
        ],
    },
]


def moves(mp: Milepost, store: str, segment: str) -> list[tuple[str, bool]]:
    return [(t.customer_id, t.entered) for t in mp.segments.transitions(store, segment, limit=10_000)]


def live(mp: Milepost, store: str, segment: str) -> set[str]:
    """The members by the transitions: each customer's last move was an entry; and each
    customer's moves alternate, entering first, so no move was recorded twice."""
    last: dict[str, bool] = {}
    for customer, entered in moves(mp, store, segment):
        assert last.get(customer, False) is not entered, f"{customer} {'entered' if entered else 'left'} twice"
        last[customer] = entered
    return {c for c, inside in last.items() if inside}


def from_scratch(mp: Milepost, store: str, segment: str) -> set[str]:
    return {m.external_id for m in mp.segments.members(store, segment, limit=10_000)}


def test_a_customer_enters_once_and_leaves_once(mp, store):
    mp.segments.create(store, SEGMENTS[1])
    mp.ingest(store, [cart("ann")])
    mp.ingest(store, [cart("ann")])  # still in: no second entry

    assert moves(mp, store, "lost") == [("ann", True)]

    mp.ingest(store, [bought("ann", key(), "2026-02-01T00:00:00Z"), cart("bob")])  # ann leaves, bob enters

    first, *second = moves(mp, store, "lost")
    assert (first, sorted(second)) == (("ann", True), [("ann", False), ("bob", True)])  # a batch's moves: any order
    transition = mp.segments.transitions(store, "lost")[-1]
    assert transition.at == mp.clock()
    assert mp.segments.transitions(store, "lost", after=transition.id) == []


def test_the_members_a_segment_had_when_created_are_kept_and_move_from_there(mp, store):
    mp.ingest(store, [cart("ann"), cart("bob"), cart("bob")])
    mp.segments.create(store, SEGMENTS[0])  # bob: twice

    mp.ingest(store, [cart("ann"), cart("bob")])  # ann: twice now; bob: three times

    assert sorted(moves(mp, store, "twice")) == [("ann", True), ("bob", False)]
    assert from_scratch(mp, store, "twice") == {"ann"}


def test_an_ingest_without_segments_or_with_static_ones_moves_nothing(mp, store):
    mp.segments.create(store, {**SEGMENTS[1], "kind": "static"})
    mp.ingest(store, [cart("ann"), *[paid("ann", f"o{i}") for i in range(2)]])

    assert moves(mp, store, "lost") == []
    assert from_scratch(mp, store, "lost") == set()  # the snapshot, taken before


_CUSTOMERS = ("ann", "bob", "cy")
_EVENT = st.tuples(
    st.sampled_from(_CUSTOMERS), st.sampled_from(("cart", "checkout", "order", "pro", "basic")), st.integers(1, 50)
)


def _events(drawn: list[tuple[str, str, int]]) -> list[dict]:
    out = []
    for n, (customer, kind, day) in enumerate(drawn):
        at, id = f"2026-01-{1 + day % 28:02d}T{n % 24:02d}:00:00Z", f"e{n}"
        if kind == "cart":
            out.append(cart(customer, id, at))
        elif kind == "checkout":
            out.append(bought(customer, id, at))
        elif kind == "order":
            out.append(paid(customer, f"{customer}-{id}", id=id, at=at))
        else:
            out.append(plan(customer, id, kind, at))
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), drawn=st.lists(_EVENT, min_size=1, max_size=14))
def test_live_membership_is_the_membership_from_scratch_for_any_sequence(mp: Milepost, data, drawn) -> None:
    # Given: a fresh store with its segments, and events in any order, some sent again
    store = f"s-{key()}"
    mp.stores.create(store, "Shop", currency="USD", timezone="UTC")
    for s in SEGMENTS:
        mp.segments.create(store, s)
    events = _events(drawn)
    again = data.draw(st.lists(st.sampled_from(events), max_size=4))
    sent = data.draw(st.permutations(events + again))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(sent) - 1)), max_size=4)))

    # When: they come in batches
    for start, end in zip([0, *cuts], [*cuts, len(sent)], strict=True):
        mp.ingest(store, sent[start:end])

        # Then: after each batch, what ingest kept is what the history says
        for s in SEGMENTS:
            assert live(mp, store, s["key"]) == from_scratch(mp, store, s["key"]), s["key"]


def test_each_segment_s_moves_are_its_own(mp, store):
    for s in SEGMENTS:
        mp.segments.create(store, s)

    mp.ingest(store, [cart("ann"), cart("ann"), plan("bob", key(), "pro", "2026-02-01T00:00:00Z")])

    by_segment = defaultdict(list)
    for s in SEGMENTS:
        by_segment[s["key"]] = moves(mp, store, s["key"])
    assert by_segment == {
        "twice": [("ann", True)],
        "lost": [("ann", True)],
        "valued": [("bob", True)],
        "not_valued": [("ann", True)],
        "recent": [],
    }


def test_a_tag_given_by_hand_moves_the_customer_at_once(mp, store):
    mp.ingest(store, [cart("ann")])
    vips = {"type": "tag", "op": "has", "tag": "vip"}
    mp.segments.create(store, {"key": "vip_carts", "name": "VIP carts", "filters": [has("cart_abandoned"), vips]})

    mp.customers.tag(store, "ann", add=["vip"])
    mp.customers.tag(store, "ann", remove=["vip"])

    assert moves(mp, store, "vip_carts") == [("ann", True), ("ann", False)]


def test_milepost_s_own_events_move_auto_segments_in_the_batch_that_records_them(mp, store):
    # Given a segment on an event only Milepost records: two orders first seen (order.created)
    mp.segments.create(
        store,
        {"key": "paid_twice", "name": "Two orders seen", "filters": [has("order.created", "more_than", 1)]},
    )

    # When one customer pays for two orders and another for one
    mp.ingest(store, [paid("ann", "o1"), paid("ann", "o2"), paid("bob", "o3")])

    # Then the customer with two orders entered in that batch, once, as from scratch
    assert moves(mp, store, "paid_twice") == [("ann", True)]
    assert from_scratch(mp, store, "paid_twice") == {"ann"}
