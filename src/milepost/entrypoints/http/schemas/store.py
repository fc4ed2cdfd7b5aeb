"""The store of the API key."""

from __future__ import annotations

from pydantic import BaseModel, Field

from milepost.domain import records
from milepost.entrypoints.http.schemas.requests import CountingStatus


class Store(BaseModel):
    key: str = Field(description="The store's key; it never changes.")
    name: str
    currency: str
    timezone: str
    counting_status: CountingStatus
    allow_negative_credit: bool
    points_per_unit: int = Field(description="Points an order earns per whole unit of the currency; 0: none.")
    allow_negative_points: bool
    points_expire_days: int | None = Field(description="Earned points expire this many days later; null: never.")
    email_from_name: str | None = Field(description="Null: the server's default (MILEPOST_EMAIL_FROM_NAME).")
    email_from_address: str | None = Field(description="Null: the server's default (MILEPOST_EMAIL_FROM_ADDRESS).")

    @classmethod
    def of(cls, s: records.Store) -> Store:
        return cls(
            key=s.key,
            name=s.name,
            currency=s.currency,
            timezone=s.timezone,
            counting_status=s.counting_status,
            allow_negative_credit=s.allow_negative_credit,
            points_per_unit=s.points_per_unit,
            allow_negative_points=s.allow_negative_points,
            points_expire_days=s.points_expire_days,
            email_from_name=s.email_from_name,
            email_from_address=s.email_from_address,
        )
