"""The HTTP API through its ASGI app with httpx (FastAPI's TestClient), on both backends.

- `app`: the FastAPI app around the `mp` fixture (SQLite or PostgreSQL).
- `client`: an httpx client on it, with no credentials.
- `keys`: an ingest and an admin key of the `store` fixture.
- `other_store`: a second store with its own admin key, for isolation tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import NamedTuple

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from milepost import Milepost
from milepost.config import Settings
from milepost.entrypoints.http import create_app


class StoreKeys(NamedTuple):
    store: str
    ingest: str
    admin: str

    def auth(self, scope: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, scope)}"}


@pytest.fixture
def app(mp: Milepost) -> FastAPI:
    return create_app(mp, Settings(max_request_bytes=64 * 1024, max_inflated_bytes=256 * 1024))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def make_keys(mp: Milepost, store: str) -> StoreKeys:
    return StoreKeys(store, mp.keys.create(store, "ingest")[1], mp.keys.create(store, "admin")[1])


@pytest.fixture
def keys(mp: Milepost, store: str) -> StoreKeys:
    return make_keys(mp, store)


@pytest.fixture
def other_store(mp: Milepost) -> StoreKeys:
    key = f"s-{uuid.uuid4().hex}"
    mp.stores.create(key, "Other shop", currency="EUR", timezone="Europe/Paris")
    return make_keys(mp, key)
