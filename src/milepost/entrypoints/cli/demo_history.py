"""Six months of a demo store's traffic: dozens of customers joining over time, their
orders, reviews, referrals and subscription renewals, from a fixed seed (the same
history on every machine) at times relative to now. `replay` ingests it day by day
with the clock at each day, as real traffic would have come, so milestones, rewards
and inactivity lapses fall on the days they happened."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from milepost.bootstrap import Milepost

SEED = 2112
DAYS = 180
SWEEP_DAYS = 3  # the replay sweeps for inactivity this often (sweeps are much of its time)
DAILY_DAYS = 35  # the replay ingests these last days one by one, the weeks before a week at a time
FIRST = ("Amara", "Bruno", "Chen", "Dara", "Elif", "Farid", "Gita", "Hugo", "Ines", "Jonas", "Keiko", "Luca")
LAST = ("Okafor", "Silva", "Wei", "Novak", "Yilmaz", "Haddad", "Rao", "Berg")


@dataclass(frozen=True)
class Habit:
    """How a kind of customer shops: days between orders, and for how long."""

    gap: tuple[int, int]  # days between two orders, from..to
    stays: tuple[int, int]  # days from the first order to the last, from..to
    share: float  # of the customers


HABITS = (
    Habit((4, 9), (120, 180), 0.15),  # the loyal: an order a week
    Habit((10, 24), (60, 180), 0.35),  # regulars
    Habit((25, 50), (30, 180), 0.25),  # occasional
    Habit((8, 15), (20, 45), 0.15),  # came, bought, went quiet: inactivity catches them
    Habit((1, 1), (0, 0), 0.10),  # one order only
)


def history(start: datetime, customers: int = 60) -> list[dict[str, Any]]:
    """The events of `customers` customers from `start` on, by time; none after `start` + DAYS."""
    rng, end = random.Random(SEED), start + timedelta(days=DAYS)
    events = [e for n in range(customers) for e in _customer(rng, n, start)]
    return sorted((e for e in events if e["occurred_at"] < end), key=lambda e: (e["occurred_at"], e["id"]))


def _customer(rng: random.Random, n: int, start: datetime) -> Iterator[dict[str, Any]]:
    cid, name = f"c{n + 1:03d}", f"{FIRST[n % len(FIRST)]} {LAST[(n * 5 + n // len(FIRST)) % len(LAST)]}"
    habit = rng.choices(HABITS, weights=[h.share for h in HABITS])[0]
    joined = start + timedelta(days=rng.uniform(0, DAYS - 20), hours=rng.uniform(13, 23))
    at = _stamper(cid)
    yield at(
        joined,
        "created",
        type="customer.created",
        name=name,
        email=f"{cid}@example.com",
        attributes={"account_manager": "admin@demo.example"},
        email_consent=rng.random() < 0.75,
        sms_consent=rng.random() < 0.3,
    )
    yield from _orders(
        rng, cid, joined + timedelta(minutes=20), joined + timedelta(days=rng.uniform(*habit.stays)), habit
    )
    if rng.random() < 0.25:  # a subscription, renewed every 30 days since joining
        for cycle in range(1, DAYS // 30 + 1):
            yield at(
                joined + timedelta(days=30 * cycle),
                f"in{cycle}",
                type="subscription.renewed",
                subscription_id=f"{cid}-sub",
                invoice_id=f"{cid}-in{cycle}",
                total=1500,
                currency="USD",
            )


def _orders(rng: random.Random, cid: str, when: datetime, last: datetime, habit: Habit) -> Iterator[dict[str, Any]]:
    """Customer `cid`'s orders from `when` to `last`, and the reviews, referrals and refunds they bring."""
    at = _stamper(cid)
    order = 0
    while order == 0 or when <= last:
        order += 1
        oid = f"{cid}-o{order}"
        yield at(
            when, f"o{order}-paid", type="order.paid", order_id=oid, total=rng.randrange(1500, 9000, 50), currency="USD"
        )
        if rng.random() < 0.03:  # a few orders come back in full
            yield at(when + timedelta(days=2), f"o{order}-refunded", type="order.refunded", order_id=oid)
        if rng.random() < 0.3:
            yield at(
                when + timedelta(days=rng.uniform(3, 8)),
                f"r{order}",
                type="review.created",
                review_id=f"{cid}-r{order}",
                product_id=f"p-{rng.randrange(1, 40)}",
                rating=rng.randint(3, 5),
            )
        if rng.random() < 0.12:
            friend = f"{cid}-friend{order}"
            yield at(
                when + timedelta(days=rng.uniform(1, 10)),
                f"ref{order}",
                type="referral.completed",
                referral_id=f"ref-{friend}",
                referred_customer_id=friend,
            )
        when += timedelta(days=rng.uniform(*habit.gap), hours=rng.uniform(-3, 3))


def _stamper(cid: str) -> Callable[..., dict[str, Any]]:
    def at(moment: datetime, suffix: str, **fields: Any) -> dict[str, Any]:
        return {"id": f"{cid}-{suffix}", "customer_id": cid, "occurred_at": moment, **fields}

    return at


@dataclass
class Replayed:
    accepted: int = 0
    milestones: int = 0


def replay(mp: Milepost, store: str, events: list[dict[str, Any]], until: datetime) -> Replayed:
    """Ingest `events` in batches with the clock at each batch's last event, and sweep for
    inactivity every `SWEEP_DAYS` days, as the workers would have (hourly, they would be a
    little earlier). A batch is a day in the last `DAILY_DAYS` (what the dashboard charts),
    a week before; the clock is restored."""
    real, done = mp.clock, Replayed()
    batches: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        day = (event["occurred_at"] - events[0]["occurred_at"]).days
        daily = event["occurred_at"] > until - timedelta(days=DAILY_DAYS)
        batches.setdefault(day if daily else day - day % 7, []).append(event)
    swept_at = -SWEEP_DAYS
    try:
        for day, batch in batches.items():
            moment = min(batch[-1]["occurred_at"] + timedelta(minutes=5), until)
            mp.clock = lambda moment=moment: moment  # type: ignore[misc]
            result = mp.ingest(store, [{**e, "occurred_at": e["occurred_at"].isoformat()} for e in batch])
            done.accepted += result.accepted
            done.milestones += len(result.firings)
            if day - swept_at >= SWEEP_DAYS or day == max(batches):
                done.milestones += mp.sweeps.inactivity([store]).fired
                swept_at = day
    finally:
        mp.clock = real
    return done
