"""Users of the admin UI, on every backend: hashed passwords, sign-in and its rate limit,
sessions that expire and end, the last Administrator kept."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError as PydanticValidationError

from milepost import Milepost
from milepost.adapters.storage import tables as t
from milepost.bootstrap import connect
from milepost.config import Settings
from milepost.errors import Conflict, ValidationError
from milepost.service.users import MAX_PER_ADDRESS, MAX_PER_EMAIL, LoginRefused, TooManyAttempts

PASSWORD = "correct horse battery"


def email() -> str:
    return f"u-{uuid.uuid4().hex[:10]}@shop.example"


def test_a_user_signs_in_with_a_hashed_password_and_out_again(mp: Milepost, clock):
    user = mp.users.create(email(), "Ada", PASSWORD, role="administrator")
    with mp.db.engine.connect() as conn:
        stored = conn.execute(sa.select(t.users.c.password_hash).where(t.users.c.id == user.id)).scalar_one()
    assert PASSWORD not in stored and stored.startswith("scrypt$")

    token, session = mp.sessions.sign_in(user.email.upper(), PASSWORD, "10.0.0.1")  # emails match in any case
    assert session.user.id == user.id and session.user.is_administrator and len(session.csrf_token) >= 32
    with mp.db.engine.connect() as conn:
        ids = conn.execute(sa.select(t.web_sessions.c.id).where(t.web_sessions.c.user_id == user.id)).scalars().all()
    assert token not in ids  # only its digest is stored
    assert mp.sessions.get(token).user.email == user.email
    assert mp.users.get(user.id).last_login_at == clock()

    mp.sessions.sign_out(token)
    assert mp.sessions.get(token) is None


def test_a_session_expires(mp: Milepost, clock):
    user = mp.users.create(email(), "Ada", PASSWORD)
    token, session = mp.sessions.sign_in(user.email, PASSWORD, "10.0.0.1")
    assert session.user.role == "agent"
    clock.advance(hours=mp.settings.admin_session_hours)
    assert mp.sessions.get(token) is None
    assert mp.sessions.get("not-a-token") is None and mp.sessions.get("") is None


def test_wrong_passwords_unknown_emails_and_disabled_users_are_refused_alike(mp: Milepost):
    user = mp.users.create(email(), "Ada", PASSWORD)
    messages = set()
    for who, password in ((user.email, "wrong password!"), (email(), PASSWORD)):
        with pytest.raises(LoginRefused) as e:
            mp.sessions.sign_in(who, password, "10.0.0.2")
        messages.add(str(e.value))
    token, _ = mp.sessions.sign_in(user.email, PASSWORD, "10.0.0.2")
    mp.users.update(user.id, disabled=True)
    assert mp.sessions.get(token) is None  # disabling signs out
    with pytest.raises(LoginRefused) as e:
        mp.sessions.sign_in(user.email, PASSWORD, "10.0.0.2")
    messages.add(str(e.value))
    assert len(messages) == 1  # never says which


def test_sign_in_is_rate_limited_per_email_and_per_address(mp: Milepost, clock):
    user = mp.users.create(email(), "Ada", PASSWORD)
    for _ in range(MAX_PER_EMAIL):
        with pytest.raises(LoginRefused):
            mp.sessions.sign_in(user.email, "wrong password!", f"10.1.0.{_}")
    with pytest.raises(TooManyAttempts):
        mp.sessions.sign_in(user.email, PASSWORD, "10.1.1.1")  # even the right password, for a while
    clock.advance(minutes=16)
    mp.sessions.sign_in(user.email, PASSWORD, "10.1.1.1")

    address = f"10.2.{uuid.uuid4().int % 250}.1"
    for _ in range(MAX_PER_ADDRESS):
        with pytest.raises(LoginRefused):
            mp.sessions.sign_in(email(), "wrong password!", address)
    with pytest.raises(TooManyAttempts):
        mp.sessions.sign_in(user.email, PASSWORD, address)


def test_new_users_are_validated(mp: Milepost):
    taken = mp.users.create(email(), "Ada", PASSWORD).email
    cases = [
        ((taken, "Ada", PASSWORD, "agent"), "email"),
        (("not-an-email", "Ada", PASSWORD, "agent"), "email"),
        ((email(), " ", PASSWORD, "agent"), "name"),
        ((email(), "Ada", "short", "agent"), "password"),
        ((email(), "Ada", PASSWORD, "owner"), "role"),
    ]
    for args, field in cases:
        with pytest.raises(ValidationError) as e:
            mp.users.create(*args)
        assert field in e.value.problems


def test_a_new_password_signs_out_everywhere(mp: Milepost):
    user = mp.users.create(email(), "Ada", PASSWORD)
    token, _ = mp.sessions.sign_in(user.email, PASSWORD, "10.0.0.3")
    mp.users.update(user.id, password="another good one")
    assert mp.sessions.get(token) is None
    with pytest.raises(LoginRefused):
        mp.sessions.sign_in(user.email, PASSWORD, "10.0.0.3")
    mp.sessions.sign_in(user.email, "another good one", "10.0.0.3")


def stored_hash(mp: Milepost, user_id: int) -> str:
    with mp.db.engine.connect() as conn:
        return str(conn.execute(sa.select(t.users.c.password_hash).where(t.users.c.id == user_id)).scalar_one())


def test_passwords_are_hashed_at_the_configured_cost_and_again_after_it_changes(mp: Milepost):
    # Given users hashed at a cost of 2**4
    mp.settings = Settings(password_hash_cost=2**4)
    user = mp.users.create(email(), "Ada", PASSWORD)
    assert stored_hash(mp, user.id).startswith("scrypt$16$8$1$")
    mp.users.update(user.id, password="another good one")
    assert stored_hash(mp, user.id).startswith("scrypt$16$8$1$")

    # When the cost rises to 2**5: a wrong password changes nothing, the right one is hashed again
    mp.settings = Settings(password_hash_cost=2**5)
    before = stored_hash(mp, user.id)
    with pytest.raises(LoginRefused):
        mp.sessions.sign_in(user.email, PASSWORD, "10.0.0.4")
    assert stored_hash(mp, user.id) == before
    token, _ = mp.sessions.sign_in(user.email, "another good one", "10.0.0.4")
    assert mp.sessions.get(token) is not None
    assert stored_hash(mp, user.id).startswith("scrypt$32$8$1$")

    # And it still signs in, now without hashing again
    again = stored_hash(mp, user.id)
    mp.sessions.sign_in(user.email, "another good one", "10.0.0.4")
    assert stored_hash(mp, user.id) == again


def test_the_password_cost_is_a_power_of_two_with_a_safe_default(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("MILEPOST_PASSWORD_HASH_COST", raising=False)
    assert Settings().password_hash_cost == 2**14
    monkeypatch.setenv("MILEPOST_PASSWORD_HASH_COST", "1024")
    assert Settings().password_hash_cost == 1024
    for bad, why in ((1000, "power of two"), (1, "greater than or equal to 2"), (2**21, "less than or equal to")):
        with pytest.raises(PydanticValidationError) as e:
            Settings(password_hash_cost=bad)
        [error] = e.value.errors()
        assert error["loc"] == ("password_hash_cost",) and why in error["msg"]


@contextmanager
def own_database(database_url: str, clock: Any, tmp_path: Path) -> Iterator[Milepost]:
    """Milepost on an empty database of the same backend: users are not per store, so
    other tests' Administrators would count."""
    if not database_url.startswith("postgresql"):
        with connect(f"sqlite:///{tmp_path / 'own.db'}", clock=clock) as own:
            yield own
        return
    schema = f"milepost_own_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(re.sub(r"[?&]options=[^&]*", "", database_url))
    with server.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = re.sub(r"search_path%3D\w+", f"search_path%3D{schema}", database_url)
        with connect(url, clock=clock) as own:
            yield own
    finally:
        with server.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        server.dispose()


def test_the_last_administrator_stays(mp: Milepost, database_url: str, tmp_path: Path):
    with own_database(database_url, mp.clock, tmp_path) as own:
        assert own.users.list() == []
        admin = own.users.create(email(), "Ada", PASSWORD, role="administrator")
        with pytest.raises(Conflict):
            own.users.update(admin.id, role="agent")
        with pytest.raises(Conflict):
            own.users.update(admin.id, disabled=True)
        other = own.users.create(email(), "Grace", PASSWORD, role="administrator")
        assert own.users.update(admin.id, role="agent").role == "agent"
        with pytest.raises(Conflict):
            own.users.update(other.id, disabled=True)
