"""Order count events (milestone rules): create, edit, switch on and off, delete.

Arming a rule (creating it active, switching it on, changing its count)
excludes every customer already at or past the count, in the same
transaction, under the store's exclusive lock: rules are never retroactive.
Exclusions last as long as the count does: a customer excluded once never
gets the event, even after a refund takes them below the count and the
event is switched off and on. A new count starts afresh (`arm_seq`), so
customers who cross the new count after the edit get it.

An edit takes only the fields it is given: `UNSET` (the default) leaves a field as it
is, and None removes what may be removed (`CLEARABLE`: the window's bounds and the
clawback policy). An edit that puts the program back inside its window (extending or
removing the end of one that ended, moving or removing the start of one that has not
started) arms it like switching it back on: not retroactive either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Final, Required, TypedDict

from milepost.domain.ids import format_id, rule_kind
from milepost.domain.journeys import parse_steps
from milepost.domain.rules import MAX_INACTIVE_DAYS, Rule
from milepost.errors import NotFound, ValidationError
from milepost.service.ports import RulesTx, Storage, UrlCheck
from milepost.service.program_fields import MAX_CLAWBACK_DAYS as MAX_CLAWBACK_DAYS  # the HTTP API reads it here
from milepost.service.program_fields import (
    active_window,
    checked_fields,
    clawback_policy,
    definition,
    noun,
    repeat_every,
)


class Unset(Enum):
    """The type of `UNSET`: what an edit is not given stays as it is."""

    UNSET = "unset"


UNSET: Final = Unset.UNSET
#: the fields an edit may set to None: no start, no end, no clawback (keep the rewards)
CLEARABLE = frozenset({"starts_at", "ends_at", "clawback_days"})


@dataclass(frozen=True, slots=True)
class RuleDetails:
    rule: Rule
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    excluded: int = 0  # customers excluded when the rule was last armed by this call


def _arm(
    tx: RulesTx, store_id: int, rule_id: int, arm_seq: int, kind: str, metric: str, threshold: int, now: datetime
) -> int:
    """Exclude who may not get the rule as armed now: customers at or past its threshold,
    or for an inactivity program the lapse each customer is already past its days in."""
    if kind == "inactivity":
        return tx.exclude_lapsed(store_id, rule_id, arm_seq, threshold, now)
    return tx.exclude_customers_at_or_past(store_id, rule_id, arm_seq, metric, threshold)


def _inside(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> bool:
    """`now` is inside the window [starts_at, ends_at)."""
    return (starts_at is None or starts_at <= now) and (ends_at is None or now < ends_at)


def _given(changes: dict[str, Any]) -> dict[str, Any]:
    """The fields an edit gives (not `UNSET`); None only for what may be removed."""
    given = {k: v for k, v in changes.items() if v is not UNSET}
    for field, value in given.items():
        if value is None and field not in CLEARABLE:
            raise ValidationError(f"{field} cannot be removed: leave it out to keep it", {field: "cannot be removed"})
    return given


class NewRule(TypedDict, total=False):
    """What `create_rule` is given; what is left out is None, except `active` (True) and
    `kind` ("order_count")."""

    name: Required[str]
    threshold: Required[int]
    actions: Required[list[dict[str, Any]]]
    conditions: list[dict[str, Any]] | None
    active: bool
    kind: str
    metric: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    every: int | None
    steps: list[dict[str, Any]] | None
    clawback_days: int | None


def create_rule(db: Storage, now: datetime, store_id: int, new: NewRule, *, check_url: UrlCheck) -> RuleDetails:
    """A new rule: an order count event, or a milestone program on any metric with an
    optional active window [starts_at, ends_at); a repeating program fires again at
    threshold + every, + 2 * every, ... Customers at or past the threshold now never
    get it (not retroactive; for a repeating program, no mark they have passed)."""
    name, threshold, actions, conditions = new["name"], new["threshold"], new["actions"], new.get("conditions")
    active, kind = new.get("active", True), new.get("kind", "order_count")
    metric, steps = new.get("metric"), new.get("steps")
    starts_at, ends_at = active_window(new.get("starts_at"), new.get("ends_at"))
    journey = parse_steps(steps) if kind == "journey" else ()
    if kind == "inactivity" and isinstance(threshold, int) and threshold > MAX_INACTIVE_DAYS:
        reason = f"must be at most {MAX_INACTIVE_DAYS} days"
        raise ValidationError(f"threshold {reason}", {"threshold": reason})
    if journey:  # a journey's metric is its first step's; it is done after its last
        metric, threshold = journey[0].metric, len(journey)
    elif steps is not None:
        raise ValidationError("only journeys have steps", {"steps": "not for this kind"})
    with db.write() as tx:
        values = checked_fields(tx, store_id, name, threshold, actions, conditions, kind, now, check_url, metric)
        if journey:
            values["steps"] = json.dumps([s.as_dict() for s in journey])
        values.update(store_id=store_id, active=active, version=1, arm_seq=1, created_at=now, updated_at=now)
        values.update(starts_at=starts_at, ends_at=ends_at)
        values["repeat_every"] = repeat_every(new.get("every"), kind, values["metric"])
        values["clawback_days"] = clawback_policy(new.get("clawback_days"))
        rule_id = tx.insert_rule(values)
        tx.insert_rule_version(rule_id, 1, definition(values), now)
        if journey:
            # not retroactive: what customers have of the first step's metric now does not count
            excluded = tx.start_journey(store_id, rule_id, journey[0].metric)
        elif active:
            excluded = _arm(tx, store_id, rule_id, 1, kind, values["metric"], values["threshold"], now)
        else:
            excluded = 0
        return _details(tx, tx.rule_row(store_id, rule_id), excluded)


def update_rule(
    db: Storage,
    now: datetime,
    store_id: int,
    rule_id: int,
    check_url: UrlCheck,
    kind: str | None = "order_count",
    **changes: Any,
) -> RuleDetails:
    """Edit a rule with the fields given (`UNSET` ones stay; None removes a `CLEARABLE` one).
    Only future crossings see the edit: nothing fires at the edit itself. A changed
    threshold, a switch back on or a window that opens again re-arms the rule against the
    customers of today: those at or past the threshold never get it; those below it get
    it when they cross it, unless they got it before (at most once per customer, ever)."""
    changes = _given(changes)
    with db.write() as tx:
        row = _live_row(tx, store_id, rule_id, kind)
        if row.steps and "threshold" in changes:
            raise ValidationError("a journey's steps are fixed: create another journey", {"threshold": "fixed"})
        current = {
            "name": row.name,
            "threshold": row.threshold,
            "actions": json.loads(row.actions),
            "conditions": json.loads(row.conditions),
        }
        merged = {**current, **{k: v for k, v in changes.items() if k in current}}
        values = checked_fields(
            tx,
            store_id,
            merged["name"],
            merged["threshold"],
            merged["actions"],
            merged["conditions"],
            row.kind,
            now,
            check_url,
            row.metric,
        )
        active = bool(changes.get("active", row.active))
        values["active"] = active
        window = active_window(changes.get("starts_at", row.starts_at), changes.get("ends_at", row.ends_at))
        values["starts_at"], values["ends_at"] = window
        keep = "clawback_days" not in changes  # 0 or None switches a clawback policy off
        values["clawback_days"] = row.clawback_days if keep else clawback_policy(changes["clawback_days"])
        same = ("name", "threshold", "conditions", "actions", "active", "starts_at", "ends_at", "clawback_days")
        if all(values[k] == getattr(row, k) for k in same):
            return _details(tx, row)
        # A new count starts a new set of exclusions; switching back on (or opening the
        # window again) adds the customers at or past the count now to the current set.
        new_count = values["threshold"] != row.threshold
        reopened = not _inside(row.starts_at, row.ends_at, now) and _inside(*window, now)
        arm_seq = row.arm_seq + 1 if new_count else row.arm_seq
        version = row.version + 1
        tx.update_rule(rule_id, {**values, "version": version, "arm_seq": arm_seq, "updated_at": now})
        tx.insert_rule_version(rule_id, version, definition({**values, "kind": row.kind}), now)
        excluded = 0
        if active and (new_count or not row.active or reopened) and not row.steps:
            excluded = _arm(tx, store_id, rule_id, arm_seq, row.kind, row.metric, values["threshold"], now)
        return _details(tx, tx.rule_row(store_id, rule_id), excluded)


def delete_rule(db: Storage, now: datetime, store_id: int, rule_id: int, kind: str | None = "order_count") -> None:
    """Switch the rule off for good and hide it; its past firings stay in the log."""
    with db.write() as tx:
        _live_row(tx, store_id, rule_id, kind)
        tx.lock_store(store_id, exclusive=True)
        tx.update_rule(rule_id, {"active": False, "deleted_at": now, "updated_at": now})


def get_rule(db: Storage, store_id: int, rule_id: int, kind: str | None = "order_count") -> RuleDetails:
    """One rule; `kind` None finds a rule of any kind (every rule is a milestone program)."""
    with db.read() as tx:
        row = tx.rule_row(store_id, rule_id)
        if row is None or (kind is not None and row.kind != kind):
            raise NotFound(
                f"no {noun(kind or 'program')} {format_id(rule_kind(kind or 'program'), rule_id)} in this store"
            )
        return _details(tx, row)


def list_rules(
    db: Storage,
    store_id: int,
    include_deleted: bool = False,
    after: tuple[int, int] | None = None,
    limit: int | None = None,
    kind: str | None = "order_count",
) -> list[RuleDetails]:
    """By threshold, then id; `after` (the last (threshold, id) seen) and `limit` give one
    page; `kind` None lists every kind."""
    with db.read() as tx:
        return [_details(tx, row) for row in tx.rule_rows(store_id, include_deleted, after, limit, kind)]


def _live_row(tx: RulesTx, store_id: int, rule_id: int, kind: str | None = "order_count") -> Any:
    row = tx.rule_row(store_id, rule_id)
    if row is None or row.deleted_at is not None or (kind is not None and row.kind != kind):
        raise NotFound(f"no {noun(kind or 'program')} {format_id(rule_kind(kind or 'program'), rule_id)} in this store")
    return row


def _details(tx: RulesTx, row: Any, excluded: int = 0) -> RuleDetails:
    return RuleDetails(tx.rule_of(row), row.created_at, row.updated_at, row.deleted_at, excluded)
