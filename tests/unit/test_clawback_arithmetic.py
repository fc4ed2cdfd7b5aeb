"""The clawback's arithmetic: all of it when it fits or the store allows a negative
balance, else down to zero with the rest a debt; and the policy's days."""

from datetime import UTC, datetime, timedelta

from milepost.domain.clawback import Reversal, reverse, within


def test_a_reversal_that_fits_takes_it_all() -> None:
    assert reverse(1500, 2000, allow_negative=False) == Reversal(1500, 0)
    assert reverse(1500, 1500, allow_negative=False) == Reversal(1500, 0)


def test_a_reversal_that_does_not_fit_takes_down_to_zero_and_leaves_a_debt() -> None:
    assert reverse(1500, 500, allow_negative=False) == Reversal(500, 1000)
    assert reverse(1500, 0, allow_negative=False) == Reversal(0, 1500)
    assert reverse(1500, -200, allow_negative=False) == Reversal(0, 1500)  # already below zero


def test_a_store_that_allows_negative_balances_takes_it_all() -> None:
    assert reverse(1500, 0, allow_negative=True) == Reversal(1500, 0)


def test_the_policy_covers_its_days() -> None:
    fired = datetime(2026, 1, 1, tzinfo=UTC)
    assert within(fired, 30, fired + timedelta(days=30))
    assert not within(fired, 30, fired + timedelta(days=30, seconds=1))
