"""What operators read: a customer's report, the milestone log, alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from milepost.domain.delivery import Delivery
from milepost.domain.records import Alert, CustomerLine, CustomerReport, MilestoneReached
from milepost.errors import NotFound
from milepost.service.ports import LedgerTx, ReportsTx, Storage


def customer_report(db: Storage, store_id: int, customer_id: str) -> CustomerReport:
    with db.read() as tx:
        return customer_in(tx, store_id, customer_id)


class CustomerTx(ReportsTx, LedgerTx, Protocol):
    """Reading one customer: their record, tags, codes, milestones and balances."""


def customer_in(tx: CustomerTx, store_id: int, customer_id: str, history: bool = True) -> CustomerReport:
    """The customer as of `tx`; without `history`, no ledger entries, milestones or codes
    (what a message needs: its profile, tags and balances)."""
    found = tx.customer(store_id, customer_id)
    if found is None:
        raise NotFound(f"no customer {customer_id!r} in this store")
    c, created_at = found
    return CustomerReport(
        external_id=c.external_id,
        email=c.email,
        name=c.name,
        email_consent=c.email_consent,
        sms_consent=c.sms_consent,
        attributes=c.attributes,
        aggregates=c.aggregates,
        tags=tuple(tx.customer_tags(c.id)),
        balances=tx.balances(c.id),
        ledger=tuple(tx.ledger_entries(customer_id=c.id)) if history else (),
        milestones=tuple(reversed(tx.milestone_log(store_id, customer_id=c.id, limit=10_000))) if history else (),
        created_at=created_at,
        phone=c.phone,
        points_balance=tx.points_balance(c.id),
        codes=tuple(tx.issued_codes(c.id)) if history else (),
    )


def milestone_log(
    db: Storage,
    store_id: int,
    *,
    customer_id: str | None = None,
    rule_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[MilestoneReached]:
    """Newest first; pass the last id seen as `before_id` for the next page."""
    with db.read() as tx:
        internal = None
        if customer_id is not None:
            found = tx.customer(store_id, customer_id)
            if found is None:
                return []
            internal = found[0].id
        return tx.milestone_log(
            store_id, customer_id=internal, rule_id=rule_id, since=since, until=until, before_id=before_id, limit=limit
        )


def firing_deliveries(db: Storage, store_id: int, firing_ids: list[int]) -> dict[tuple[int, int], Delivery]:
    """The message each queued action of these milestones sent, by (milestone id, action position)."""
    with db.read() as tx:
        return tx.firing_deliveries(store_id, firing_ids)


def alerts(
    db: Storage,
    store_id: int,
    status: str | None = "open",
    limit: int = 100,
    before_id: int | None = None,
    assignee: str | None = None,
) -> list[Alert]:
    """Newest first; pass the last id seen as `before_id` for the next page. Status open,
    acknowledged, resolved, unresolved (open or acknowledged) or None (all); `assignee`: only
    the alerts of the user with this email."""
    with db.read() as tx:
        return tx.alerts(store_id, status, limit, before_id, assignee.lower() if assignee else None)


def acknowledge_alert(db: Storage, now: datetime, store_id: int, alert_id: int, by: str) -> Alert:
    """Mark an open alert handled by `by`; an acknowledged one stays as it was."""
    with db.write() as tx:
        if not tx.alert_exists(store_id, alert_id):
            raise NotFound(f"no alert {alert_id} in this store")
        tx.acknowledge_alert(store_id, alert_id, by, now)
        changed = tx.alert(store_id, alert_id)
    assert changed is not None  # read back in the transaction that changed it
    return changed


def resolve_alert(db: Storage, now: datetime, store_id: int, alert_id: int, by: str) -> Alert:
    """Mark an alert dealt with by `by`; a resolved one stays as it was."""
    with db.write() as tx:
        if not tx.alert_exists(store_id, alert_id):
            raise NotFound(f"no alert {alert_id} in this store")
        tx.resolve_alert(store_id, alert_id, by, now)
        changed = tx.alert(store_id, alert_id)
    assert changed is not None  # read back in the transaction that changed it
    return changed


def customer_lines(
    db: Storage, store_id: int, prefix: str = "", after: str | None = None, limit: int = 50
) -> list[CustomerLine]:
    """Customers by id (those whose id starts with `prefix`); pass the last id seen as
    `after` for the next page."""
    with db.read() as tx:
        return tx.customer_lines(store_id, prefix, after, limit)


def customers_by_email(db: Storage, store_id: int, email: str, limit: int = 50) -> list[CustomerLine]:
    """Customers with this email address (as sent, or in lower case), by id."""
    with db.read() as tx:
        return tx.customers_by_email(store_id, email.strip(), limit)
