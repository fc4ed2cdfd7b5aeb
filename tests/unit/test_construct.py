"""The constructors spelled out for the compiled build (domain/construct.py,
service/rows.py, CustomerState): each sets every field of its class from the argument
of the same name, in field order, so none can drift from the fields it stands for.
Checked on the sources: the compiled build checks each argument's type, so it takes no
placeholder values."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from milepost.domain import construct
from milepost.domain.records import CustomerState
from milepost.runtime import compiled
from milepost.service import rows

pytestmark = pytest.mark.skipif(compiled(), reason="the sources' constructors (the compiled run checks types)")

EXPLICIT = [
    construct.OrderSlot,
    construct.Applied,
    construct.CustomerView,
    construct.Intent,
    construct.Firing,
    construct.Decided,
    CustomerState,
    rows.FiringRow,
    rows.LedgerRow,
    rows.FiredMilestone,
    rows.OutboxRow,
    rows.CodeRow,
]


def test_every_class_of_the_rooms_is_listed():
    for module in (construct, rows):
        classes = {c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module.__name__}
        assert classes <= set(EXPLICIT), classes - set(EXPLICIT)


@pytest.mark.parametrize("cls", EXPLICIT, ids=lambda c: c.__name__)
def test_the_explicit_init_takes_the_fields_in_order_and_sets_each(cls):
    fields = [f.name for f in dataclasses.fields(cls)]
    parameters = list(inspect.signature(cls.__init__).parameters)[1:]
    assert parameters == fields
    values = {name: object() for name in fields}  # a distinct value per field
    built = cls(**values)
    for name in fields:
        got = getattr(built, name)
        assert got is values[name], f"{cls.__name__}.{name}"
