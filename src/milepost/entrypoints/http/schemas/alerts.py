"""An admin alert, and who acknowledges or resolves it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from milepost.domain import records
from milepost.entrypoints.http.schemas.requests import Body, Name
from milepost.entrypoints.http.schemas.responses import Timestamp, from_record
from milepost.entrypoints.http.wire import public_id


class Alert(BaseModel):
    id: str = Field(examples=["alr_5"])
    customer_id: str | None
    message: str
    status: str = Field(description="`open`, `acknowledged` (someone is on it) or `resolved`.")
    milestone_id: str | None = Field(
        description="The milestone whose alert action created it, or whose clawback left a debt."
    )
    created_at: Timestamp
    acknowledged_at: Timestamp | None
    acknowledged_by: str | None
    assignee: str | None = Field(
        description="The email of the user who must act (an agent the alert action names, or the "
        "customer's account manager); null: anyone."
    )
    resolved_at: Timestamp | None
    resolved_by: str | None

    @classmethod
    def of(cls, a: records.Alert) -> Alert:
        return from_record(cls, a, id=public_id("alert", a.id), milestone_id=public_id("milestone", a.firing_id))


class AcknowledgeIn(Body):
    by: Name | None = Field(None, description="Who handled the alert; default: the API key.")
