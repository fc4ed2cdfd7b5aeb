"""`mp.webhooks`: the endpoints a store's events are posted to, signed with their secret."""

from __future__ import annotations

from milepost.capabilities.wiring import Capability
from milepost.domain.delivery import Endpoint
from milepost.service import endpoints


class Webhooks(Capability):
    def create(self, store: str, *, url: str, event_types: list[str], description: str = "") -> tuple[Endpoint, str]:
        """A new endpoint and its signing secret (`whsec_...`)."""
        w = self._w
        return endpoints.create_endpoint(
            w.db,
            w.clock(),
            w.store_id(store),
            url=url,
            event_types=event_types,
            description=description,
            check_url=w.check_url,
        )

    def get(self, store: str, endpoint_id: int) -> Endpoint:
        return endpoints.get_endpoint(self._w.db, self._w.store_id(store), endpoint_id)

    def update(
        self,
        store: str,
        endpoint_id: int,
        *,
        url: str | None = None,
        event_types: list[str] | None = None,
        description: str | None = None,
        enabled: bool | None = None,
    ) -> Endpoint:
        """Change what is given; what is None stays."""
        w = self._w
        changes = endpoints.EndpointChanges(url=url, event_types=event_types, description=description, enabled=enabled)
        return endpoints.update_endpoint(
            w.db, w.clock(), w.store_id(store), endpoint_id, changes, check_url=w.check_url
        )

    def delete(self, store: str, endpoint_id: int) -> None:
        """Delete it; its pending deliveries are parked as dead. A Conflict while a program's
        webhook action posts to its URL."""
        endpoints.delete_endpoint(self._w.db, self._w.clock(), self._w.store_id(store), endpoint_id)

    def rotate_secret(self, store: str, endpoint_id: int) -> tuple[Endpoint, str]:
        """A new secret; the old one keeps signing (both signatures sent) for a day."""
        return endpoints.rotate_secret(self._w.db, self._w.clock(), self._w.store_id(store), endpoint_id)

    def secret(self, store: str, endpoint_id: int) -> str:
        """The endpoint's current (newest) signing secret."""
        return endpoints.current_secret(self._w.db, self._w.clock(), self._w.store_id(store), endpoint_id)

    def list(self, store: str, after_id: int | None = None, limit: int | None = None) -> list[Endpoint]:
        """By id; `after_id` (the last id seen) and `limit` give one page."""
        return endpoints.list_endpoints(self._w.db, self._w.store_id(store), after_id, limit)
