"""The people who use the admin UI: Administrators change configuration, Agents work
with customers and alerts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

ADMINISTRATOR, AGENT = "administrator", "agent"
ROLES = (ADMINISTRATOR, AGENT)
ROLE_NAMES = {ADMINISTRATOR: "Administrator", AGENT: "Agent"}
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    name: str
    role: str
    created_at: datetime
    last_login_at: datetime | None = None
    disabled_at: datetime | None = None

    @property
    def is_administrator(self) -> bool:
        return self.role == ADMINISTRATOR

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in browser: the user, and the token its forms must carry (CSRF)."""

    user: User
    csrf_token: str
    expires_at: datetime


def email_problem(email: str) -> str | None:
    if not isinstance(email, str) or len(email) > 320 or not _EMAIL.match(email):
        return "must be an email address, like 'ada@shop.example'"
    return None
