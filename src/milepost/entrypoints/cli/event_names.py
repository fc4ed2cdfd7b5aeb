"""`milepost events names`: the store's event catalogue, every event name it has seen
(built-in types, custom events' names, Milepost's internal events) with count and last seen."""

from __future__ import annotations

from typing import Any

from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option
from milepost.entrypoints.cli.events import events
from milepost.entrypoints.cli.output import print_list, when
from milepost.service.ports import EventName


@events.command("names")
@store_option
@json_option
@pass_app
def names(app: App, store: str, as_json: bool) -> None:
    """Every event name the store has seen, with how many and the latest; `internal` marks
    Milepost's own events (docs/reference/events.md gives their payloads)."""
    found = app.mp.events.names(store)
    tz = app.mp.stores.get(store).timezone

    def row(e: EventName) -> tuple[Any, ...]:
        return (e.name, "internal" if e.internal else "received", e.count, when(e.last_seen_at, tz))

    print_list(found, as_json, ("name", "kind", "count", "last seen"), row, title=f"Event names of {store}")
