"""Milepost's own events in the event store, and the catalogue of event names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from milepost.service.ports.rows import EventName, InternalEventRow


class InternalEventsTx(Protocol):
    def insert_internal_events(self, store_id: int, rows: Sequence[InternalEventRow], now: datetime) -> set[str]: ...
    def event_names(self, store_id: int) -> list[EventName]: ...
