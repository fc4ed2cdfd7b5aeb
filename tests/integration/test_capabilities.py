"""What the capability API adds to the services it calls, on every backend: one ledger
with a unit, and one wiring that every capability shares."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from milepost_kit import paid

from milepost import Milepost
from milepost.config import Settings
from milepost.errors import NotFound, ValidationError
from milepost.testing import FrozenClock

VIP = [{"type": "credit", "amount": 1000}, {"type": "points", "points": 50}]


def test_credit_and_points_are_one_ledger_with_a_unit(mp: Milepost, store: str) -> None:
    mp.order_count_events.create(store, count=1, name="First", actions=VIP)
    mp.ingest(store, [paid("c1", "o1", 2500)])

    mp.ledgers.spend(store, "c1", 300, unit="credit", key="k1")
    mp.ledgers.adjust(store, "c1", -20, unit="points", key="k1", reason="returned")

    assert [e.amount for e in mp.ledgers.entries(store, "c1", unit="credit")] == [1000, -300]
    assert [e.points for e in mp.ledgers.entries(store, "c1", unit="points")] == [50, -20]
    for unknown in ("miles", "Credit", ""):
        with pytest.raises(ValidationError, match="unit must be one of credit, points"):
            mp.ledgers.spend(store, "c1", 1, unit=unknown, key="k2")
        with pytest.raises(ValidationError):
            mp.ledgers.entries(store, "c1", unit=unknown)


def test_every_capability_sees_a_change_of_settings_and_of_clock(mp: Milepost, store: str) -> None:
    mp.settings = Settings(webhooks_allow_private=True, admin_session_hours=2)
    mp.clock = FrozenClock(datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC))

    endpoint, _ = mp.webhooks.create(store, url="http://127.0.0.1:9/hook", event_types=[])
    email = f"ada-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(email, "Ada", "a long passphrase")
    _, session = mp.sessions.sign_in(email, "a long passphrase", "10.9.0.1")

    assert endpoint.url == "http://127.0.0.1:9/hook"  # a loopback address: allowed now
    assert session.expires_at == datetime(2031, 1, 2, 5, 4, 5, tzinfo=UTC)


def test_an_unknown_store_is_not_found_by_every_capability(mp: Milepost) -> None:
    with pytest.raises(NotFound):
        mp.customers.list("no-such-store")
    with pytest.raises(NotFound):
        mp.sweeps.inactivity(["no-such-store"])
