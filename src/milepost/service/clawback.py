"""Clawback, the firing pipeline's last stage (service/pipeline.py): when an order stops
counting (fully refunded or cancelled), the milestones it caused under a program with a
clawback policy, within the policy's days, give their credit and points back and lose
their unused codes.

Each reversal points to the original (its firing, and the key `clawback:<original key>`,
so it is written once); the firing is marked clawed back, never deleted. A reversal that
would take a ledger below zero, where the store does not allow it, takes back down to
zero: the rest is the customer's debt, kept on the firing and told to an admin alert.

Subscribed webhook endpoints are told in the same transaction, keyed
`clawback:<the firing's key>:<type>:<endpoint>`: `reward.clawed_back` per milestone that
gave something back, left a debt or lost a code (the store's checkout must stop honouring
a voided code), and `alert.created` per debt alert, as for an alert action's alerts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from milepost.domain.clawback import reverse, within
from milepost.domain.ids import format_id
from milepost.domain.records import Store
from milepost.formatting import store_money
from milepost.service.effects import milestone_data, subscribers
from milepost.service.internal_events import emit
from milepost.service.ledger import book
from milepost.service.ports import POINTS_UNIT, BatchTx, BatchWrite, ClawableFiring, Entry, LedgerRow

CLAWBACK = "clawback"


#: what a customer holds, by (customer, currency; None for points)
Balances = dict[tuple[int, str | None], int]


@dataclass(slots=True)
class _Reversal:
    """What the clawback of one firing did: what it took back (each in the shape of a
    `customer.rewarded` reward), what it could not (the debt), the codes it voided."""

    firing: ClawableFiring
    taken: list[dict[str, Any]] = field(default_factory=list)
    debt: dict[str, int] = field(default_factory=dict)  # {"credit": minor units, "points": n}, only what is owed
    codes: list[str] = field(default_factory=list)


def claw_back(
    tx: BatchTx,
    store: Store,
    batch: BatchWrite,
    stopped: dict[tuple[int, str], datetime],
    names: dict[int, str],
) -> None:
    """Append to `batch` the clawbacks of the orders that stopped counting, `stopped`
    (customer id, order id) with when they stopped (event time); `names` gives the
    customers' external ids. A firing is inside its policy's days when its order stopped
    counting within them of when it counted."""
    firings = sorted(
        (
            f
            for f in tx.clawable_firings(set(stopped))
            if within(f.counted_at, f.clawback_days, stopped[(f.customer_id, f.order_id)])
        ),
        key=lambda f: f.id,
    )
    if not firings:
        return
    credit, points = tx.clawback_entries({f.customer_id for f in firings})
    codes = defaultdict(list)
    for code_id, firing_id, code in tx.unused_codes(f.id for f in firings):
        codes[firing_id].append((code_id, code))
    credit_balance = _balances(credit, ((r.customer_id, r.unit, r.amount) for r in batch.ledger if not r.is_points))
    points_balance = _balances(points, ((r.customer_id, None, r.amount) for r in batch.ledger if r.is_points))
    reversals = []
    for f in firings:
        done = _Reversal(f)
        _reverse(batch, store, credit, credit_balance, done, "credit")
        _reverse(batch, store, points, points_balance, done, "points")
        batch.voided_codes.extend((cid, _note(f)) for cid, _ in codes[f.id])
        done.codes = [code for _, code in codes[f.id]]
        batch.clawbacks.append((f.id, orjson.dumps(done.debt).decode() if done.debt else None))
        reversals.append(done)
    alerts = _debt_alerts(tx, store, batch, reversals, names)
    _tell_endpoints(tx, store, batch, reversals, alerts)


def _debt_alerts(
    tx: BatchTx,
    store: Store,
    batch: BatchWrite,
    reversals: list[_Reversal],
    names: dict[int, str],
) -> dict[int, dict[str, str | None]]:
    """An admin alert per firing that left a debt; each alert by its firing's id."""
    debts = [(r.firing, r.debt) for r in reversals if r.debt]
    # on SQLite, ids are handed out from the table: skip those the batch's own alerts hold
    held = {a[0] for a in batch.alerts}
    alert_ids = [i for i in tx.next_ids("alerts", len(debts) + len(held)) if i not in held][: len(debts)]
    alerts: dict[int, dict[str, str | None]] = {}
    for alert_id, (f, debt) in zip(alert_ids, debts, strict=True):
        message = _message(store, f, names.get(f.customer_id, ""), debt)
        batch.alerts.append((alert_id, f.customer_id, f.id, message, None))
        alerts[f.id] = {"id": format_id("alert", alert_id), "message": message, "assignee": None}
    return alerts


def _tell_endpoints(
    tx: BatchTx,
    store: Store,
    batch: BatchWrite,
    reversals: list[_Reversal],
    alerts: dict[int, dict[str, str | None]],
) -> None:
    """`reward.clawed_back` and `alert.created` to the endpoints subscribed to them."""
    wanted = subscribers(tx.subscriptions(store.id))
    told = [
        r
        for r in reversals
        if (wanted["reward.clawed_back"] and (r.taken or r.debt or r.codes))
        or (wanted["alert.created"] and r.firing.id in alerts)
    ]
    if not told:
        return
    fired = {m.firing_id: m for m in tx.fired_milestones([r.firing.id for r in told])}
    for r in told:
        f = r.firing
        m = fired[f.id]
        data, who = milestone_data(store.key, m), (f.customer_id, f.id)
        key = f"{CLAWBACK}:milestone:{m.rule_id}:{f.customer_id}:{m.occurrence}"
        if r.taken or r.debt or r.codes:
            clawed = {"taken_back": r.taken, "debt": _debt(store, r.debt), "voided_codes": r.codes}
            emit(batch, wanted, "reward.clawed_back", key, who, {**data, **clawed})
        if f.id in alerts:
            emit(batch, wanted, "alert.created", key, who, {**data, "alert": alerts[f.id]})


def _balances(stored: list[Entry], pending: Iterable[tuple[int, str | None, int]]) -> Balances:
    """Each (customer, currency) balance: the stored entries and the batch's own."""
    found: dict[tuple[int, str | None], int] = defaultdict(int)
    for e in stored:
        found[(e.customer_id, e.currency)] += e.amount
    for customer_id, currency, amount in pending:
        found[(customer_id, currency)] += amount
    return found


def _given(entries: list[Entry], f: ClawableFiring) -> list[Entry]:
    return [e for e in entries if e.firing_id == f.id and e.reason == "milestone" and e.amount > 0]


def _note(f: ClawableFiring) -> str:
    return f"clawed back: order {f.order_id} refunded"


def _reverse(batch: BatchWrite, store: Store, entries: list[Entry], held: Balances, done: _Reversal, kind: str) -> None:
    """Take back what the firing of `done` gave of `kind` ("credit" or "points"), down to
    zero unless the store allows a negative balance of it; what is left is the customer's debt."""
    f = done.firing
    points = kind == "points"
    allow_negative = book(kind).allows_negative(store)
    for e in _given(entries, f):
        key = (f.customer_id, None if points else e.currency)
        taken, short = reverse(e.amount, held[key], allow_negative)
        held[key] -= taken
        if short:
            done.debt[kind] = done.debt.get(kind, 0) + short
        if taken:
            unit, row_key = POINTS_UNIT if points else e.currency or store.currency, f"clawback:{e.idempotency_key}"
            row = LedgerRow(f.customer_id, -taken, unit, CLAWBACK, row_key, f.id, f.order_id, _note(f))
            batch.ledger.append(row)
            given = {"points": taken} if points else {"amount": taken, "currency": unit}
            done.taken.append({"type": kind, **given})


def _debt(store: Store, debt: dict[str, int]) -> list[dict[str, Any]]:
    """The debt in the shape of rewards: what the customer still owes."""
    owed: list[dict[str, Any]] = []
    if debt.get("credit"):
        owed.append({"type": "credit", "amount": debt["credit"], "currency": store.currency})
    if debt.get("points"):
        owed.append({"type": "points", "points": debt["points"]})
    return owed


def _message(store: Store, f: ClawableFiring, customer: str, debt: dict[str, int]) -> str:
    owed = []
    if debt.get("credit"):
        owed.append(f"{store_money(store, debt['credit'])} of credit")
    if debt.get("points"):
        owed.append(f"{debt['points']} points")
    return (
        f"Clawback short for customer {customer}: order {f.order_id} was refunded, but "
        f"{' and '.join(owed)} of milestone {f.rule_name!r} ({format_id('milestone', f.id)}) could not be taken back "
        "without a negative balance; recorded as a debt"
    )
