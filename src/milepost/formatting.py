"""Money and times as people read them: one module for the admin UI, the CLI and templates.

Babel (the Unicode CLDR data) gives the currency symbols, the digit grouping, where the
sign goes and the date patterns; nothing here is a hand-written table of currencies.

- **Locale.** Each store has one (`Store.locale`, a CLDR name like de_DE; `LOCALE`, en_US,
  by default): `store_money` writes a store's amounts as its locale does ($10.00 in en_US,
  10,00 € in de_DE and fr_FR). `locale_name` checks and normalises a typed name.
- **Decimals.** An amount is an integer of ISO 4217 minor units (domain/money.py); it is
  shown with exactly that many decimals (2 for USD, 0 for JPY, 3 for KWD). CLDR's own
  digits are a display rounding that differs from ISO 4217 for some currencies (HUF, IDR,
  COP, IQD show 0 there), so they are not used: 1050 HUF is "10.50 HUF", never "11 HUF".
- **One style.** `money` everywhere people read amounts (the admin UI, the CLI, email
  templates, alert messages): the locale's symbol when it is a sign ($25.00, -€5.00,
  CA$1.00, ¥500), else the amount and the ISO code (1,234.50 CHF).
- **Typed amounts.** `parse_amount` reads what the admin's fields and the CLI's options are
  given: `5`, `12.50`, `1,234.50`, `$5` in the currency's units, `500c` in minor units.
- **Times.** Aware datetimes shown in the store's time zone, to the minute (or second).
  With `zone=True` the zone is named by its IANA abbreviation (CET, CEST, EDT, UTC):
  CLDR's en_US names only American zones and would call Berlin "+0100".
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import NumberPattern, get_currency_symbol, parse_pattern

from milepost.domain.money import exponent

if TYPE_CHECKING:
    from milepost.domain.records import Store

LOCALE = "en_US"
MAX_LOCALE = 32  # the longest locale name a store keeps
MAX_DIGITS = 18  # an amount typed with more digits before the point is refused: it would not fit

#: Locales the admin offers to pick from; any other CLDR locale can be typed.
LOCALES = (
    "en_US",
    "en_GB",
    "en_CA",
    "en_AU",
    "de_DE",
    "de_AT",
    "de_CH",
    "fr_FR",
    "fr_CA",
    "es_ES",
    "es_MX",
    "it_IT",
    "nl_NL",
    "pt_BR",
    "pt_PT",
    "sv_SE",
    "da_DK",
    "nb_NO",
    "fi_FI",
    "pl_PL",
    "ja_JP",
)

__all__ = ["LOCALE", "LOCALES", "day", "locale_name", "money", "parse_amount", "store_money", "units", "when"]


def locale_name(typed: str) -> str:
    """A CLDR locale name as Babel writes it (`de-de` -> de_DE); ValueError when Babel knows
    no such locale."""
    try:
        name = str(Locale.parse(typed.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError, AttributeError):
        name = ""
    if not name or len(name) > MAX_LOCALE or len(typed) > MAX_LOCALE:
        raise ValueError(f"must be a locale like en_US, de_DE or fr_FR, not {typed!r}")
    return name


@lru_cache(maxsize=8)
def _amount_then_code(places: int) -> NumberPattern:
    """The amount with `places` decimals, then the ISO code: 1,234.50 CHF."""
    found = parse_pattern("#,##0.00 ¤¤")  # ¤¤: the ISO code
    found.frac_prec = (places, places)
    return found


@lru_cache(maxsize=256)
def _pattern(currency: str, locale: str) -> NumberPattern:
    """The locale's currency pattern with the currency's decimals; amount then code when the
    locale has no sign for it (a symbol that ends in a letter, like CHF)."""
    places = exponent(currency)
    symbol = get_currency_symbol(currency, locale)
    if symbol[-1:].isalpha() or symbol == "¤":  # no sign for it here (CHF), or none at all (XXX)
        return _amount_then_code(places)
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


def store_money(store: Store, minor_units: int, currency: str | None = None) -> str:
    """An amount of a store as its locale writes it, in its currency unless another is given."""
    return money(minor_units, currency or store.currency, store.locale)


def units(minor_units: int, currency: str) -> str:
    """An amount as a form field shows it, to be typed over: 50000 USD -> 500.00, 500 JPY -> 500."""
    places = exponent(currency)
    return f"{Decimal(minor_units).scaleb(-places):.{places}f}"


def parse_amount(typed: str, currency: str, *, minor_units: bool = False, locale: str = LOCALE) -> int | None:
    """An amount as a person types it, in minor units; None when nothing is typed. ValueError
    says what is wrong.

    In the currency's units: `5`, `5.00`, `12.5`, `1,234.50` (commas only between thousands,
    a point before the decimals), at most the currency's decimals (`5.123` USD and `5.5` JPY
    are refused), optionally with the currency's sign or code (`$5`, `5 USD`) and a sign
    (`-5`). In minor units, as the API takes them: `500c`, or any whole number with
    `minor_units=True`."""
    raw = typed.strip()
    if not raw:
        return None
    sign = -1 if raw[0] == "-" else 1
    raw = _bare(raw[1:].lstrip() if raw[0] in "+-" else raw, currency, locale)
    places = exponent(currency)
    minor = _MINOR.fullmatch(raw)
    if minor or minor_units:
        if minor is None and not _DIGITS.fullmatch(raw):
            raise ValueError("must be a whole number of minor units, like 500")
        digits = minor.group(1) if minor else raw
        if len(digits) > MAX_DIGITS + places:
            raise ValueError("is too large")
        return sign * int(digits)
    if not _NUMBER.fullmatch(raw):
        raise ValueError(_malformed(raw, currency))
    whole, _, fraction = raw.replace(",", "").partition(".")
    fraction = fraction.rstrip("0")  # 5.10 is 5.1: no finer than the currency
    if len(whole) > MAX_DIGITS:
        raise ValueError("is too large")
    if len(fraction) > places:
        if places == 0:
            raise ValueError(f"must be a whole amount: {currency} has no decimals")
        raise ValueError(f"must be an amount with at most {places} decimals in {currency}")
    return sign * int(whole + fraction.ljust(places, "0"))


_DIGITS = re.compile("[0-9]+")
_MINOR = re.compile("([0-9]+)[cC]")
_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


def _bare(raw: str, currency: str, locale: str) -> str:
    """`raw` without the currency's own sign or code before or after it: `$5`, `5 USD`."""
    for mark in {currency, currency.lower(), get_currency_symbol(currency, locale)}:
        if raw.startswith(mark):
            return raw.removeprefix(mark).strip()
        if raw.endswith(mark):
            return raw.removesuffix(mark).strip()
    return raw


def _malformed(raw: str, currency: str) -> str:
    """Why `raw` is not an amount; a comma before the decimals is named."""
    example = f"{units(10 ** (exponent(currency) + 1), currency)} {currency}"
    if re.fullmatch(r"(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+),[0-9]{1,2}", raw):  # 12,5 or 1.234,50
        return (
            f"must be an amount like {example}: a point before the decimals, commas only between thousands "
            "(12.50, not 12,50, whatever the store's locale)"
        )
    return f"must be an amount like {example}"


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
