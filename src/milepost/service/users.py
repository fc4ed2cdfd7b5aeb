"""Users of the admin UI: created by an Administrator (or `milepost users create`),
signed in with their email and password, signed out, disabled.

Sign-in is rate limited in the database, so every server process sees the same count:
after `MAX_PER_EMAIL` failures for one email, or `MAX_PER_ADDRESS` from one client
address, within `WINDOW`, further attempts are refused without looking at the password
until the window has passed. A wrong email takes as long as a wrong password.

A session is a random token in a cookie; the database keeps only its SHA-256, with the
CSRF token its forms must carry and its expiry.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TypedDict

from milepost.domain.passwords import N, dummy_hash, hash_password, needs_rehash, password_problem, verify_password
from milepost.domain.users import ADMINISTRATOR, ROLES, User, WebSession, email_problem
from milepost.errors import Conflict, MilepostError, ValidationError
from milepost.service.existing import existing
from milepost.service.ports import Storage

WINDOW = timedelta(minutes=15)
MAX_PER_EMAIL = 5
MAX_PER_ADDRESS = 20


class LoginRefused(MilepostError):
    """A wrong email or password, or a disabled user (the message never says which)."""

    title = "Sign-in refused"


class TooManyAttempts(MilepostError):
    title = "Too many attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds


def create_user(db: Storage, now: datetime, email: str, name: str, password: str, role: str, cost: int = N) -> User:
    """A new user; the password is hashed at `cost` (scrypt's N)."""
    email = _normal(email)
    problems = {}
    if (why := email_problem(email)) is not None:
        problems["email"] = why
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems["name"] = "is required, at most 200 characters"
    if (why := password_problem(password)) is not None:
        problems["password"] = why
    if role not in ROLES:
        problems["role"] = f"must be one of {', '.join(ROLES)}"
    if problems:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
    with db.write() as tx:
        if tx.user_by_email(email) is not None:
            raise ValidationError(f"a user with the email {email!r} exists already", {"email": "is taken"})
        return tx.insert_user(email, name.strip(), hash_password(password, cost), role, now)


def users(db: Storage) -> list[User]:
    with db.read() as tx:
        return tx.users()


def user(db: Storage, user_id: int) -> User:
    with db.read() as tx:
        return existing(tx.user(user_id), f"no user {user_id}")


class UserChanges(TypedDict):
    """What `update_user` changes; None keeps it as it is."""

    name: str | None
    role: str | None
    disabled: bool | None
    password: str | None


def update_user(db: Storage, now: datetime, user_id: int, changes: UserChanges, cost: int = N) -> User:
    """Change a user; the last active Administrator cannot be demoted or disabled. A new
    password (hashed at `cost`) or disabling signs the user out everywhere."""
    name, role, disabled, password = changes["name"], changes["role"], changes["disabled"], changes["password"]
    values: dict[str, object] = {}
    problems = {}
    if name is not None:
        if not name.strip() or len(name) > 200:
            problems["name"] = "is required, at most 200 characters"
        values["name"] = name.strip()
    if role is not None:
        if role not in ROLES:
            problems["role"] = f"must be one of {', '.join(ROLES)}"
        values["role"] = role
    if password is not None:
        if (why := password_problem(password)) is not None:
            problems["password"] = why
        values["password_hash"] = hash_password(password, cost)
    if disabled is not None:
        values["disabled_at"] = now if disabled else None
    if problems:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
    with db.write() as tx:
        found = existing(tx.user(user_id), f"no user {user_id}")
        loses_admin = (
            found.is_administrator
            and found.disabled_at is None
            and (values.get("role", found.role) != ADMINISTRATOR or values.get("disabled_at") is not None)
        )
        if loses_admin and tx.count_users(ADMINISTRATOR) <= 1:
            raise Conflict("the last Administrator cannot be demoted or disabled")
        if values:
            tx.update_user(user_id, {**values, "updated_at": now})
        if "password_hash" in values or values.get("disabled_at") is not None:
            tx.delete_sessions(user_id=user_id)
        changed = tx.user(user_id)
    assert changed is not None  # read back in the transaction that changed it
    return changed


def sign_in(
    db: Storage, now: datetime, email: str, password: str, address: str, hours: float, cost: int = N
) -> tuple[str, WebSession]:
    """A new session for the user with this email and password: its cookie token and
    the session. Refused (LoginRefused) when they do not match or the user is disabled;
    TooManyAttempts after too many failures. A password hashed at another cost than
    `cost` is hashed again at `cost`."""
    email = _normal(email)
    since = now - WINDOW
    with db.read() as tx:
        per_email = tx.login_failures(since, email=email)
        per_address = tx.login_failures(since, address=address)
        found = tx.user_by_email(email)
    if per_email >= MAX_PER_EMAIL or per_address >= MAX_PER_ADDRESS:
        raise TooManyAttempts("too many failed sign-ins: wait a few minutes and try again", int(WINDOW.total_seconds()))
    stored = found[1] if found is not None else dummy_hash(cost)
    matches = verify_password(password, stored)  # checked even for an unknown email: the same time either way
    if found is None or not matches or found[0].disabled_at is not None:
        with db.write() as tx:
            tx.record_login_failure(email, address, now)
        raise LoginRefused("the email or the password is wrong")
    user = found[0]
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=hours)
    with db.write() as tx:
        tx.clear_login_failures(email)
        tx.delete_sessions(before=now)  # the expired ones, anyone's
        tx.insert_session(_digest(token), user.id, csrf, now, expires)
        values: dict[str, object] = {"last_login_at": now}
        if needs_rehash(stored, cost):
            values["password_hash"] = hash_password(password, cost)
        tx.update_user(user.id, values)
        signed_in = tx.user(user.id)
    assert signed_in is not None  # read back in the transaction that changed it
    return token, WebSession(signed_in, csrf, expires)


def session(db: Storage, now: datetime, token: str) -> WebSession | None:
    """The live session of a cookie's token, or None (unknown, expired, user disabled)."""
    if not token or len(token) > 128:
        return None
    with db.read() as tx:
        found = tx.session(_digest(token))
        if found is None:
            return None
        user_id, csrf, expires = found
        if expires <= now:
            return None
        user = tx.user(user_id)
    if user is None or user.disabled_at is not None:
        return None
    return WebSession(user, csrf, expires)


def sign_out(db: Storage, token: str) -> None:
    with db.write() as tx:
        tx.delete_sessions(session_id=_digest(token))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _normal(email: str) -> str:
    return email.strip().lower() if isinstance(email, str) else email
