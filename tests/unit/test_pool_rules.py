"""The pure rules of coupon pools: which imported codes are good, and how bad rows are told."""

from __future__ import annotations

import pytest

from milepost.domain.pools import MAX_PROBLEMS, Pool, check_rows, check_threshold
from milepost.errors import ValidationError


def test_good_rows_come_back_normalized_in_order():
    assert [c.code for c in check_rows([(1, " spr-1a "), (2, "SPR_2B")])] == ["SPR-1A", "SPR_2B"]


def test_every_bad_row_is_named_by_its_line():
    rows = [(2, "SPR-1"), (3, "spr-1"), (4, None), (5, "TAKEN"), (7, "é-code")]
    with pytest.raises(ValidationError) as refused:
        check_rows(rows, taken={"TAKEN"})
    assert refused.value.problems == {
        "line 3": "SPR-1 is a duplicate of line 2",
        "line 4": "empty code",
        "line 5": "TAKEN is already a code of this store",
        "line 7": "a code may hold only letters, digits, '-' and '_'",
    }


def test_a_long_list_of_bad_rows_is_cut_with_a_count():
    with pytest.raises(ValidationError) as refused:
        check_rows([(n, "!") for n in range(1, MAX_PROBLEMS + 6)])
    assert str(refused.value).endswith("; and 5 more") and len(refused.value.problems) == MAX_PROBLEMS


def test_a_pool_is_low_below_its_threshold_only():
    pool = Pool("p", "P", None, 3, None, total=5, assigned=2)  # type: ignore[arg-type]
    assert (pool.left, pool.low) == (3, False)
    assert Pool("p", "P", None, 3, None, total=5, assigned=3).low  # type: ignore[arg-type]
    assert check_threshold(None) is None
    with pytest.raises(ValidationError):
        check_threshold(True)
