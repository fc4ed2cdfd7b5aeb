"""Users of the admin UI, their sessions and failed logins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.domain.users import User


def _user(r: Any) -> User:
    return User(r.id, r.email, r.name, r.role, r.created_at, r.last_login_at, r.disabled_at)


class UserQueries(TxBase):
    def insert_user(self, email: str, name: str, password_hash: str, role: str, now: datetime) -> User:
        values = dict(email=email, name=name, password_hash=password_hash, role=role, created_at=now, updated_at=now)
        new_id = self.conn.execute(insert(t.users).values(**values).returning(t.users.c.id)).scalar_one()
        created = self.user(new_id)
        assert created is not None  # inserted just now, in this transaction
        return created

    def user(self, user_id: int) -> User | None:
        row = self.conn.execute(select(t.users).where(t.users.c.id == user_id)).first()
        return _user(row) if row else None

    def user_by_email(self, email: str) -> tuple[User, str] | None:
        """The user and their password hash."""
        row = self.conn.execute(select(t.users).where(t.users.c.email == email)).first()
        return (_user(row), row.password_hash) if row else None

    def users(self) -> list[User]:
        return [_user(r) for r in self.conn.execute(select(t.users).order_by(t.users.c.email))]

    def count_users(self, role: str | None = None, active: bool = True) -> int:
        u = t.users.c
        q = select(func.count()).select_from(t.users)
        if role is not None:
            q = q.where(u.role == role)
        if active:
            q = q.where(u.disabled_at.is_(None))
        return int(self.conn.execute(q).scalar_one())

    def update_user(self, user_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(update(t.users).where(t.users.c.id == user_id).values(**values))

    # -- sessions ---------------------------------------------------------------------------

    def insert_session(self, session_id: str, user_id: int, csrf: str, now: datetime, expires_at: datetime) -> None:
        values = dict(id=session_id, user_id=user_id, csrf_token=csrf, created_at=now, expires_at=expires_at)
        self.conn.execute(insert(t.web_sessions).values(**values))

    def session(self, session_id: str) -> tuple[int, str, datetime] | None:
        """(user id, CSRF token, expiry) of the session."""
        s = t.web_sessions.c
        row = self.conn.execute(select(s.user_id, s.csrf_token, s.expires_at).where(s.id == session_id)).first()
        return (row.user_id, row.csrf_token, row.expires_at) if row else None

    def delete_sessions(
        self, session_id: str | None = None, user_id: int | None = None, before: datetime | None = None
    ) -> None:
        s = t.web_sessions.c
        q = delete(t.web_sessions)
        if session_id is not None:
            q = q.where(s.id == session_id)
        if user_id is not None:
            q = q.where(s.user_id == user_id)
        if before is not None:
            q = q.where(s.expires_at <= before)
        self.conn.execute(q)

    # -- failed logins ----------------------------------------------------------------------

    def record_login_failure(self, email: str, address: str, now: datetime) -> None:
        self.conn.execute(insert(t.login_failures).values(email=email, address=address, at=now))

    def login_failures(self, since: datetime, email: str | None = None, address: str | None = None) -> int:
        f = t.login_failures.c
        q = select(func.count()).select_from(t.login_failures).where(f.at > since)
        if email is not None:
            q = q.where(f.email == email)
        if address is not None:
            q = q.where(f.address == address)
        return int(self.conn.execute(q).scalar_one())

    def clear_login_failures(self, email: str) -> None:
        self.conn.execute(delete(t.login_failures).where(t.login_failures.c.email == email))
