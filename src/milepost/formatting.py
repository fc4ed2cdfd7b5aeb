"""Money and times as people read them: one module for the admin UI, the CLI and templates.

Babel (the Unicode CLDR data) gives the currency symbols, the digit grouping, where the
sign goes and the date patterns; nothing here is a hand-written table of currencies.

- **Locale.** One for now, `LOCALE` (en_US): stores have no language setting yet. Every
  function takes `locale=` so that one can be passed once stores have it.
- **Decimals.** An amount is an integer of ISO 4217 minor units (domain/money.py); it is
  shown with exactly that many decimals (2 for USD, 0 for JPY, 3 for KWD). CLDR's own
  digits are a display rounding that differs from ISO 4217 for some currencies (HUF, IDR,
  COP, IQD show 0 there), so they are not used: 1050 HUF is "10.50 HUF", never "11 HUF".
- **Two styles.** `money` for people in the admin UI and the CLI: the locale's symbol when
  it is a sign ($25.00, -€5.00, CA$1.00, ¥500), else the amount and the ISO code
  (1,234.50 CHF). `money_code` (domain/money.py's `format_money`) for emails, alerts and
  logs, readable in any locale: 10.50 USD.
- **Times.** Aware datetimes shown in the store's time zone, to the minute (or second).
  With `zone=True` the zone is named by its IANA abbreviation (CET, CEST, EDT, UTC):
  CLDR's en_US names only American zones and would call Berlin "+0100".
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import NumberPattern, get_currency_symbol

from milepost.domain.money import amount_then_code, exponent
from milepost.domain.money import format_money as money_code

LOCALE = "en_US"
MAX_DIGITS = 18  # an amount typed with more digits before the point is refused: it would not fit

__all__ = ["LOCALE", "day", "money", "money_code", "parse_amount", "units", "when"]


@lru_cache(maxsize=256)
def _pattern(currency: str, locale: str) -> NumberPattern:
    """The locale's currency pattern with the currency's decimals; amount then code when the
    locale has no sign for it (a symbol that ends in a letter, like CHF)."""
    places = exponent(currency)
    symbol = get_currency_symbol(currency, locale)
    if symbol[-1:].isalpha() or symbol == "¤":  # no sign for it here (CHF), or none at all (XXX)
        return amount_then_code(places)
    found: NumberPattern = copy.copy(_locale(locale).currency_formats["standard"])
    found.frac_prec = (places, places)
    return found


@lru_cache(maxsize=16)
def _locale(name: str) -> Locale:
    return Locale.parse(name)  # parsed once: a name given to Babel is parsed on every call


def money(minor_units: int, currency: str, locale: str = LOCALE) -> str:
    """Minor units as people read them: 2500 USD -> $25.00, -500 EUR -> -€5.00, 500 JPY -> ¥500."""
    amount = Decimal(minor_units).scaleb(-exponent(currency))
    pattern = _pattern(currency, locale)
    return str(pattern.apply(amount, _locale(locale), currency=currency, currency_digits=False))


def units(minor_units: int, currency: str) -> str:
    """An amount as a form field shows it, to be typed over: 50000 USD -> 500.00, 500 JPY -> 500."""
    places = exponent(currency)
    return f"{Decimal(minor_units).scaleb(-places):.{places}f}"


def parse_amount(typed: str, currency: str) -> int | None:
    """An amount as a person types it in the currency's units (`10`, `10.50`, `1,000.00`),
    in minor units; None when nothing is typed. ValueError says what is wrong."""
    raw = typed.strip().replace(",", "")
    if not raw:
        return None
    places = exponent(currency)
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"must be an amount like 10.00 {currency}") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -places:  # type: ignore[operator]
        raise ValueError(f"must be an amount with at most {places} decimals")
    if amount.adjusted() > MAX_DIGITS:  # 1e999999 would overflow the conversion below
        raise ValueError("is too large")
    return int(amount.scaleb(places))


def when(
    value: datetime | None,
    timezone: str = "UTC",
    seconds: bool = False,
    zone: bool = False,
    locale: str = LOCALE,
    none: str = "",
) -> str:
    """An aware time in the store's time zone: 2026-06-01 09:00 (seconds: 09:00:00; zone: 09:00 CEST)."""
    if value is None:
        return none
    local = value.astimezone(ZoneInfo(timezone))
    shown = format_datetime(local, "yyyy-MM-dd HH:mm:ss" if seconds else "yyyy-MM-dd HH:mm", locale=_locale(locale))
    return f"{shown} {local.tzname()}" if zone else shown


def day(value: date, locale: str = LOCALE) -> str:
    """A day on a chart's axis: Jun 1."""
    return format_date(value, "MMM d", locale=_locale(locale))
