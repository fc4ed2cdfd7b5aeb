"""Stateful property test of milestone programs: random sequences of orders, refunds,
reviews, referrals, renewals, program creations and edits, and clock jumps, on every
backend. After every step the engine must keep the invariants of the issue:

- at most one firing per (program, customer);
- ledger balances equal the sum of their entries;
- nothing fires outside a program's active window, or while it is off;
- nothing fires for a customer who was at or past the threshold when the program
  was armed (created, switched on, threshold changed);
- a firing is a crossing: the customer's value went from below the threshold to at or
  past it with the event that fired it;
- each metric equals an independent count (distinct items, distinct counted orders);
- clawback: exactly the firings of programs with a clawback policy whose order was
  fully refunded within the policy's days are taken back, once, never below zero;
- points expire once per lot, and a sweep leaves nothing due.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from milepost.domain.due import lapse_of
from milepost.errors import InsufficientBalance, NotFound

CUSTOMERS = ("c0", "c1", "c2")
ACTIVITIES = {
    "review_count": ("review.created", "review_id"),
    "referral_count": ("referral.completed", "referral_id"),
    "billing_cycles": ("subscription.renewed", "invoice_id"),
}
METRICS = ("order_count", "amount_spent", *ACTIVITIES)
THRESHOLDS = {"order_count": (1, 3), "amount_spent": (1500, 4000), **{m: (1, 3) for m in ACTIVITIES}}
ORDER_TOTAL = 1000


@dataclass
class ModelProgram:
    id: int
    metric: str
    threshold: int
    active: bool
    starts_at: Any
    ends_at: Any
    every: int | None = None
    clawback_days: int | None = None
    arm: int = 1
    excluded: dict[int, dict[str, int]] = field(default_factory=dict)  # arm -> customers at or past it, value

    def mark(self, occurrence: int) -> int:
        return self.threshold + (occurrence - 1) * (self.every or 0)

    def live(self, now: Any) -> bool:
        return (
            self.active
            and (self.starts_at is None or now >= self.starts_at)
            and (self.ends_at is None or now < self.ends_at)
        )


class Programs(RuleBasedStateMachine):
    def __init__(self, mp: Any, clock: Any) -> None:
        super().__init__()
        self.mp, self.clock = mp, clock
        self.store = f"p-{uuid.uuid4().hex[:10]}"
        # 1 point per dollar, points that expire after 2 days
        mp.stores.create(self.store, "Property store", currency="USD", points_per_unit=1, points_expire_days=2)
        self.items: dict[tuple[str, str], str] = {}  # (metric, item) -> owner
        self.orders: dict[str, tuple[str, bool]] = {}  # order -> (customer, refunded)
        self.programs: list[ModelProgram] = []
        self.fired: set[tuple[int, str, int]] = set()  # (program, customer, occurrence)
        self.last_order: dict[str, Any] = {}  # customer -> when their last counted order counted
        self.quiet: dict[int, tuple[int, dict[str, int]]] = {}  # inactivity program -> (days, excluded lapses)
        # journey -> (steps, customer -> (steps done, baseline of the current step's metric))
        self.journeys: dict[int, tuple[list[str], dict[str, tuple[int, int]]]] = {}
        # firing id -> (order, fired at, days) of firings a refund of their order may take back
        self.clawable: dict[int, tuple[str, Any, int]] = {}
        self.clawed: set[int] = set()
        self.firing_owner: dict[int, str] = {}

    # -- the model's metrics ------------------------------------------------------------------

    def value(self, customer: str, metric: str) -> int:
        if metric in ACTIVITIES:
            return sum(1 for (m, _), owner in self.items.items() if m == metric and owner == customer)
        counted = [o for o, (c, refunded) in self.orders.items() if c == customer and not refunded]
        return len(counted) if metric == "order_count" else ORDER_TOTAL * len(counted)

    def arm(self, program: ModelProgram) -> None:
        excluded = program.excluded.setdefault(program.arm, {})
        for c in CUSTOMERS:
            value = self.value(c, program.metric)
            if value >= program.threshold:
                excluded[c] = max(excluded.get(c, 0), value)

    # -- steps ----------------------------------------------------------------------------------

    @initialize(metric=st.sampled_from(METRICS), active=st.booleans())
    def first_program(self, metric: str, active: bool) -> None:
        self.create_program(metric, 0, active, "none")

    @initialize(quiet=st.booleans())
    def first_order(self, quiet: bool) -> None:
        self.order_paid("c0", 0)
        if quiet:  # c0 goes quiet, then an inactivity program starts: not for c0's lapse
            self.create_inactivity(1, 72)
            self.sweep()

    @rule(
        metric=st.sampled_from(METRICS),
        pick=st.integers(0, 1),
        active=st.booleans(),
        window=st.sampled_from(["none", "future", "open", "ended"]),
        repeat=st.booleans(),
        clawback=st.sampled_from([None, 1]),
    )
    def create_program(
        self, metric: str, pick: int, active: bool, window: str, repeat: bool = False, clawback: int | None = None
    ) -> None:
        now = self.clock()
        starts, ends = {
            "none": (None, None),
            "future": (now + timedelta(hours=2), now + timedelta(hours=30)),
            "open": (now - timedelta(hours=1), now + timedelta(hours=5)),
            "ended": (now - timedelta(hours=10), now - timedelta(hours=1)),
        }[window]
        threshold = THRESHOLDS[metric][pick]
        details = self.mp.programs.create(
            self.store,
            name=f"{metric} {threshold}",
            metric=metric,
            threshold=threshold,
            actions=[{"type": "credit", "amount": 100}],
            active=active,
            starts_at=starts,
            ends_at=ends,
            every=threshold if repeat else None,
            clawback_days=clawback,
        )
        program = ModelProgram(
            details.rule.id, metric, threshold, active, starts, ends, threshold if repeat else None, clawback
        )
        if active:
            self.arm(program)
        self.programs.append(program)

    @precondition(lambda self: self.programs)
    @rule(data=st.data(), change=st.sampled_from(["threshold", "toggle", "extend", "rename"]))
    def edit_program(self, data: st.DataObject, change: str) -> None:
        program = data.draw(st.sampled_from(self.programs))
        if change == "threshold":
            threshold = data.draw(st.integers(1, THRESHOLDS[program.metric][1] + 1))
            self.mp.programs.update(self.store, program.id, threshold=threshold)
            if threshold != program.threshold:
                program.threshold, program.arm = threshold, program.arm + 1
                if program.active:
                    self.arm(program)
        elif change == "toggle":
            self.mp.programs.update(self.store, program.id, active=not program.active)
            program.active = not program.active
            if program.active:
                self.arm(program)
        elif change == "extend" and program.ends_at is not None:
            program.ends_at += timedelta(hours=24)
            self.mp.programs.update(self.store, program.id, ends_at=program.ends_at)
        else:
            self.mp.programs.update(self.store, program.id, name=f"renamed {uuid.uuid4().hex[:4]}")

    @rule(customer=st.sampled_from(CUSTOMERS), metric=st.sampled_from(tuple(ACTIVITIES)), item=st.integers(0, 5))
    def activity(self, customer: str, metric: str, item: int) -> None:
        kind, field_name = ACTIVITIES[metric]
        raw = {"id": uuid.uuid4().hex, "type": kind, "customer_id": customer, field_name: f"{metric}-{item}"}
        owner = self.items.get((metric, raw[field_name]))

        def update() -> None:
            if owner is None:
                self.items[(metric, raw[field_name])] = customer

        self.ingest(raw, customer, metric if owner is None else None, update, rejected=owner not in (None, customer))

    @rule(customer=st.sampled_from(CUSTOMERS), order=st.integers(0, 4))
    def order_paid(self, customer: str, order: int) -> None:
        order_id = f"{customer}-o{order}"
        raw = {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": customer, "order_id": order_id}
        raw.update(total=ORDER_TOTAL, currency="USD")
        new = order_id not in self.orders

        def update() -> None:
            if new:
                self.orders[order_id] = (customer, False)
                self.last_order[customer] = self.clock()

        self.ingest(raw, customer, "orders" if new else None, update)

    @precondition(lambda self: any(not refunded for _, refunded in self.orders.values()))
    @rule(data=st.data(), crossing=st.booleans())
    def order_refunded(self, data: st.DataObject, crossing: bool) -> None:
        """Refund an order in full: often one that crossed a program with a clawback policy."""
        live = sorted(o for o, (_, r) in self.orders.items() if not r)
        crossed = sorted({order for order, _, _ in self.clawable.values()} & set(live))
        order_id = data.draw(st.sampled_from(crossed if crossing and crossed else live))
        customer = self.orders[order_id][0]
        raw = {"id": uuid.uuid4().hex, "type": "order.refunded", "customer_id": customer, "order_id": order_id}
        self.ingest(raw, customer, None, lambda: self.orders.__setitem__(order_id, (customer, True)))
        now = self.clock()
        due = {f for f, (order, at, days) in self.clawable.items() if order == order_id and now - at <= timedelta(days)}
        event("refund: clawed back" if due else "refund: nothing to take back")
        self.clawed |= due
        for f in [f for f, (order, _, _) in self.clawable.items() if order == order_id]:
            del self.clawable[f]  # its order stopped counting for good: never again
        taken = {e.firing_id for e in self.mp.customers.get(self.store, customer).ledger if e.reason == "clawback"}
        mine = {f for f in self.clawed if f in self.firing_owner and self.firing_owner[f] == customer}
        assert taken == mine, f"clawed back {taken}, the model expected {mine}"

    @rule(customer=st.sampled_from(CUSTOMERS), amount=st.sampled_from([50, 100, 250]))
    def spend_credit(self, customer: str, amount: int) -> None:
        try:
            have = self.mp.customers.get(self.store, customer).balances.get("USD", 0)
        except NotFound:
            return
        if have >= amount:
            self.mp.ledgers.spend(self.store, customer, amount, unit="credit", key=uuid.uuid4().hex)
        else:
            with pytest.raises(InsufficientBalance):
                self.mp.ledgers.spend(self.store, customer, amount, unit="credit", key=uuid.uuid4().hex)

    @rule()
    def expire_points(self) -> None:
        event("points expired" if self.mp.sweeps.points_expiry([self.store]).points else "no points expired")
        now = self.clock()
        for customer in CUSTOMERS:
            try:
                report = self.mp.customers.get(self.store, customer)
            except NotFound:
                continue
            left = self.mp.ledgers.expiring(self.store, customer)
            assert all(lot.expires_at > now for lot in left), "a sweep left a lot due"
            assert sum(lot.points for lot in left) == max(report.points_balance, 0)

    @rule(steps=st.lists(st.sampled_from(["order_count", *ACTIVITIES]), min_size=2, max_size=3))
    def create_journey(self, steps: list[str]) -> None:
        details = self.mp.programs.create_journey(
            self.store,
            name="journey",
            steps=[{"metric": m} for m in steps],
            actions=[{"type": "credit", "amount": 100}],
        )
        # the first step counts from what each customer has now
        self.journeys[details.rule.id] = (steps, {c: (0, self.value(c, steps[0])) for c in CUSTOMERS})

    def journeys_after(self, customer: str) -> set[int]:
        """Move the customer along each journey after an event (one step at most); the
        journeys they finished with it."""
        finished = set()
        for journey, (steps, progress) in self.journeys.items():
            done, baseline = progress[customer]
            if done == len(steps) or self.value(customer, steps[done]) < baseline + 1:
                continue
            done += 1
            progress[customer] = (done, 0 if done == len(steps) else self.value(customer, steps[done]))
            if done == len(steps):
                finished.add(journey)
        return finished

    @rule(days=st.integers(1, 2), wait=st.sampled_from([0, 72]))
    def create_inactivity(self, days: int, wait: int) -> None:
        self.clock.advance(hours=wait)  # often after customers went quiet: not retroactive for them
        details = self.mp.programs.create_inactivity(
            self.store, name=f"{days} days quiet", days=days, actions=[{"type": "credit", "amount": 100}]
        )
        now = self.clock()
        excluded = {c: lapse_of(last) for c, last in self.last_order.items() if now - last >= timedelta(days=days)}
        self.quiet[details.rule.id] = (days, excluded)

    @rule()
    def sweep(self) -> None:
        self.mp.sweeps.inactivity([self.store])
        now = self.clock()
        for customer in CUSTOMERS:
            try:
                report = self.mp.customers.get(self.store, customer)
            except Exception:
                continue
            got = {(m.rule_id, customer, m.occurrence) for m in report.milestones if m.rule_id in self.quiet}
            for key in got - self.fired:
                program, _, lapse = key
                days, excluded = self.quiet[program]
                last = self.last_order.get(customer)
                assert last is not None and lapse == lapse_of(last), f"{key} fired for a lapse not the current one"
                assert now - last >= timedelta(days=days), f"{key} fired before {days} days"
                assert excluded.get(customer) != lapse, f"{key}: the lapse they were in at creation"
                self.fired.add(key)
            # and nothing due was left out
            for program, (days, excluded) in self.quiet.items():
                last = self.last_order.get(customer)
                if last is None or now - last < timedelta(days=days) or excluded.get(customer) == lapse_of(last):
                    continue
                assert (program, customer, lapse_of(last)) in self.fired, f"{program} did not fire for {customer}"

    @rule(hours=st.sampled_from([1, 3, 12, 48]))
    def clock_jump(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    # -- checks ---------------------------------------------------------------------------------

    def ingest(
        self, raw: dict[str, Any], customer: str, grows: str | None, update: Any, rejected: bool = False
    ) -> None:
        """Ingest one event, then `update` the model with it and check the firings."""
        before = {m: self.value(customer, m) for m in METRICS}
        result = self.mp.ingest(self.store, [raw])
        assert (len(result.rejected) == 1) is rejected, result.rejected
        if rejected:
            return
        update()
        grown = set(METRICS[:2]) if grows == "orders" else {grows}
        now = self.clock()
        finished = self.journeys_after(customer)
        fired_journeys = {f["rule_id"] for f in result.firings if f["rule_id"] in self.journeys}
        assert fired_journeys == finished, f"journeys fired {fired_journeys}, the model finished {finished}"
        for journey in finished:
            self.fired.add((journey, customer, 1))
        for firing in result.firings:
            if firing["rule_id"] in self.journeys:
                continue
            assert firing["rule_id"] not in self.quiet, "an inactivity program fired on an event"
            program = next(p for p in self.programs if p.id == firing["rule_id"])
            occurrence = firing["occurrence"]
            key = (program.id, customer, occurrence)
            assert key not in self.fired, f"{key} fired twice"
            assert program.every is not None or occurrence == 1, key
            assert program.live(now), f"program {program.id} fired while off or outside its window"
            armed_at = program.excluded.get(program.arm, {}).get(customer)
            if program.every is None:
                assert armed_at is None, f"{key} fired though the customer was past it when it was armed"
            else:
                assert armed_at is None or program.mark(occurrence) > armed_at, f"{key}: a mark passed before arming"
            assert program.metric in grown, f"{key} fired on an event that does not grow {program.metric}"
            assert before[program.metric] < program.mark(occurrence) <= firing["value"], (before, firing)
            self.fired.add(key)
            self.firing_owner[firing["firing_id"]] = customer
            if program.clawback_days and firing["order_id"] is not None:
                self.clawable[firing["firing_id"]] = (firing["order_id"], now, program.clawback_days)

    @invariant()
    def metrics_match_the_model(self) -> None:
        for customer in CUSTOMERS:
            try:
                report = self.mp.customers.get(self.store, customer)
            except Exception:  # not created yet
                assert all(self.value(customer, m) == 0 for m in METRICS)
                continue
            engine = {m: getattr(report.aggregates, m) for m in METRICS}
            assert engine == {m: self.value(customer, m) for m in METRICS}, customer
            assert report.balances.get("USD", 0) == sum(e.amount for e in report.ledger)
            assert report.balances.get("USD", 0) >= 0, "credit below zero in a store that does not allow it"
            assert report.points_balance == sum(
                e.points for e in self.mp.ledgers.entries(self.store, customer, unit="points")
            )
            expired = [
                e.idempotency_key
                for e in self.mp.ledgers.entries(self.store, customer, unit="points")
                if e.reason == "expire"
            ]
            assert len(expired) == len(set(expired))
            keys = [(m.rule_id, customer, m.occurrence) for m in report.milestones]
            assert len(keys) == len(set(keys)), f"{customer} got an occurrence of a program twice"
            assert set(keys) == {k for k in self.fired if k[1] == customer}


def test_programs_keep_their_invariants_over_random_sequences(mp, clock):
    run_state_machine_as_test(
        lambda: Programs(mp, clock),
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
