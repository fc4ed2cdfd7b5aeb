"""`mp.users` and `mp.sessions`: the people who sign in to the admin UI, and their
sign-ins. Users are not a store's: one administrator sees every store."""

from __future__ import annotations

from milepost.capabilities.wiring import Capability
from milepost.domain.users import User, WebSession
from milepost.service import users


class Users(Capability):
    def create(self, email: str, name: str, password: str, role: str = "agent") -> User:
        """A user of the admin UI: `role` "administrator" (changes configuration) or "agent"."""
        w = self._w
        return users.create_user(w.db, w.clock(), email, name, password, role, w.settings.password_hash_cost)

    def get(self, user_id: int) -> User:
        return users.user(self._w.db, user_id)

    def update(
        self,
        user_id: int,
        *,
        name: str | None = None,
        role: str | None = None,
        disabled: bool | None = None,
        password: str | None = None,
    ) -> User:
        """What is not given stays; a new password or disabling signs the user out."""
        changes = users.UserChanges(name=name, role=role, disabled=disabled, password=password)
        w = self._w
        return users.update_user(w.db, w.clock(), user_id, changes, w.settings.password_hash_cost)

    def list(self) -> list[User]:
        return users.users(self._w.db)


class Sessions(Capability):
    def sign_in(self, email: str, password: str, address: str) -> tuple[str, WebSession]:
        """A session for the admin UI: the cookie's token and the session (rate limited by
        `address`); it lasts `admin_session_hours`."""
        w = self._w
        hours, cost = w.settings.admin_session_hours, w.settings.password_hash_cost
        return users.sign_in(w.db, w.clock(), email, password, address, hours, cost)

    def get(self, token: str) -> WebSession | None:
        """The live session of this token, or None."""
        return users.session(self._w.db, self._w.clock(), token)

    def sign_out(self, token: str) -> None:
        users.sign_out(self._w.db, token)
