"""Clawback, in the ingest batch: when an order stops counting (fully refunded or
cancelled), the milestones it caused under a program with a clawback policy, within the
policy's days, give their credit and points back and lose their unused codes.

Each reversal points to the original (its firing, and the key `clawback:<original key>`,
so it is written once); the firing is marked clawed back, never deleted. A reversal that
would take a ledger below zero, where the store does not allow it, takes back down to
zero: the rest is the customer's debt, kept on the firing and told to an admin alert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import orjson

from milepost.domain.clawback import reverse, within
from milepost.domain.money import format_money
from milepost.domain.records import Store
from milepost.service.ports import BatchTx, BatchWrite, ClawableFiring, Entry, LedgerRow, PointsRow

CLAWBACK = "clawback"


def claw_back(
    tx: BatchTx, store: Store, batch: BatchWrite, stopped: set[tuple[int, str]], names: dict[int, str], now: datetime
) -> None:
    """Append to `batch` the clawbacks of the orders that stopped counting, `stopped`
    (customer id, order id); `names` gives the customers' external ids."""
    firings = sorted(
        (f for f in tx.clawable_firings(stopped) if within(f.fired_at, f.clawback_days, now)), key=lambda f: f.id
    )
    if not firings:
        return
    credit, points = tx.clawback_entries({f.customer_id for f in firings})
    codes = defaultdict(list)
    for code_id, firing_id, code in tx.unused_codes(f.id for f in firings):
        codes[firing_id].append((code_id, code))
    credit_balance = _balances(credit, ((r.customer_id, r.currency, r.amount) for r in batch.ledger))
    points_balance = _balances(points, ((r.customer_id, None, r.points) for r in batch.points))
    debts = []
    for f in firings:
        debt = _reverse_credit(batch, store, f, credit, credit_balance)
        debt.update(_reverse_points(batch, store, f, points, points_balance))
        batch.voided_codes.extend((cid, f"clawed back: order {f.order_id} refunded") for cid, _ in codes[f.id])
        batch.clawbacks.append((f.id, orjson.dumps(debt).decode() if debt else None))
        if debt:
            debts.append((f, debt))
    # on SQLite, ids are handed out from the table: skip those the batch's own alerts hold
    held = {a[0] for a in batch.alerts}
    alert_ids = [i for i in tx.next_ids("alerts", len(debts) + len(held)) if i not in held][: len(debts)]
    for alert_id, (f, debt) in zip(alert_ids, debts, strict=True):
        batch.alerts.append((alert_id, f.customer_id, f.id, _message(store, f, names.get(f.customer_id, ""), debt)))


def _balances(stored: list[Entry], pending: Iterable[tuple[int, str | None, int]]) -> dict[tuple[int, str | None], int]:
    """Each (customer, currency) balance: the stored entries and the batch's own."""
    found: dict[tuple[int, str | None], int] = defaultdict(int)
    for e in stored:
        found[(e.customer_id, e.currency)] += e.amount
    for customer_id, currency, amount in pending:
        found[(customer_id, currency)] += amount
    return found


def _given(entries: list[Entry], f: ClawableFiring) -> list[Entry]:
    return [e for e in entries if e.firing_id == f.id and e.reason == "milestone" and e.amount > 0]


def _reverse_credit(
    batch: BatchWrite, store: Store, f: ClawableFiring, entries: list[Entry], balances: dict
) -> dict[str, int]:
    debt = 0
    for e in _given(entries, f):
        key = (f.customer_id, e.currency)
        taken, short = reverse(e.amount, balances[key], store.allow_negative_credit)
        balances[key] -= taken
        debt += short
        if taken:
            note = f"clawed back: order {f.order_id} refunded"
            currency, key = e.currency or store.currency, f"clawback:{e.idempotency_key}"
            batch.ledger.append(LedgerRow(f.customer_id, -taken, currency, CLAWBACK, key, f.id, f.order_id, note))
    return {"credit": debt} if debt else {}


def _reverse_points(
    batch: BatchWrite, store: Store, f: ClawableFiring, entries: list[Entry], balances: dict
) -> dict[str, int]:
    debt = 0
    for e in _given(entries, f):
        key = (f.customer_id, None)
        taken, short = reverse(e.amount, balances[key], store.allow_negative_points)
        balances[key] -= taken
        debt += short
        if taken:
            note = f"clawed back: order {f.order_id} refunded"
            batch.points.append(
                PointsRow(f.customer_id, -taken, CLAWBACK, f"clawback:{e.idempotency_key}", f.id, f.order_id, note)
            )
    return {"points": debt} if debt else {}


def _message(store: Store, f: ClawableFiring, customer: str, debt: dict[str, int]) -> str:
    owed = []
    if debt.get("credit"):
        owed.append(f"{format_money(debt['credit'], store.currency)} of credit")
    if debt.get("points"):
        owed.append(f"{debt['points']} points")
    return (
        f"Clawback short for customer {customer}: order {f.order_id} was refunded, but "
        f"{' and '.join(owed)} of milestone {f.rule_name!r} (firing {f.id}) could not be taken back "
        "without a negative balance; recorded as a debt"
    )
