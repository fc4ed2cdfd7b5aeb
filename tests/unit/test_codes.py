"""Discount codes: patterns, discounts, and the checkout's question "is this code good now"."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milepost.domain.codes import (
    ALPHABET,
    EXPIRED,
    NOT_THEIRS,
    REDEEMED,
    UNKNOWN,
    VALID,
    VOIDED,
    Code,
    Discount,
    Pattern,
    check,
    normalize,
)
from milepost.errors import ValidationError

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def code(**changes) -> Code:
    base = {
        "code": "VIP-ABCD-EFGH",
        "customer_id": "c1",
        "discount": Discount("percentage", percent=10),
        "issued_at": NOW - timedelta(days=1),
    }
    return Code(**{**base, **changes})


# -- patterns --------------------------------------------------------------------------------


@given(st.integers(0, 2**32))
def test_generated_codes_follow_their_pattern(seed):
    pattern = Pattern.parse("VIP-XXXX-99AA")
    generated = pattern.generate(random.Random(seed))
    assert re.fullmatch(rf"VIP-[{ALPHABET}]{{4}}-[2-9]{{2}}[A-Z]{{2}}", generated)
    assert not set(generated) & set("01OIL") - set("VIP")


def test_the_default_pattern_gives_sixty_bits_of_codes():
    pattern = Pattern.parse(None)
    assert pattern.text == "XXXX-XXXX-XXXX"
    assert pattern.combinations == len(ALPHABET) ** 12 > 2**59


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("VIP-XXXX", "at least 8 random places"),
        ("vip-xxxx-xxxx", "capital letters"),
        ("VIP XXXX XXXX", "capital letters"),
        ("X" * 65, "at most 64"),
        ("", "must be text"),
        (42, "must be text"),
    ],
)
def test_weak_or_malformed_patterns_are_refused_with_the_reason(text, reason):
    with pytest.raises(ValidationError) as refused:
        Pattern.parse(text)
    assert reason in refused.value.problems["pattern"]


def test_codes_from_one_pattern_do_not_repeat_in_practice():
    pattern, rng = Pattern.parse(None), random.Random(7)
    assert len({pattern.generate(rng) for _ in range(20_000)}) == 20_000


# -- discounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"kind": "fixed_amount", "amount": 1000}, {"kind": "fixed_amount", "amount": 1000, "currency": "USD"}),
        ({"kind": "percentage", "percent": 15}, {"kind": "percentage", "percent": 15}),
        ({"kind": "free_shipping"}, {"kind": "free_shipping"}),
        ({"kind": "free_gift", "product_id": "tote-bag"}, {"kind": "free_gift", "product_id": "tote-bag"}),
    ],
)
def test_each_discount_kind_parses_to_what_the_checkout_needs(raw, expected):
    assert Discount.parse(raw, "USD").as_dict() == expected


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"kind": "cashback"}, "discount.kind"),
        ({"kind": "fixed_amount", "amount": 0}, "discount.amount"),
        ({"kind": "fixed_amount", "amount": 500, "currency": "EUR"}, "discount.currency"),
        ({"kind": "percentage", "percent": 101}, "discount.percent"),
        ({"kind": "percentage", "percent": 12.5}, "discount.percent"),
        ({"kind": "free_gift"}, "discount.product_id"),
        ({"kind": "free_shipping", "percent": 10}, "discount.percent"),
        ("10%", "discount"),
    ],
)
def test_bad_discounts_name_the_field(raw, field):
    with pytest.raises(ValidationError) as refused:
        Discount.parse(raw, "USD")
    assert field in refused.value.problems


# -- is it good now ----------------------------------------------------------------------------


def test_a_fresh_code_is_valid_for_its_customer_and_gives_its_discount():
    verdict = check(code(), "c1", NOW)
    assert verdict.valid and verdict.status == VALID
    assert verdict.discount == Discount("percentage", percent=10)


@pytest.mark.parametrize(
    ("changes", "customer", "status", "reason"),
    [
        ({}, "c2", NOT_THEIRS, "another customer"),
        ({"expires_at": NOW}, "c1", EXPIRED, "expired"),
        ({"redeemed_at": NOW, "redeemed_order_id": "o9"}, "c1", REDEEMED, "order o9"),
        ({"voided_at": NOW, "void_reason": "order o3 refunded"}, "c1", VOIDED, "o3 refunded"),
        ({"voided_at": NOW, "redeemed_at": NOW, "expires_at": NOW}, "c1", VOIDED, "voided"),
        ({"redeemed_at": NOW, "expires_at": NOW}, "c1", REDEEMED, "redeemed"),
    ],
)
def test_a_code_that_is_not_good_says_why(changes, customer, status, reason):
    verdict = check(code(**changes), customer, NOW)
    assert verdict.status == status and not verdict.valid and verdict.discount is None
    assert reason in verdict.reason


def test_an_unknown_code_and_one_expiring_later_today():
    assert check(None, "c1", NOW).status == UNKNOWN
    assert check(code(expires_at=NOW + timedelta(seconds=1)), "c1", NOW).valid


def test_codes_are_compared_as_stored():
    assert normalize("  vip-abcd-efgh ") == "VIP-ABCD-EFGH"
