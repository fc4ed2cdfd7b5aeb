"""What every capability holds: the database, the clock, the settings and the ids of the
stores it was asked about by key. `Milepost` builds one and hands it to each capability,
so a change of settings (`mp.settings = ...`) reaches them all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from milepost.adapters.channels.addresses import check_address
from milepost.adapters.storage.database import Database
from milepost.config import Settings
from milepost.domain.records import Store
from milepost.service import stores
from milepost.service.ports import UrlCheck

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False)
class Wiring:
    db: Database
    clock: Clock
    settings: Settings
    batch_attempts: int = 5
    _store_ids: dict[str, int] = field(default_factory=dict, repr=False)

    def store_id(self, key: str) -> int:
        """The id of the store `key` (NotFound unless it exists), asked once per key."""
        if key not in self._store_ids:
            self._store_ids[key] = stores.store_by_key(self.db, key).id
        return self._store_ids[key]

    def store_ids(self, keys: list[str] | None) -> list[int] | None:
        """The ids of the stores named, or None (every store) when none are."""
        return [self.store_id(k) for k in keys] if keys else None

    def store(self, key: str) -> Store:
        """The store `key` as it is now."""
        return stores.store_by_key(self.db, key)

    @property
    def check_url(self) -> UrlCheck:
        """What refuses a webhook URL when it is saved: the channels' check of its form and
        of an address written in it (no DNS, so saving works offline; the relay resolves
        and checks again before each delivery), allowing addresses that are not public
        only as the settings of the moment say."""
        return partial(check_address, allow_private=self.settings.webhooks_allow_private)


class Capability:
    """One capability of the Python API (`mp.stores`, `mp.ledgers`, ...) over the wiring."""

    def __init__(self, wiring: Wiring) -> None:
        self._w = wiring
