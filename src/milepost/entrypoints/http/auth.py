"""Who is calling: a store's API key, as a Bearer token (our API) or as the HTTP basic
user name (Segment's write key). Scopes: `ingest` sends events; `admin` does everything."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated, NamedTuple

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBearer

from milepost.bootstrap import Milepost
from milepost.domain.records import ApiKey, Store
from milepost.entrypoints.http.problems import ApiProblem
from milepost.service.keys import allows

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="A store's API key (`milepost keys create`): `Authorization: Bearer mpk_...`",
)
basic_scheme = HTTPBasic(
    auto_error=False,
    scheme_name="writeKey",
    description="Segment style: the API key as the basic-auth user name, no password.",
)


class Principal(NamedTuple):
    key: ApiKey
    store: Store


def milepost(request: Request) -> Milepost:
    mp: Milepost = request.app.state.mp
    return mp


def authenticate(request: Request, secret: str | None, scope: str, challenge: str) -> Principal:
    if not secret:
        raise ApiProblem(401, "an API key is required", slug="unauthenticated", headers={"WWW-Authenticate": challenge})
    found = milepost(request).keys.authenticate(secret)
    if found is None:
        raise ApiProblem(
            401, "the API key is unknown or revoked", slug="unauthenticated", headers={"WWW-Authenticate": challenge}
        )
    key, store = found
    request.state.store = store.key
    request.state.api_key = key.prefix
    if not allows(key, scope):
        raise ApiProblem(403, f"this key's scope is {key.scope!r}; this needs {scope!r}", slug="forbidden")
    return Principal(key, store)


BEARER_CHALLENGE = 'Bearer realm="milepost"'


def bearer_secret(request: Request) -> str:
    """The key of an `Authorization: Bearer ...` header, unchecked; 401 without one."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiProblem(
            401, "an API key is required", slug="unauthenticated", headers={"WWW-Authenticate": BEARER_CHALLENGE}
        )
    return value.strip()


def require(scope: str) -> Callable[..., Principal]:
    """A dependency: the caller's key, which must carry `scope` (admin carries both)."""

    def dependency(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
    ) -> Principal:
        secret = credentials.credentials if credentials is not None else None
        return authenticate(request, secret, scope, BEARER_CHALLENGE)

    return dependency


def require_write_key(request: Request, _: Annotated[object, Depends(basic_scheme)]) -> Principal:
    """Segment's convention: the write key is the basic-auth user name; a Bearer key works too."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    secret = None
    if scheme.lower() == "basic":
        try:
            secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            raise ApiProblem(
                401, "malformed basic credentials", slug="unauthenticated", headers={"WWW-Authenticate": "Basic"}
            ) from None
    elif scheme.lower() == "bearer":
        secret = value.strip()
    return authenticate(request, secret, "ingest", 'Basic realm="milepost"')


AdminKey = Depends(require("admin"))
