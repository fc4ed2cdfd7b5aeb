"""A customer's event history on their page: newest first, a page at a time (`?events=`
the position of the last event shown, for the older ones), each event with its name (a
custom event's own), amount and order, and what it carried: a custom event's properties,
an internal event's data."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

import orjson

from milepost.bootstrap import Milepost
from milepost.domain.records import Store
from milepost.entrypoints.web import render
from milepost.formatting import store_money
from milepost.service.ports.customers import EventLine, EventPosition

PAGE = 20
_DETAIL = 160  # characters of an event's properties shown


def history(mp: Milepost, store: Store, customer_id: str, url: str, cursor: str = "") -> dict[str, Any]:
    """The page of the customer's events after `cursor` (none: the latest), and the links
    to the newest and to the older ones (None: there are none)."""
    found = mp.customers.events(store.key, customer_id, PAGE + 1, _position(cursor))
    kept = found[:PAGE]
    older = f"{url}?events={_cursor(kept[-1])}#events" if len(found) > PAGE else None
    return {"rows": [_row(e, store) for e in kept], "older": older, "newest": f"{url}#events" if cursor else None}


def _cursor(e: EventLine) -> str:
    raw = orjson.dumps([e.occurred_at.isoformat(), e.source, e.external_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _position(cursor: str) -> EventPosition | None:
    """The position a cursor names; one this page did not make is the first page."""
    if not cursor:
        return None
    try:
        at, source, external_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        when = datetime.fromisoformat(at)
    except (binascii.Error, orjson.JSONDecodeError, ValueError, TypeError):
        return None
    if when.tzinfo is None or not isinstance(source, str) or not isinstance(external_id, str):
        return None
    return (when.astimezone(UTC), source, external_id)


def _row(e: EventLine, store: Store) -> list[Any]:
    """When, what (a custom event's name), amount, order, and what it carried."""
    try:
        payload = orjson.loads(e.payload)
    except orjson.JSONDecodeError:
        payload = {}
    payload = payload if isinstance(payload, dict) else {}
    internal = e.source == "milepost"
    name = payload.get("name") if e.type == "custom" else None
    what = f"{e.type}: {name}" if isinstance(name, str) else e.type
    if internal:
        what = f"{e.type} (Milepost)"
    amount = payload.get("refund_amount", payload.get("total"))
    currency = payload.get("currency")
    currency = currency if isinstance(currency, str) else store.currency
    shown = store_money(store, amount, currency) if type(amount) is int else ""
    return [render.when(e.occurred_at, store), what, shown, e.order_id or "", _detail(payload, internal)]


def _detail(payload: dict[str, Any], internal: bool) -> str:
    if internal:
        data = payload.get("data")
        carried = {k: v for k, v in data.items() if k not in ("store", "customer")} if isinstance(data, dict) else {}
    else:
        given = payload.get("properties")
        carried = given if isinstance(given, dict) else {}
    if not carried:
        return ""
    text = orjson.dumps(carried).decode()
    return text if len(text) <= _DETAIL else text[: _DETAIL - 1] + "…"
