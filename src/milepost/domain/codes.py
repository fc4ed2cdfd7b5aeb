"""Discount codes as rewards: their patterns, what they give, and whether one is good now.

A program's code reward names a **pattern** such as `VIP-XXXX-XXXX`: `X` is a random
character from an alphabet without look-alikes (no 0/O, 1/I/L), `9` a random digit,
`A` a random letter, and anything else (letters, digits, `-`, `_`) is kept as written.
A pattern must leave at least 8 random characters, so that a store's codes cannot be
guessed one from another. The code gives a **discount**: a fixed amount off, a
percentage off, free shipping, or a free gift (a product id). The store's checkout asks
whether a code is good for a customer now (`check`), and reports it redeemed.

Pure: randomness comes from the caller (`secrets.SystemRandom()` in production).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from milepost.errors import ValidationError

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0, O, 1, I, L: read aloud or typed, no confusion
DIGITS = "23456789"
LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"
_RANDOM = {"X": ALPHABET, "9": DIGITS, "A": LETTERS}
_LITERAL = re.compile(r"^[A-Z0-9_-]*$")
MIN_RANDOM = 8
MAX_LENGTH = 64
DEFAULT_PATTERN = "XXXX-XXXX-XXXX"

DISCOUNT_KINDS = ("fixed_amount", "percentage", "free_shipping", "free_gift")
_DISCOUNT_FIELDS = {
    "fixed_amount": ("amount", "currency"),
    "percentage": ("percent",),
    "free_shipping": (),
    "free_gift": ("product_id",),
}

# What `check` answers, and what each means for the checkout.
VALID = "valid"
UNKNOWN = "unknown"  # no such code in this store
NOT_THEIRS = "not_theirs"  # issued to another customer
EXPIRED = "expired"
REDEEMED = "already_redeemed"
VOIDED = "voided"  # taken back (a clawback) or cancelled by an operator
VERDICTS = (VALID, UNKNOWN, NOT_THEIRS, EXPIRED, REDEEMED, VOIDED)


@dataclass(frozen=True, slots=True)
class Pattern:
    text: str

    @classmethod
    def parse(cls, text: Any) -> Pattern:
        if text is None:
            text = DEFAULT_PATTERN
        if not isinstance(text, str) or not text:
            raise _invalid("pattern", "must be text like VIP-XXXX-XXXX")
        if len(text) > MAX_LENGTH:
            raise _invalid("pattern", f"must be at most {MAX_LENGTH} characters")
        if not _LITERAL.match(text):
            raise _invalid("pattern", "may hold only capital letters, digits, '-' and '_'")
        randoms = sum(1 for ch in text if ch in _RANDOM)
        if randoms < MIN_RANDOM:
            reason = f"needs at least {MIN_RANDOM} random places (X, 9 or A); it has {randoms}"
            raise _invalid("pattern", reason)
        return cls(text)

    def generate(self, rng: random.Random) -> str:
        return "".join(rng.choice(_RANDOM[ch]) if ch in _RANDOM else ch for ch in self.text)

    @property
    def combinations(self) -> int:
        n = 1
        for ch in self.text:
            if ch in _RANDOM:
                n *= len(_RANDOM[ch])
        return n


@dataclass(frozen=True, slots=True)
class Discount:
    """What a code gives: `amount` (minor units, with `currency`) for fixed_amount,
    `percent` (1-100) for percentage, `product_id` for free_gift; nothing more for
    free_shipping."""

    kind: str
    amount: int | None = None
    currency: str | None = None
    percent: int | None = None
    product_id: str | None = None

    @classmethod
    def parse(cls, raw: Any, store_currency: str) -> Discount:
        if not isinstance(raw, dict):
            raise _invalid("discount", "must be an object with a kind")
        kind = raw.get("kind")
        if kind not in DISCOUNT_KINDS:
            raise _invalid("discount.kind", f"must be one of {', '.join(DISCOUNT_KINDS)}")
        extra = sorted(set(raw) - {"kind", *_DISCOUNT_FIELDS[kind]}, key=str)
        if extra:
            raise _invalid(f"discount.{extra[0]}", f"is not a field of a {kind} discount")
        if kind == "fixed_amount":
            amount = raw.get("amount")
            if amount.__class__ is not int or not 1 <= amount <= 10**12:
                raise _invalid("discount.amount", "must be a positive whole number of minor units")
            currency = raw.get("currency", store_currency)
            if currency != store_currency:
                raise _invalid("discount.currency", f"must be the store's currency, {store_currency}")
            return cls(kind, amount=amount, currency=currency)
        if kind == "percentage":
            percent = raw.get("percent")
            if percent.__class__ is not int or not 1 <= percent <= 100:
                raise _invalid("discount.percent", "must be a whole number from 1 to 100")
            return cls(kind, percent=percent)
        if kind == "free_gift":
            product = raw.get("product_id")
            if not isinstance(product, str) or not product.strip() or len(product) > 200:
                raise _invalid("discount.product_id", "is required: the product given, 1 to 200 characters")
            return cls(kind, product_id=product)
        return cls(kind)

    def as_dict(self) -> dict[str, Any]:
        given = {
            "amount": self.amount,
            "currency": self.currency,
            "percent": self.percent,
            "product_id": self.product_id,
        }
        return {"kind": self.kind, **{k: v for k, v in given.items() if v is not None}}

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Discount:
        """A discount as `as_dict` wrote it (already checked when its program was saved)."""
        return cls(
            stored["kind"],
            stored.get("amount"),
            stored.get("currency"),
            stored.get("percent"),
            stored.get("product_id"),
        )

    def describe(self) -> str:
        if self.kind == "fixed_amount":
            return f"{self.amount} {self.currency} off"
        if self.kind == "percentage":
            return f"{self.percent}% off"
        if self.kind == "free_gift":
            return f"free gift {self.product_id}"
        return "free shipping"


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    customer_id: str  # the store's own customer id
    discount: Discount
    issued_at: datetime
    expires_at: datetime | None = None
    redeemed_at: datetime | None = None
    redeemed_order_id: str | None = None
    voided_at: datetime | None = None
    void_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # one of VERDICTS
    discount: Discount | None = None  # what it gives, when VALID
    reason: str = ""

    @property
    def valid(self) -> bool:
        return self.status == VALID


def check(code: Code | None, customer_id: str, now: datetime) -> Verdict:
    """Whether `code` is good for `customer_id` at `now`, and why not. Voided wins over
    redeemed, which wins over expired: the checkout is told the most final fact."""
    if code is None:
        return Verdict(UNKNOWN, reason="no such code")
    if code.customer_id != customer_id:
        return Verdict(NOT_THEIRS, reason="the code was issued to another customer")
    if code.voided_at is not None:
        return Verdict(VOIDED, reason=code.void_reason or "the code was voided")
    if code.redeemed_at is not None:
        on = f" on order {code.redeemed_order_id}" if code.redeemed_order_id else ""
        return Verdict(REDEEMED, reason=f"the code was redeemed{on}")
    if code.expires_at is not None and now >= code.expires_at:
        return Verdict(EXPIRED, reason=f"the code expired at {code.expires_at.isoformat()}")
    return Verdict(VALID, code.discount)


def normalize(text: str) -> str:
    """What a customer typed, as codes are stored: capitals, no spaces around."""
    return text.strip().upper()


def _invalid(field: str, reason: str) -> ValidationError:
    return ValidationError(f"{field} {reason}", {field: reason})
