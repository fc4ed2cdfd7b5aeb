"""The store's event catalogue: every event name it has seen, with count and last seen."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from milepost.entrypoints.http.admin import ReadCaller, problems
from milepost.entrypoints.http.schemas.responses import Page, Timestamp
from milepost.service.ports import EventName

router = APIRouter(prefix="/api/v1/event-names", tags=["events"])


class EventNameOut(BaseModel):
    name: str = Field(description="A type stores send (`order.paid`), a custom event's name, or an internal event.")
    internal: bool = Field(description="One of Milepost's own events (source `milepost`), not one sent to it.")
    count: int = Field(description="How many events of this name the store holds.")
    last_seen_at: Timestamp = Field(description="When the latest of them happened.")
    payload_doc: str | None = Field(
        description="Where the internal event's payload is documented (None for the others)."
    )

    @classmethod
    def of(cls, e: EventName) -> EventNameOut:
        doc = f"docs/reference/events.md#{e.name.replace('.', '')}" if e.internal else None
        return cls(name=e.name, internal=e.internal, count=e.count, last_seen_at=e.last_seen_at, payload_doc=doc)


@router.get(
    "",
    summary="Every event name the store has seen, with count and last seen",
    description="Built-in types, custom events' names and Milepost's internal events, by name; one name sent "
    "by the store and recorded by Milepost (`order.paid`) is two entries.",
    response_model=Page[EventNameOut],
    responses=problems(),
)
def list_event_names(admin: ReadCaller) -> Page[EventNameOut]:
    return Page[EventNameOut](data=[EventNameOut.of(e) for e in admin.mp.events.names(admin.store)], next_cursor=None)
