"""The store of the API key, and a change to its settings."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from milepost.domain import consent, records
from milepost.entrypoints.http.schemas.requests import CountingStatus, Currency, Name, Patch, Timezone, keep
from milepost.entrypoints.http.schemas.responses import from_record
from milepost.service.stores import CLEARABLE, MAX_EXPIRE_DAYS, MAX_POINTS_PER_UNIT, MAX_URL

MilestoneEmails = Literal["marketing", "transactional"]
MILESTONE_EMAILS = (
    "`marketing` (the default): milestone emails go only to customers who consented to email; "
    "`transactional`: to every customer with an email address, consent or not."
)


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
    milestone_emails: MilestoneEmails = Field(description=MILESTONE_EMAILS)
    reply_to_address: str | None = Field(description="The Reply-To of the store's emails; null: none.")
    logo_url: str | None = Field(description="An https URL of the store's logo, for its emails; null: none.")
    locale: str = Field(description="The CLDR locale its money is written in: en_US $10.00, de_DE 10,00 €.")

    @classmethod
    def of(cls, s: records.Store) -> Store:
        return from_record(cls, s)


class StorePatch(Patch):
    clearable = frozenset(CLEARABLE)  # null: the server's default sender, no Reply-To, no logo

    name: Name = keep()
    currency: Currency = keep(description="Only before the store has orders or credit.")
    timezone: Timezone = keep(description="An IANA time zone, like Europe/Paris.")
    counting_status: CountingStatus = keep(
        description="The order status from which an order counts. Only before the store has orders."
    )
    allow_negative_credit: bool = keep()
    points_per_unit: int = keep(
        ge=0,
        le=MAX_POINTS_PER_UNIT,
        description="Points an order earns per whole unit of the currency of its net amount (1: 27.50 USD "
        "earns 27); 0: none. Orders already counted keep the rate they counted at.",
    )
    allow_negative_points: bool = keep()
    points_expire_days: int = keep(
        ge=0,
        le=MAX_EXPIRE_DAYS,
        description="Earned points expire this many days later, oldest first; 0: never. Points already earned "
        "get the whole period from the change.",
    )
    email_from_name: str | None = keep(
        max_length=200, description="The From name of the store's emails; null: the default."
    )
    email_from_address: str | None = keep(
        max_length=320, description="The From address of the store's emails; null: the default."
    )
    reply_to_address: str | None = keep(
        max_length=320, description="Where replies to the store's emails go (the Reply-To header); null: none."
    )
    logo_url: str | None = keep(
        max_length=MAX_URL,
        description="An https URL of the store's logo, an image the store hosts; templates show it as "
        "{{ store.logo_url }}. Null: none.",
    )
    milestone_emails: MilestoneEmails = keep(description=MILESTONE_EMAILS)
    locale: str = keep(
        max_length=32,
        description="A CLDR locale, like en_US, de_DE or fr_FR: how the admin, the CLI and email templates "
        "write the store's money ($10.00, 10,00 €). The API's amounts stay minor units.",
    )

    def changes(self) -> dict[str, Any]:
        """The fields given; a cleared one (null) as the empty value the service clears."""
        return {k: ("" if v is None else v) for k, v in super().changes().items()}


class EmailReach(BaseModel):
    """How many of the store's customers a milestone email would reach today."""

    customers: int = Field(description="The store's customers.")
    reached: int = Field(description="Those an email would reach: an address, and consent unless transactional.")
    no_address: int = Field(description="Customers without an email address.")
    no_consent: int = Field(description="Customers with an address but no email consent; 0 when transactional.")
    milestone_emails: MilestoneEmails
    text: str = Field(description="The same in words, as the admin's forms show it.")

    @classmethod
    def of(cls, r: consent.EmailReach) -> EmailReach:
        return from_record(cls, r, text=r.describe())
