"""Fixtures the integration tests share: a webhook receiver and the real time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from milepost.testing import FrozenClock
from support.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP server that records what it receives."""
    with Receiver() as r:
        yield r


@pytest.fixture
def live_clock(clock: FrozenClock) -> FrozenClock:
    """The real time: the standardwebhooks library checks the signed timestamp against it."""
    clock.set(datetime.now(UTC).replace(microsecond=0))
    return clock
