"""Email templates (as saved and as answered), and one as a customer would get it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from milepost.entrypoints.http.schemas.requests import Body, Content, Name, OptionalContent, OrderId, Subject
from milepost.entrypoints.http.schemas.responses import Timestamp


class Preview(BaseModel):
    """A template as one customer would get it."""

    subject: str
    text: str
    html: str | None


class Template(BaseModel):
    key: str
    name: str
    subject: str
    body_text: str
    body_html: str | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, row: dict[str, Any]) -> Template:
        return cls(**{name: row[name] for name in cls.model_fields})


class TemplateIn(Body):
    subject: Subject
    body_text: Content
    body_html: OptionalContent | None = None
    name: Name | None = Field(None, description="A display name; default: the key.")


class PreviewIn(Body):
    customer_id: OrderId = Field(description="The store's own id of the customer.")
