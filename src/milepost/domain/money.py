"""Money is an integer of minor units plus an ISO 4217 currency.

The minor-unit exponents are ISO 4217's, the meaning of every stored amount. They are
listed here rather than taken from Babel: CLDR's currency digits are a display rounding
and differ from ISO 4217 for some currencies (HUF, IDR, COP: 0 in CLDR, 2 in ISO 4217;
IQD: 0 and 3), which would change what a stored amount means.

How amounts read is milepost/formatting.py; `format_money` is here, in the domain, because
texts written with the data (alert messages, emails) use it: "10.50 USD".
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

#: ISO 4217 minor-unit exponents other than 2.
_ZERO_DECIMAL = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV"]
CURRENCY_EXPONENTS = {
    **dict.fromkeys([*_ZERO_DECIMAL, "XAF", "XOF", "XPF"], 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}
CODE_LOCALE = Locale.parse("en_US")  # the grouping and decimal signs of `format_money`


def exponent(currency: str) -> int:
    return CURRENCY_EXPONENTS.get(currency, 2)


@lru_cache(maxsize=8)
def amount_then_code(places: int) -> NumberPattern:
    """The pattern `format_money` writes with: the amount with `places` decimals, then the ISO code."""
    found = parse_pattern("#,##0.00 ¤¤")  # ¤¤: the ISO code
    found.frac_prec = (places, places)
    return found


def format_money(minor_units: int, currency: str) -> str:
    """`1050, "USD"` -> `"10.50 USD"`; `500, "JPY"` -> `"500 JPY"`."""
    places = exponent(currency)
    amount = Decimal(minor_units).scaleb(-places)
    return str(amount_then_code(places).apply(amount, CODE_LOCALE, currency=currency, currency_digits=False))
