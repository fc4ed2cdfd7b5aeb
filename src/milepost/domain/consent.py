"""Who a customer message may reach: an address, and for marketing the customer's consent.

New customers have no consent (email or text) until an event gives it. A store says
whether its milestone emails are `marketing` (the default: sent only with email consent)
or `transactional` (sent without it; never without an address). Texts always need consent.
The relay decides with these before sending, a retry of a skipped message again, and the
reach the admin's forms show counts by the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from milepost.domain.users import User

MILESTONE_EMAILS = ("marketing", "transactional")

NO_EMAIL = "the customer has no email address"
NO_EMAIL_CONSENT = "the customer has not consented to marketing email"
NO_PHONE = "the customer has no phone number"
NO_SMS_CONSENT = "the customer has not consented to text messages"


class Reachable(Protocol):
    @property
    def email(self) -> str | None: ...
    @property
    def email_consent(self) -> bool: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def sms_consent(self) -> bool: ...


def email_blocked(customer: Reachable, milestone_emails: str) -> str | None:
    """Why a milestone email must not go to this customer, or None: it may."""
    if not customer.email:
        return NO_EMAIL
    if milestone_emails != "transactional" and not customer.email_consent:
        return NO_EMAIL_CONSENT
    return None


def agent_blocked(assignee: str, user: User | None) -> str | None:
    """Why an alert's internal email must not go to the user it names (found by that
    email, or None), or None: it may."""
    if user is None or user.disabled_at is not None:
        return f"no active user has the email {assignee}"
    return None


def sms_blocked(customer: Reachable) -> str | None:
    """Why a text must not go to this customer, or None: it may."""
    if not customer.phone:
        return NO_PHONE
    if not customer.sms_consent:
        return NO_SMS_CONSENT
    return None


@dataclass(frozen=True, slots=True)
class EmailReach:
    """How many of a store's customers a milestone email would reach today, and why not the others."""

    customers: int
    no_address: int  # no email address
    no_consent: int  # an address but no email consent, where the store needs it (0 when transactional)
    milestone_emails: str

    @property
    def reached(self) -> int:
        return self.customers - self.no_address - self.no_consent

    def describe(self) -> str:
        """`This email would reach 3 of 10 customers today; 2 have no email address, 5 have not
        consented to marketing email.`"""
        reach = f"This email would reach {self.reached:,} of {_customers(self.customers)} today"
        address = f"{self.no_address:,} {'has' if self.no_address == 1 else 'have'} no email address"
        if self.milestone_emails == "transactional":
            return f"{reach}; {address}. Milestone emails are transactional: they need no marketing consent."
        consent = f"{self.no_consent:,} {'has' if self.no_consent == 1 else 'have'} not consented to marketing email"
        return f"{reach}; {address}, {consent}."


def _customers(n: int) -> str:
    return f"{n:,} {'customer' if n == 1 else 'customers'}"
