"""The records storage builds by field name (`adapters.storage.base.record`): each field
not converted or joined in has a column of its own name in the table it is read from, so
a field added to a record without its column fails here, not on an operator's page."""

from __future__ import annotations

from dataclasses import fields
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Table

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import record
from milepost.domain.codes import Code
from milepost.domain.delivery import Delivery, MailboxMessage
from milepost.domain.records import Alert, LedgerEntry, MilestoneReached, PointsEntry
from milepost.errors import NotFound
from milepost.service.existing import existing

# the record, its table, and the fields its builder converts or reads from a join
BUILT = [
    (Alert, t.alerts, {"customer_id"}),
    (Code, t.codes, {"customer_id", "discount"}),
    (Delivery, t.outbox, {"customer_id", "created_at", "available_at", "sent_at"}),
    (MailboxMessage, t.mailbox, {"delivery_id"}),
    (LedgerEntry, t.credit_ledger, {"customer_id", "milestone"}),
    (PointsEntry, t.points_ledger, {"customer_id", "milestone"}),
    (MilestoneReached, t.firings, {"customer_id", "actions", "rule_name", "rule_kind"}),
]


@pytest.mark.parametrize(("cls", "table", "converted"), BUILT, ids=[c.__name__ for c, _, _ in BUILT])
def test_every_field_read_as_it_is_has_its_column(cls: Any, table: Table, converted: set[str]) -> None:
    names = {f.name for f in fields(cls)}
    assert converted <= names
    assert names - converted <= set(table.c.keys())


def test_a_record_takes_its_fields_from_the_row_but_those_converted() -> None:
    row = SimpleNamespace(id=1, outbox_id=7, channel="email", message_id="m", sender="s", recipient="r")
    row.__dict__.update(subject="hi", body_text="text", body_html=None, created_at=None)
    mail = record(MailboxMessage, row, delivery_id=row.outbox_id)
    assert (mail.id, mail.delivery_id, mail.subject, mail.body_html) == (1, 7, "hi", None)


def test_what_does_not_exist_is_not_found_saying_what() -> None:
    assert existing(0, "no zero") == 0
    with pytest.raises(NotFound, match="no user 7"):
        existing(None, "no user 7")
