"""Money and times as people read them (milepost/formatting.py), through Babel."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from milepost.formatting import day, money, money_code, parse_amount, units, when


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (2500, "USD", "$25.00"),
        (-500, "EUR", "-€5.00"),
        (123456789, "GBP", "£1,234,567.89"),
        (500, "JPY", "¥500"),
        (100, "CAD", "CA$1.00"),
        (1001, "KWD", "1.001 KWD"),  # no sign for it in en_US: the amount, then the code
        (123450, "CHF", "1,234.50 CHF"),
        (-1050, "HUF", "-10.50 HUF"),  # ISO 4217's 2 decimals, not CLDR's 0
        (7, "XXX", "0.07 XXX"),
    ],
)
def test_money_for_people(amount: int, currency: str, shown: str) -> None:
    assert money(amount, currency) == shown


def test_money_for_texts_names_the_currency() -> None:
    assert money_code(1050, "USD") == "10.50 USD"
    assert money_code(-1234567, "EUR") == "-12,345.67 EUR"
    assert money_code(500, "JPY") == "500 JPY"


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("10", "USD", 1000), ("10.5", "USD", 1050), ("1,000.00", "USD", 100000), (" 500 ", "JPY", 500), ("", "USD", None)],
)
def test_amounts_as_people_type_them(typed: str, currency: str, minor: int | None) -> None:
    assert parse_amount(typed, currency) == minor


@pytest.mark.parametrize(
    ("typed", "currency", "reason"),
    [
        ("ten", "USD", "must be an amount like 10.00 USD"),
        ("10.505", "USD", "must be an amount with at most 2 decimals"),
        ("10.5", "JPY", "must be an amount with at most 0 decimals"),
        ("1e40", "USD", "is too large"),
        ("nan", "USD", "must be an amount with at most 2 decimals"),
    ],
)
def test_amounts_that_do_not_parse_say_why(typed: str, currency: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_amount(typed, currency)


def test_units_are_what_a_form_field_shows() -> None:
    assert (units(50000, "USD"), units(500, "JPY"), units(1001, "KWD")) == ("500.00", "500", "1.001")


def test_times_in_the_stores_time_zone() -> None:
    moment = datetime(2026, 6, 1, 7, 0, 30, tzinfo=UTC)
    assert when(moment, "Europe/Berlin") == "2026-06-01 09:00"
    assert when(moment, "Europe/Berlin", zone=True) == "2026-06-01 09:00 CEST"
    assert when(moment, "America/New_York", seconds=True) == "2026-06-01 03:00:30"
    assert when(datetime(2026, 1, 1, tzinfo=UTC), "Europe/Berlin", zone=True) == "2026-01-01 01:00 CET"
    assert (when(None), when(None, none="-")) == ("", "-")


def test_days_on_a_chart() -> None:
    assert day(date(2026, 6, 1)) == "Jun 1"
