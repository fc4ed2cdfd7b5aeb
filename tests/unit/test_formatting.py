"""Money and times as people read them (milepost/formatting.py), through Babel."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milepost.domain.money import exponent
from milepost.domain.records import Store
from milepost.formatting import MAX_DIGITS, day, locale_name, money, parse_amount, store_money, units, when


@pytest.mark.parametrize(
    ("locale", "currency", "shown"),
    [
        ("en_US", "USD", "$1,234.50"),
        ("en_US", "EUR", "€1,234.50"),
        ("de_DE", "EUR", "1.234,50\xa0€"),
        ("fr_FR", "EUR", "1\u202f234,50\xa0€"),  # Babel's fr_FR: a narrow no-break space between thousands
        ("en_GB", "USD", "US$1,234.50"),
        ("ja_JP", "JPY", "￥123,450"),
    ],
)
def test_a_store_s_money_in_its_locale(locale: str, currency: str, shown: str) -> None:
    store = Store(1, "s", "Shop", currency, "UTC", locale=locale)
    assert store_money(store, 123450) == shown
    assert store_money(Store(1, "s", "Shop", "USD", "UTC", locale="de_DE"), 1000, "EUR") == "10,00\xa0€"


def test_a_locale_is_checked_and_written_as_babel_writes_it() -> None:
    assert [locale_name(n) for n in ("de_DE", "de-de", " fr_FR ", "EN_gb")] == ["de_DE", "de_DE", "fr_FR", "en_GB"]
    for bad in ("xx_XX", "", "../etc", "de_DE_" + "x" * 40):
        with pytest.raises(ValueError, match="must be a locale like en_US, de_DE or fr_FR"):
            locale_name(bad)


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


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [(1000, "EUR", "de_DE", "10,00\xa0€")],
)
def test_money_as_another_locale_writes_it(amount: int, currency: str, locale: str, shown: str) -> None:
    assert money(amount, currency, locale=locale) == shown


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [
        ("10", "USD", 1000),
        ("5", "USD", 500),
        ("5.00", "USD", 500),
        ("10.5", "USD", 1050),
        ("5.100", "USD", 510),  # a trailing zero is no finer than a cent
        ("1,000.00", "USD", 100000),
        ("1,234,567.89", "USD", 123456789),
        (" 500 ", "JPY", 500),
        ("5", "JPY", 5),
        ("1.001", "KWD", 1001),
        ("-5", "USD", -500),
        ("+5", "USD", 500),
        ("$5", "USD", 500),  # the currency's own sign or code, as money() shows it
        ("-$5.00", "USD", -500),
        ("5 USD", "USD", 500),
        ("€12.50", "EUR", 1250),
        ("500c", "USD", 500),  # minor units, said so
        ("-250C", "USD", -250),
        ("500c", "JPY", 500),
        ("", "USD", None),
    ],
)
def test_amounts_as_people_type_them(typed: str, currency: str, minor: int | None) -> None:
    assert parse_amount(typed, currency) == minor


def test_minor_units_on_request_are_whole_numbers() -> None:
    assert (parse_amount("500", "USD", minor_units=True), parse_amount("500c", "USD", minor_units=True)) == (500, 500)
    assert parse_amount("-500", "EUR", minor_units=True) == -500
    with pytest.raises(ValueError, match="must be a whole number of minor units, like 500"):
        parse_amount("5.00", "USD", minor_units=True)


@pytest.mark.parametrize(
    ("typed", "currency", "reason"),
    [
        ("ten", "USD", "must be an amount like 10.00 USD"),
        ("10.505", "USD", "must be an amount with at most 2 decimals in USD"),
        ("5.123", "USD", "must be an amount with at most 2 decimals in USD"),
        ("100000000000000000.00000000001", "USD", "at most 2 decimals in USD"),  # past Decimal's 28 digits
        ("1.0001", "KWD", "must be an amount with at most 3 decimals in KWD"),
        ("10.5", "JPY", "must be a whole amount: JPY has no decimals"),
        ("12,5", "EUR", "must be an amount like 10.00 EUR: a point before the decimals, commas only between thousands"),
        ("1,23,456", "USD", "must be an amount like 10.00 USD$"),
        # a German decimal comma, grouped or not, is named: amounts are typed en-style in every locale
        ("1.234,50", "EUR", r"a point before the decimals, commas only between thousands \(12.50, not 12,50"),
        ("€5", "USD", "must be an amount like 10.00 USD"),  # another currency's sign
        ("5 EUR", "USD", "must be an amount like 10.00 USD"),
        ("ten", "JPY", "must be an amount like 10 JPY"),
        ("5.5c", "USD", "must be an amount like"),
        ("1e40", "USD", "must be an amount like"),
        ("nan", "USD", "must be an amount like"),
        ("--5", "USD", "must be an amount like"),
        ("١٢", "USD", "must be an amount like"),  # digits of another script
        ("1" * 19, "USD", "is too large"),
        ("1" * 21 + "c", "USD", "is too large"),
    ],
)
def test_amounts_that_do_not_parse_say_why(typed: str, currency: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_amount(typed, currency)


CURRENCIES = st.sampled_from(["USD", "EUR", "JPY", "KWD", "CLF", "CHF", "GBP", "HUF"])


@given(currency=CURRENCIES, minor=st.integers(-(10 ** (MAX_DIGITS + 2)) + 1, 10 ** (MAX_DIGITS + 2) - 1))
def test_an_amount_as_shown_reads_back_as_the_same_amount(currency: str, minor: int) -> None:
    """What the admin's fields and the CLI show, typed again, is the amount shown."""
    if abs(minor) >= 10 ** (MAX_DIGITS + exponent(currency)):
        return  # more digits before the point than an amount may have
    assert parse_amount(units(minor, currency), currency) == minor
    assert parse_amount(money(minor, currency), currency) == minor  # with its sign and grouping
    assert parse_amount(f"{minor}c", currency) == minor


@given(currency=CURRENCIES, whole=st.integers(0, 10**12), fraction=st.text("0123456789", min_size=1, max_size=6))
def test_a_typed_amount_is_shown_as_typed_when_it_fits_the_currency(currency: str, whole: int, fraction: str) -> None:
    """format(parse(x)) is x, to the currency's decimals; a finer x is refused, never rounded."""
    typed = f"{whole}.{fraction}"
    places = exponent(currency)
    exact = Decimal(typed).quantize(Decimal(1).scaleb(-places)) == Decimal(typed)
    if not exact:
        with pytest.raises(ValueError, match="decimals"):
            parse_amount(typed, currency)
        return
    minor = parse_amount(typed, currency)
    assert minor is not None
    assert Decimal(units(minor, currency)) == Decimal(typed)
    assert units(minor, currency) == f"{Decimal(typed):.{places}f}"


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
