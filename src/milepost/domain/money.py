"""Money is an integer of minor units plus an ISO 4217 currency.

The minor-unit exponents are ISO 4217's, the meaning of every stored amount. They are
listed here rather than taken from Babel: CLDR's currency digits are a display rounding
and differ from ISO 4217 for some currencies (HUF, IDR, COP: 0 in CLDR, 2 in ISO 4217;
IQD: 0 and 3), which would change what a stored amount means.

How amounts read, and how people type them, is milepost/formatting.py.
"""

from __future__ import annotations

#: ISO 4217 minor-unit exponents other than 2.
_ZERO_DECIMAL = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV"]
CURRENCY_EXPONENTS = {
    **dict.fromkeys([*_ZERO_DECIMAL, "XAF", "XOF", "XPF"], 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}


def exponent(currency: str) -> int:
    return CURRENCY_EXPONENTS.get(currency, 2)
