"""What operators read and do: a customer's report, the customer lists, alerts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from milepost.domain.consent import EmailReach
from milepost.domain.delivery import Delivery, message_outcome
from milepost.domain.ids import format_id
from milepost.domain.records import Alert, CustomerLine, CustomerReport, MilestoneReached
from milepost.errors import NotFound
from milepost.service.existing import customer_row, existing
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
        milestones=tuple(reversed(milestone_log(tx, store_id, customer_id=c.id, limit=10_000))) if history else (),
        created_at=created_at,
        points_balance=tx.points_balance(c.id),
        codes=tuple(tx.issued_codes(c.id)) if history else (),
    )


_CHUNK = 1000


def milestone_log(tx: ReportsTx, store_id: int, **filters: Any) -> list[MilestoneReached]:
    """The milestone log (`ReportsTx.milestone_log`'s filters), each email, text or webhook
    an action queued shown as its delivery stands now: sent, skipped and why, ..."""
    return as_delivered(tx, store_id, tx.milestone_log(store_id, **filters))


def as_delivered(tx: ReportsTx, store_id: int, milestones: Sequence[MilestoneReached]) -> list[MilestoneReached]:
    """The milestones with each queued action's outcome read from its delivery now."""
    now = outcomes_now(tx, store_id, {m.id: m.actions for m in milestones})
    return [replace(m, actions=tuple(now[m.id])) if m.id in now else m for m in milestones]


def outcomes_now(
    tx: ReportsTx, store_id: int, outcomes: Mapping[int, Sequence[dict[str, Any]]]
) -> dict[int, list[dict[str, Any]]]:
    """Firing id -> its action outcomes, each queued message's read from its delivery now
    (sent, skipped and why, ...); only the firings that queued one are in the answer."""
    queued = [firing for firing, actions in outcomes.items() if any(a.get("status") == "queued" for a in actions)]
    sent: dict[tuple[int, int], Delivery] = {}
    for start in range(0, len(queued), _CHUNK):  # a long history in bounded lists of ids
        sent.update(tx.firing_deliveries(store_id, queued[start : start + _CHUNK]))
    fired = {firing for firing, _ in sent}
    return {firing: [_now(firing, a, sent) for a in outcomes[firing]] for firing in fired}


def _now(firing: int, action: dict[str, Any], sent: Mapping[tuple[int, int], Delivery]) -> dict[str, Any]:
    delivery = sent.get((firing, action.get("position", -1)))
    return message_outcome(action, delivery) if delivery is not None else action


def email_reach(db: Storage, store_id: int) -> EmailReach:
    """How many of the store's customers a milestone email would reach today, by the
    relay's rules (domain/consent.py), and why not the others."""
    with db.read() as tx:
        store = existing(tx.store(store_id), f"no store {store_id}")
        total, no_address, no_consent = tx.email_reach(store_id)
    needs_consent = store.milestone_emails != "transactional"
    return EmailReach(total, no_address, no_consent if needs_consent else 0, store.milestone_emails)


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


def customers_by_email(db: Storage, store_id: int, email: str, limit: int = 50) -> list[CustomerLine]:
    """Customers with this email address (as sent, or in lower case), by id."""
    with db.read() as tx:
        return tx.customers_by_email(store_id, email.strip(), limit)
