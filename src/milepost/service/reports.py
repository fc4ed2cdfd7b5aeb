"""What operators read and do: a customer's report, the customer lists, alerts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from milepost.domain.ids import format_id
from milepost.domain.records import Alert, CustomerLine, CustomerReport
from milepost.errors import NotFound
from milepost.service.existing import customer_row
from milepost.service.ports import LedgerTx, ReportsTx, Storage, Tx


def customer_report(db: Storage, store_id: int, customer_id: str) -> CustomerReport:
    with db.read() as tx:
        return customer_in(tx, store_id, customer_id)


#: what a customer's report says as their stored state does
_PROFILE = ("external_id", "email", "name", "email_consent", "sms_consent", "attributes", "aggregates", "phone")


class CustomerTx(ReportsTx, LedgerTx, Protocol):
    """Reading one customer: their record, tags, codes, milestones and balances."""


def customer_in(tx: CustomerTx, store_id: int, customer_id: str, history: bool = True) -> CustomerReport:
    """The customer as of `tx`; without `history`, no ledger entries, milestones or codes
    (what a message needs: its profile, tags and balances)."""
    c, created_at = customer_row(tx, store_id, customer_id)
    return CustomerReport(
        **{name: getattr(c, name) for name in _PROFILE},
        tags=tuple(tx.customer_tags(c.id)),
        balances=tx.balances(c.id),
        ledger=tuple(tx.ledger_entries(customer_id=c.id)) if history else (),
        milestones=tuple(reversed(tx.milestone_log(store_id, customer_id=c.id, limit=10_000))) if history else (),
        created_at=created_at,
        points_balance=tx.points_balance(c.id),
        codes=tuple(tx.issued_codes(c.id)) if history else (),
    )


def acknowledge_alert(db: Storage, now: datetime, store_id: int, alert_id: int, by: str) -> Alert:
    """Mark an open alert handled by `by`; an acknowledged one stays as it was."""
    return _change_alert(db, store_id, alert_id, lambda tx: tx.acknowledge_alert(store_id, alert_id, by, now))


def resolve_alert(db: Storage, now: datetime, store_id: int, alert_id: int, by: str) -> Alert:
    """Mark an alert dealt with by `by`; a resolved one stays as it was."""
    return _change_alert(db, store_id, alert_id, lambda tx: tx.resolve_alert(store_id, alert_id, by, now))


def _change_alert(db: Storage, store_id: int, alert_id: int, change: Callable[[Tx], object]) -> Alert:
    """Make `change` to the alert in one transaction and read it back (NotFound unless it is
    the store's); a change that does not apply leaves it as it was."""
    with db.write() as tx:
        if not tx.alert_exists(store_id, alert_id):
            raise NotFound(f"no alert {format_id('alert', alert_id)} in this store")
        change(tx)
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
