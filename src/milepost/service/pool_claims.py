"""The `pool_code` action in the firing pipeline: each firing takes one code left in the
named pool, in the batch's transaction. A batch holds as many of a pool's codes as its
firings ask for in one query (adapters' `hold_pool_codes`: two batches at once never hold
the same code) and assigns those it gives in one statement, so a day's audience costs two
round trips per pool, not one per customer; a held code no firing took stays in the pool.
A pool with no code left gives nothing: the action is skipped and an admin alert names
the customer (unless the action has an `on_failure` list, which runs instead: the
pipeline rebuilds an automation's firing with `fail_over`, domain/firing.py, and the rest
of its branch takes no code). A pool that falls below its low-stock threshold raises one
alert, when it falls.

What a firing took is handed to the effects step (service/effects.py) by (firing id,
action position): the code and the pool's discount, or None.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

import orjson

from milepost.domain.construct import Decided
from milepost.domain.pools import FreeCode, Pool
from milepost.service.internal_events import raise_alert
from milepost.service.ports import AlertsTx, InternalEventsTx, PoolsTx


class Taken(NamedTuple):
    pool: str  # the pool's key
    code: str | None  # None: the pool had no code left (or no such pool)
    discount: str = ""  # JSON: what the code gives
    expires_at: datetime | None = None  # the code's own expiry


Claims = dict[tuple[int, int], Taken]


class ClaimTx(PoolsTx, AlertsTx, InternalEventsTx, Protocol):
    """The pools, and the alerts an empty or low pool raises."""


def claim_pool_codes(
    tx: ClaimTx, store_id: int, decided: Sequence[Decided], firing_ids: Sequence[int], now: datetime
) -> Claims:
    """One code for each `pool_code` action of the firings, by (firing id, position)."""
    wanted = [
        (d, firing_id, i.position, i.get("pool"))
        for d, firing_id in zip(decided, firing_ids, strict=True)
        for i in d.firing.intents
        if i.type == "pool_code"
    ]
    if not wanted:
        return {}
    before: dict[str, tuple[int, Pool] | None] = {}
    held: dict[str, deque[FreeCode]] = {}
    assigned: list[tuple[int, int, int]] = []  # (pool code id, customer id, firing id)
    claims: Claims = {}
    failed: set[int] = set()  # automations' firings a pool failed: the rest of the branch takes nothing
    for d, firing_id, position, key in wanted:
        if firing_id in failed:
            claims[(firing_id, position)] = Taken(key, None)
            continue
        if key not in before:
            found = tx.pools(store_id, key, now=now)
            before[key] = found[0] if found else None
            asked = sum(1 for w in wanted if w[3] == key)
            held[key] = deque(tx.hold_pool_codes(found[0][0], asked, now) if found else ())
        pool = before[key]
        customer = d.applied.customer
        claimed = held[key].popleft() if held[key] else None
        if claimed is None:
            if d.firing.rule.kind == "automation":
                failed.add(firing_id)
            if not _has_fallback(d, position):  # an on_failure list says it instead
                why = "has no code left" if pool else "does not exist"
                message = f"{customer.external_id} got no code: pool {key!r} {why}"
                customer_ref = (customer.id, customer.external_id)
                raise_alert(tx, store_id, message, now, customer=customer_ref, firing_id=firing_id)
            claims[(firing_id, position)] = Taken(key, None)
            continue
        assigned.append((claimed.id, customer.id, firing_id))
        discount = orjson.dumps(pool[1].discount.as_dict()).decode() if pool else ""
        claims[(firing_id, position)] = Taken(key, claimed.code, discount, claimed.expires_at)
    tx.assign_pool_codes(assigned, now)
    for key, pool in before.items():
        if pool is not None:
            _alert_if_fallen(tx, store_id, key, pool[1], now)
    return claims


def _has_fallback(d: Decided, position: int) -> bool:
    return any(i.position == position and i.type == "pool_code" and i.get("on_failure") for i in d.firing.intents)


def _alert_if_fallen(tx: ClaimTx, store_id: int, key: str, was: Pool, now: datetime) -> None:
    """One alert when the pool falls below its threshold (not one per code taken)."""
    if was.low_threshold is None or was.low:
        return
    (_, now_pool), *_ = tx.pools(store_id, key, now=now)
    if now_pool.low:
        message = f"pool {key!r} is running low: {now_pool.left} code(s) left (threshold {was.low_threshold})"
        raise_alert(tx, store_id, message, now, dedupe_key=f"pool-low:{key}")
