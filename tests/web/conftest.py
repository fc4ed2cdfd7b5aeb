"""The admin UI through its ASGI app (FastAPI's TestClient), on both backends.

- `web`: a client with no session, from a client address of its own (sign-in is rate
  limited per address);
- `admin` / `agent`: clients signed in as a new Administrator / Agent;
- `sign_in(client, email, password)`: the sign-in form, as a browser fills it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_kit import PASSWORD, client_for, sign_in

from milepost import Milepost
from milepost.config import Settings
from milepost.entrypoints.http import create_app


@pytest.fixture
def app(mp: Milepost) -> FastAPI:
    return create_app(mp, Settings())


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with client_for(app) as c:
        yield c


def _user_client(app: FastAPI, mp: Milepost, role: str) -> Iterator[TestClient]:
    email = f"{role}-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(email, role.title(), PASSWORD, role)
    with client_for(app) as c:
        assert sign_in(c, email).status_code == 303
        yield c


@pytest.fixture
def admin(app: FastAPI, mp: Milepost) -> Iterator[TestClient]:
    yield from _user_client(app, mp, "administrator")


@pytest.fixture
def agent(app: FastAPI, mp: Milepost) -> Iterator[TestClient]:
    yield from _user_client(app, mp, "agent")
