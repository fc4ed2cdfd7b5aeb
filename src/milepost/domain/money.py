"""Money is an integer of minor units plus an ISO 4217 currency."""

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


def format_money(minor_units: int, currency: str) -> str:
    """`1050, "USD"` -> `"10.50 USD"`; `500, "JPY"` -> `"500 JPY"`."""
    places = exponent(currency)
    sign = "-" if minor_units < 0 else ""
    whole, part = divmod(abs(minor_units), 10**places)
    amount = f"{whole:,}.{part:0{places}d}" if places else f"{whole:,}"
    return f"{sign}{amount} {currency}"
