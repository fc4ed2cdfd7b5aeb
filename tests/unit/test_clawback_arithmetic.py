"""The clawback's arithmetic: all of it when it fits or the store allows a negative
balance, else down to zero with the rest a debt; and the policy's days."""

from datetime import UTC, datetime, timedelta

from milepost.domain.clawback import Reversal, reverse, stopped_at, within
from milepost.domain.events import OrderEvent


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


def _event(kind: str, day: int, amount: int | None = None) -> OrderEvent:
    return OrderEvent("e", f"order.{kind}", "c1", "o1", datetime(2026, 1, day, tzinfo=UTC), refund_amount=amount)


def test_an_order_stops_counting_at_its_first_cancellation_or_full_refund_else_its_last_refund() -> None:
    assert (
        stopped_at([_event("refunded", 9), _event("cancelled", 5), _event("refunded", 3, 100)])
        == _event("cancelled", 5).occurred_at
    )
    assert stopped_at([_event("refunded", 4, 100), _event("refunded", 8, 900)]) == datetime(2026, 1, 8, tzinfo=UTC)
    assert stopped_at([]) is None
