"""Webhook endpoints: the queries of service/endpoints.py and what a batch needs of them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, insert, select, update

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.domain.delivery import Endpoint, Secret

_we = t.webhook_endpoints.c


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """The row's values: the endpoint's secrets (a tuple of `Secret`) as their JSON column."""
    if "secrets" not in values:
        return values
    secrets = [
        {"secret": s.secret, "expires_at": s.expires_at.isoformat() if s.expires_at else None}
        for s in values["secrets"]
    ]
    return {**values, "secrets": orjson.dumps(secrets).decode()}


def _endpoint(r: Any) -> Endpoint:
    secrets = tuple(
        Secret(s["secret"], datetime.fromisoformat(s["expires_at"]) if s["expires_at"] else None)
        for s in orjson.loads(r.secrets)
    )
    return Endpoint(
        r.id,
        r.store_id,
        r.url,
        r.description,
        tuple(orjson.loads(r.event_types)),
        bool(r.enabled),
        r.disabled_reason,
        r.created_at,
        r.updated_at,
        secrets,
    )


class EndpointQueries(TxBase):
    def insert_endpoint(self, values: dict[str, Any]) -> Endpoint:
        new_id = self.conn.execute(insert(t.webhook_endpoints).values(**_stored(values)).returning(_we.id)).scalar_one()
        found = self.endpoint(values["store_id"], new_id)
        assert found is not None
        return found

    def endpoint(self, store_id: int, endpoint_id: int | None) -> Endpoint | None:
        row = self.conn.execute(
            select(t.webhook_endpoints).where(_we.store_id == store_id, _we.id == endpoint_id)
        ).first()
        return _endpoint(row) if row else None

    def endpoints_by_id(self, ids: Iterable[int]) -> list[Endpoint]:
        rows = self.conn.execute(select(t.webhook_endpoints).where(_we.id.in_(sorted(ids))))
        return [_endpoint(r) for r in rows]

    def endpoint_by_url(self, store_id: int, url: str | None) -> Endpoint | None:
        row = self.conn.execute(
            select(t.webhook_endpoints).where(_we.store_id == store_id, _we.url == url).order_by(_we.id).limit(1)
        ).first()
        return _endpoint(row) if row else None

    def endpoints(self, store_id: int, after_id: int | None, limit: int) -> list[Endpoint]:
        q = select(t.webhook_endpoints).where(_we.store_id == store_id)
        if after_id is not None:
            q = q.where(_we.id > after_id)
        return [_endpoint(r) for r in self.conn.execute(q.order_by(_we.id).limit(limit))]

    def update_endpoint(self, store_id: int, endpoint_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(
            update(t.webhook_endpoints).where(_we.store_id == store_id, _we.id == endpoint_id).values(**_stored(values))
        )

    def delete_endpoint(self, store_id: int, endpoint_id: int) -> bool:
        result = self.conn.execute(delete(t.webhook_endpoints).where(_we.store_id == store_id, _we.id == endpoint_id))
        return bool(result.rowcount)

    def disable_endpoint(self, store_id: int, endpoint_id: int, reason: str, now: datetime) -> bool:
        """True when this call disabled it (False when it already was, or is gone)."""
        result = self.conn.execute(
            update(t.webhook_endpoints)
            .where(_we.store_id == store_id, _we.id == endpoint_id, _we.enabled.is_(True))
            .values(enabled=False, disabled_reason=reason, updated_at=now)
        )
        if result.rowcount:
            self.bump_rules_version(store_id)
        return bool(result.rowcount)

    def subscriptions(self, store_id: int) -> list[tuple[int, frozenset[str]]]:
        """The enabled endpoints that want at least one internal event, and the events."""
        rows = self.conn.execute(
            select(_we.id, _we.event_types).where(_we.store_id == store_id, _we.enabled.is_(True)).order_by(_we.id)
        )
        found = [(r.id, frozenset(orjson.loads(r.event_types))) for r in rows]
        return [(i, kinds) for i, kinds in found if kinds]
