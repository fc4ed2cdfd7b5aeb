"""`mp.stores`: the stores, named by their key everywhere in the Python API."""

from __future__ import annotations

from typing import Any

from milepost.capabilities.wiring import Capability
from milepost.domain.records import Store
from milepost.service import dashboard, stores
from milepost.service.ports.dashboard import StoreFigures


class Stores(Capability):
    def create(
        self,
        key: str,
        name: str,
        *,
        currency: str = "USD",
        timezone: str = "UTC",
        counting_status: str = "paid",
        allow_negative_credit: bool = False,
        points_per_unit: int = 0,
        allow_negative_points: bool = False,
        points_expire_days: int = 0,
        milestone_emails: str = "marketing",
        locale: str = "en_US",
    ) -> Store:
        """A new store. `points_per_unit`: points an order earns per whole unit of the
        currency of its net amount (1: 27.50 USD earns 27); 0, the default, earns none.
        `points_expire_days`: earned points expire that many days later, oldest first; 0,
        the default: never. `milestone_emails`: "marketing" (the default) sends milestone
        emails only to customers who consented to email; "transactional" sends them to every
        customer with an address. `locale`: a CLDR locale, how the store's money is written
        (en_US: $10.00; de_DE: 10,00 €)."""
        settings = dict(
            key=key,
            name=name,
            currency=currency,
            timezone=timezone,
            counting_status=counting_status,
            allow_negative_credit=allow_negative_credit,
            points_per_unit=points_per_unit,
            allow_negative_points=allow_negative_points,
            points_expire_days=points_expire_days,
            milestone_emails=milestone_emails,
            locale=locale,
        )
        return stores.create_store(self._w.db, self._w.clock(), settings)

    def get(self, key: str) -> Store:
        return self._w.store(key)

    def update(self, key: str, **changes: Any) -> Store:
        """Change the settings given (name, currency, timezone, email_from_name, email_from_address,
        reply_to_address, logo_url, locale, ...); the key never changes. An empty sender, Reply-To or
        logo clears it."""
        return stores.update_store(self._w.db, self._w.clock(), self._w.store_id(key), **changes)

    def figures(self, days: int = 30) -> list[tuple[Store, StoreFigures]]:
        """Every store, by key, with its key figures: customers, orders counted and milestones
        reached in the last `days` days, credit outstanding."""
        return dashboard.store_figures(self._w.db, self._w.clock(), days)

    def list(self) -> list[Store]:
        """Every store, by key."""
        with self._w.db.read() as tx:
            return tx.list_stores()
