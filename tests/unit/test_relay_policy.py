"""The relay's retry policy and the scheduler's cadence: pure functions of their inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from milepost.relay.outcome import Outcome, decide, kept, skip
from milepost.relay.ports import FAILED, GONE, RETRY, SENT, SendResult
from milepost.scheduler import Every, is_due

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
SCHEDULE = (0, 5, 300)


def verdict(outcome: Outcome, attempts: int = 1) -> tuple[str, datetime | None, str, bool]:
    found = decide(outcome, attempts, NOW, SCHEDULE, jitter=0)
    return found.status, found.due, found.why, found.gone


def test_sent_kept_and_skipped_messages_are_done() -> None:
    assert verdict(Outcome(SendResult(SENT)))[0] == "sent"
    assert verdict(kept("sms", "k", "+1", "+2", None, "hi", None))[0] == "sent"
    assert verdict(skip("no consent"))[0] == "skipped"


def test_a_temporary_failure_waits_for_the_next_slot_then_dies() -> None:
    assert verdict(Outcome(SendResult(RETRY)), attempts=1) == ("pending", NOW + timedelta(seconds=5), "", False)
    assert verdict(Outcome(SendResult(RETRY, retry_after=60)), attempts=1)[1] == NOW + timedelta(seconds=60)
    assert verdict(Outcome(SendResult(RETRY)), attempts=3) == ("dead", None, "failed after 3 attempts", False)
    one = decide(Outcome(SendResult(RETRY)), 1, NOW, (0,), jitter=0)
    assert (one.status, one.why) == ("dead", "failed after 1 attempt")  # not "1 times"


@pytest.mark.parametrize(
    ("outcome", "why", "gone"),
    [
        (Outcome(SendResult(FAILED)), "was refused", False),
        (Outcome(SendResult(GONE), endpoint_id=7), "was refused for good", True),
        (Outcome(SendResult(GONE)), "was refused", False),
    ],
)
def test_refusals_are_dead_at_once(outcome: Outcome, why: str, gone: bool) -> None:
    assert verdict(outcome) == ("dead", None, why, gone)


def test_a_sweep_runs_at_once_then_every_interval() -> None:
    every = Every(3600)
    assert is_due(every, None, NOW)
    assert not is_due(every, NOW, NOW + timedelta(minutes=59))
    assert is_due(every, NOW, NOW + timedelta(hours=1))
