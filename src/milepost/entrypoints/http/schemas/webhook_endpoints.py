"""Webhook endpoints: as created, changed and answered, with their signing secret apart."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from milepost.domain import delivery as d
from milepost.entrypoints.http.schemas.requests import Body, Patch, keep, text
from milepost.entrypoints.http.schemas.responses import Timestamp, from_record
from milepost.entrypoints.http.wire import public_id

EventType = Literal[d.WEBHOOK_EVENT_TYPES]  # type: ignore[valid-type]
Url = Annotated[str, text(2000)]
URL_HELP = (
    "An http(s) URL. One that resolves to this machine or a private network is refused unless the server "
    "sets MILEPOST_WEBHOOKS_ALLOW_PRIVATE."
)
Description = Annotated[str, text(200, blank=True)]
EVENT_TYPES_HELP = "The internal events it receives: " + ", ".join(d.WEBHOOK_EVENT_TYPES) + "."


class WebhookEndpointIn(Body):
    url: Url = Field(description=URL_HELP, examples=["https://hooks.example.com/milepost"])
    event_types: list[EventType] = Field(default_factory=list, max_length=20, description=EVENT_TYPES_HELP)
    description: Description = ""


class WebhookEndpointPatch(Patch):
    url: Url = keep(description=URL_HELP)
    event_types: list[EventType] = keep(max_length=20, description="Replaces the list; [] for none.")
    description: Description = keep()
    enabled: bool = keep(description="true enables a disabled endpoint again (its dead deliveries stay dead).")


class WebhookEndpoint(BaseModel):
    id: str = Field(examples=["whe_4"])
    url: str
    description: str
    event_types: list[str] = Field(description=EVENT_TYPES_HELP)
    enabled: bool
    disabled_reason: str | None = Field(description="Why it is disabled: by an operator, or it answered 410 Gone.")
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, e: d.Endpoint) -> WebhookEndpoint:
        return from_record(cls, e, id=public_id("webhook_endpoint", e.id), event_types=list(e.event_types))


SECRET_HELP = "The signing secret: `whsec_` and 32 bytes in base64."


class WebhookSecret(BaseModel):
    secret: str = Field(description=SECRET_HELP)


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str = Field(description=SECRET_HELP + " Keep it: receivers verify signatures with it.")

    @classmethod
    def with_secret(cls, e: d.Endpoint, secret: str) -> WebhookEndpointWithSecret:
        return cls(**WebhookEndpoint.of(e).model_dump(), secret=secret)
