"""The points expiry walk (domain/expiry.py) over random ledgers: what is left of the lots
is the balance (when it is not negative), expiring never takes a balance below zero or a
lot below nothing, each lot expires once, and a sweep leaves nothing due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from milepost.domain.expiry import EXPIRE, due, lots, upcoming

START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 30


@dataclass(frozen=True)
class E:
    id: int
    points: int
    reason: str
    idempotency_key: str
    created_at: datetime
    order_id: str | None = None


step = st.one_of(
    st.tuples(st.just("earn"), st.integers(1, 200), st.integers(0, 4)),  # an order's points
    st.tuples(st.just("refund"), st.integers(1, 200), st.integers(0, 4)),  # part of them back
    st.tuples(st.just("spend"), st.integers(1, 300), st.just(0)),
    st.tuples(st.just("adjust"), st.integers(-150, 150).filter(bool), st.just(0)),
    st.tuples(st.just("wait"), st.integers(1, 20), st.just(0)),
    st.tuples(st.just("sweep"), st.just(0), st.just(0)),
)


@settings(max_examples=300, deadline=None)
@given(steps=st.lists(step, max_size=40), allow_negative=st.booleans(), since_days=st.integers(-20, 20))
def test_the_walk_keeps_its_invariants(steps, allow_negative, since_days):
    since = START + timedelta(days=since_days)
    now = START
    entries: list[E] = []
    earned: dict[int, int] = {}  # order -> points still counted
    expired_keys: list[str] = []

    def balance() -> int:
        return sum(e.points for e in entries)

    def add(points: int, reason: str, key: str, order: str | None = None) -> None:
        entries.append(E(len(entries) + 1, points, reason, key, now, order))

    for kind, amount, order in steps:
        if kind == "wait":
            now += timedelta(days=amount)
        elif kind == "earn":
            earned[order] = earned.get(order, 0) + amount
            add(amount, "earn", f"earn:{len(entries)}", f"o{order}")
        elif kind == "refund" and earned.get(order):
            back = min(amount, earned[order])
            earned[order] -= back
            add(-back, "earn", f"earn:{len(entries)}", f"o{order}")
        elif kind in ("spend", "adjust"):
            points = -amount if kind == "spend" else amount
            if allow_negative or balance() + points >= 0:
                add(points, kind, f"{kind}:{len(entries)}")
        elif kind == "sweep":
            before = balance()
            for lot in due(entries, DAYS, since, now):
                assert lot.points > 0 and lot.expires_at <= now
                add(-lot.points, EXPIRE, f"{EXPIRE}:{lot.key}", lot.order_id)
                expired_keys.append(lot.key)
            assert due(entries, DAYS, since, now) == []  # nothing left due
            assert balance() >= min(before, 0)  # expiry never goes below zero (nor lower than a debt)

        left = lots(entries, DAYS, since)
        assert all(lot.points >= 0 for lot in left)
        assert sum(lot.points for lot in left) == max(balance(), 0)
        gave = {e.idempotency_key: e.points for e in entries if e.points > 0}
        assert all(lot.points <= gave[lot.key] for lot in left)
        soon = upcoming(entries, DAYS, since, now)
        assert all(lot.expires_at > now for lot in soon)
        assert [lot.expires_at for lot in soon] == sorted(lot.expires_at for lot in soon)

    assert len(expired_keys) == len(set(expired_keys))  # each lot expires once


def test_the_oldest_lot_is_used_first():
    entries = [
        E(1, 100, "earn", "earn:a", START, "o1"),
        E(2, 50, "earn", "earn:b", START + timedelta(days=5), "o2"),
        E(3, -120, "spend", "spend:x", START + timedelta(days=6)),
    ]
    assert [(lot.key, lot.points) for lot in lots(entries, DAYS, START)] == [("earn:a", 0), ("earn:b", 30)]


def test_a_clawback_takes_from_the_lot_it_reverses():
    entries = [
        E(1, 100, "earn", "earn:a", START, "o1"),
        E(2, 500, "milestone", "milestone:7", START + timedelta(days=1)),
        E(3, -500, "clawback", "clawback:milestone:7", START + timedelta(days=2)),
    ]
    assert [(lot.key, lot.points) for lot in lots(entries, DAYS, START)] == [("earn:a", 100), ("milestone:7", 0)]
