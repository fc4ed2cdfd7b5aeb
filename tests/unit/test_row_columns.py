"""The ingest batch's row builders (adapters/storage/rows.py) against the columns they
name: every column exists in its table (adapters/storage/tables.py) with the type the
builder declares, and every value a builder puts in a row sits at its column's
position. A column order and its builder that disagree fail here, not in a database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from milepost.adapters.storage import rows as r
from milepost.adapters.storage import tables as t
from milepost.domain.aggregates import Aggregates
from milepost.domain.construct import OrderSlot
from milepost.domain.events import OrderEvent
from milepost.domain.orders import OrderState
from milepost.domain.records import CustomerState
from milepost.service.ports import POINTS_UNIT, BatchWrite, FiringRow, LedgerRow

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RANK = 1


def ts(value: Any) -> Any:
    return ("ts", value)


def flag(value: Any) -> Any:
    return ("flag", value)


def dumps(value: Any) -> str:
    return f"json:{sorted(value.items())}"


def names(columns: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in columns.split(","))


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        (t.events, r.EVENT_COLUMNS),
        (t.firings, r.FIRING_COLUMNS),
        (t.credit_ledger, r.CREDIT_COLUMNS),
        (t.points_ledger, r.POINTS_COLUMNS),
        (t.customers, r.NEW_CUSTOMER_KEYS + tuple(n for n, _ in r.CUSTOMER_TYPES_EARNING)),
        (t.customers, names(r.CUSTOMER_COLUMNS)),
        (t.orders, r.NEW_ORDER_KEYS + tuple(n for n, _ in r.ORDER_TYPES_EARNING)),
        (t.orders, names(r.ORDER_COLUMNS)),
    ],
    ids=lambda x: x.name if isinstance(x, sa.Table) else "",
)
def test_every_column_a_builder_names_is_in_its_table(table, columns):
    assert len(set(columns)) == len(columns)
    assert set(columns) <= set(table.c.keys()), set(columns) - set(table.c.keys())


PG_NAMES = {"INTEGER": "int", "BIGINT": "bigint", "SMALLINT": "smallint", "BOOLEAN": "boolean"}


@pytest.mark.parametrize(
    ("table", "types"),
    [
        (t.customers, r.CUSTOMER_TYPES_EARNING),
        (t.orders, r.ORDER_TYPES_EARNING + r.ORDER_KEY_TYPES),
    ],
    ids=["customers", "orders"],
)
def test_the_postgresql_types_a_builder_declares_are_its_columns(table, types):
    for name, declared in types:
        column = table.c[name]
        compiled = column.type.dialect_impl(postgresql.dialect()).compile(dialect=postgresql.dialect())
        if "TIMESTAMP" in compiled:
            expected = "timestamptz"
        elif "VARCHAR" in compiled or "TEXT" in compiled:
            expected = "text"
        else:
            expected = PG_NAMES[compiled]
        assert declared == expected, name


def test_a_firing_row_holds_each_value_under_its_column():
    firing = FiringRow(1, 2, 3, 4, 5, 6, "o-7", "e-8", "[]")
    batch = BatchWrite(99, NOW, RANK, firings=[firing])
    (row,) = r.firing_rows(batch, "now")
    values = dict(zip(r.FIRING_COLUMNS, row, strict=True))
    assert values == {
        **{c: getattr(firing, c) for c in r.FIRING_COLUMNS if hasattr(firing, c)},
        "store_id": 99,
        "fired_at": "now",
    }


def test_an_event_row_holds_each_value_under_its_column():
    event = OrderEvent("k-1", "order.paid", "c-1", "o-1", NOW)
    batch = BatchWrite(99, NOW, RANK, events=[(event, "api", 5, "{}")])
    (row,) = r.event_rows(batch, ts)
    assert dict(zip(r.EVENT_COLUMNS, row, strict=True)) == {
        "store_id": 99,
        "source": "api",
        "external_id": "k-1",
        "type": "order.paid",
        "customer_id": 5,
        "order_id": "o-1",
        "occurred_at": ts(NOW),
        "received_at": ts(NOW),
        "payload": "{}",
    }


def test_ledger_rows_go_to_their_unit_with_each_value_under_its_column():
    credit = LedgerRow(1, 250, "EUR", "milestone", "key-1", 3, "o-4", "note", "ann")
    points = LedgerRow(1, 40, POINTS_UNIT, "earn", "key-2", None, "o-5", None, None)
    (credit_row,), (points_row,) = r.ledger_rows(99, [credit, points], "now")
    entry = ("reason", "firing_id", "order_id", "note", "idempotency_key", "actor")
    assert dict(zip(r.CREDIT_COLUMNS, credit_row, strict=True)) == {
        "store_id": 99,
        "customer_id": 1,
        "amount": 250,
        "currency": "EUR",
        "created_at": "now",
        **{c: getattr(credit, c) for c in entry},
    }
    assert dict(zip(r.POINTS_COLUMNS, points_row, strict=True)) == {
        "store_id": 99,
        "customer_id": 1,
        "points": 40,
        "created_at": "now",
        **{c: getattr(points, c) for c in entry},
    }


def _customer(is_new: bool, profile_changed: bool) -> CustomerState:
    aggregates = Aggregates(1, 2, datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC), 3, 4, 5, 6)
    return CustomerState(
        7, "c-7", aggregates, "a@example.com", "Ann", True, False, {"k": 1}, NOW, "+15550000000",
        is_new=is_new, profile_changed=profile_changed,
    )  # fmt: skip


def _expected_customer(c: CustomerState, columns: tuple[str, ...]) -> dict[str, Any]:
    wrap = {"first_order_at": ts, "last_order_at": ts, "profile_at": ts, "email_consent": flag, "sms_consent": flag}
    expected: dict[str, Any] = {}
    for name in columns:
        if name == "updated_at":
            expected[name] = ts(NOW)
        elif name == "attributes":
            expected[name] = dumps(c.attributes)
        else:
            source = c.aggregates if name in Aggregates._fields else c
            expected[name] = wrap.get(name, lambda v: v)(getattr(source, name))
    return expected


@pytest.mark.parametrize("earning", [False, True])
def test_customer_rows_hold_each_value_under_its_column(earning):
    new, changed, counted = _customer(True, True), _customer(False, True), _customer(False, False)
    batch = BatchWrite(99, NOW, RANK, earning_points=earning, customers=[new, changed, counted])
    (new_row,), (changed_row,), (counted_row,) = r.customer_rows(batch, ts, flag, dumps)
    types = tuple(n for n, _ in (r.CUSTOMER_TYPES_EARNING if earning else r.CUSTOMER_TYPES))
    counts = tuple(n for n, _ in (r.COUNTS_EARNING if earning else r.COUNTS))
    keys = {"id": 7, "store_id": 99, "external_id": "c-7", "created_at": ts(NOW)}
    assert dict(zip(r.NEW_CUSTOMER_KEYS + types, new_row, strict=True)) == {**keys, **_expected_customer(new, types)}
    assert dict(zip((*types, "id"), changed_row, strict=True)) == {**_expected_customer(changed, types), "id": 7}
    assert dict(zip((*counts, "id"), counted_row, strict=True)) == {**_expected_customer(counted, counts), "id": 7}


@pytest.mark.parametrize("earning", [False, True])
def test_order_rows_hold_each_value_under_its_column(earning):
    state = OrderState(1000, "USD", 100, False, True, 2, NOW, 3)
    batch = BatchWrite(99, NOW, RANK, earning_points=earning)
    batch.orders = [("o-new", OrderSlot(7, state)), ("o-old", OrderSlot(7, state, stored=True))]
    (insert,), (update,) = r.order_rows(batch, ts, flag)
    types = tuple(n for n, _ in (r.ORDER_TYPES_EARNING if earning else r.ORDER_TYPES))
    expected = {
        "total": 1000,
        "currency": "USD",
        "refunded": 100,
        "full_refund": flag(False),
        "cancelled": flag(True),
        "status_rank": 2,
        "counted_at": ts(NOW),
        "counts": flag(state.counts(RANK)),
        "updated_at": ts(NOW),
        "points_rate": 3,
    }
    expected = {name: expected[name] for name in types}
    keys = {"store_id": 99, "external_id": "o-new", "customer_id": 7, "created_at": ts(NOW)}
    key_names = tuple(n for n, _ in r.ORDER_KEY_TYPES)
    assert dict(zip(r.NEW_ORDER_KEYS + types, insert, strict=True)) == {**keys, **expected}
    assert dict(zip(types + key_names, update, strict=True)) == {**expected, "store_id": 99, "external_id": "o-old"}


def same(value: Any) -> Any:
    return value


def _when(day: int) -> datetime:
    return datetime(2025, 1, day, tzinfo=UTC)


#: A value of its column's type for each column read back, no two alike.
READ_BACK = {
    "id": 101,
    "external_id": "c-1",
    "email": "a@example.com",
    "name": "Ann",
    "email_consent": 1,
    "sms_consent": 0,
    "attributes": '{"k": 1}',
    "order_count": 11,
    "amount_spent": 12,
    "first_order_at": _when(1),
    "last_order_at": _when(2),
    "profile_at": _when(3),
    "phone": "+15550000000",
    "review_count": 13,
    "referral_count": 14,
    "billing_cycles": 15,
    "points_earned": 16,
    "customer_id": 7,
    "total": 1000,
    "currency": "USD",
    "refunded": 100,
    "full_refund": 1,
    "cancelled": 0,
    "status_rank": 2,
    "counted_at": _when(4),
    "points_rate": 3,
}


def test_customers_read_back_take_each_column_from_its_position():
    columns = names(r.CUSTOMER_COLUMNS)
    (customer,) = r.customers_from_rows([tuple(READ_BACK[c] for c in columns)], same).values()
    for name in columns:
        source = customer.aggregates if name in Aggregates._fields else customer
        got = getattr(source, name)
        if name in ("email_consent", "sms_consent"):
            assert got is bool(READ_BACK[name]), name
        elif name == "attributes":
            assert got == {"k": 1}
        else:
            assert got == READ_BACK[name], name


def test_orders_read_back_take_each_column_from_its_position():
    columns = names(r.ORDER_COLUMNS)
    ((external_id, slot),) = r.orders_from_rows([tuple(READ_BACK[c] for c in columns)], same).items()
    assert (external_id, slot.customer_id, slot.stored) == (READ_BACK["external_id"], READ_BACK["customer_id"], True)
    fields = {"status_rank": "rank"}
    for name in columns[2:]:
        got = getattr(slot.state, fields.get(name, name))
        if name in ("full_refund", "cancelled"):
            assert got is bool(READ_BACK[name]), name
        else:
            assert got == READ_BACK[name], name
