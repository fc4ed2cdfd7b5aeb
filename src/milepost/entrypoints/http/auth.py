"""Who is calling: a store's API key, as a Bearer token (our API) or as the HTTP basic
user name (Segment's write key). Scopes: `ingest` sends events; `admin` does everything.

The key is checked before any body is read: `KeyBeforeBody` refuses a bad key on every
/api/ route with a body (FastAPI reads a route's body before its dependencies run), and
the Segment routes check a header's key in a dependency, before their handler reads."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated, Any, NamedTuple

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBearer
from starlette.concurrency import run_in_threadpool

from milepost.bootstrap import Milepost
from milepost.domain.records import ApiKey, Store
from milepost.entrypoints.http.problems import ApiProblem, problem
from milepost.errors import StorageError
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


#: Where `KeyBeforeBody` leaves the key it found, in the request's state: (secret, found).
_FOUND = "api_key_found"


def authenticate(request: Request, secret: str | None, scope: str, challenge: str) -> Principal:
    if not secret:
        raise _unauthenticated("an API key is required", challenge)
    found = _found_before(request, secret)
    if found is None:
        found = milepost(request).keys.authenticate(secret)
    if found is None:
        raise _unauthenticated("the API key is unknown or revoked", challenge)
    key, store = found
    request.state.store = store.key
    request.state.api_key = key.prefix
    if not allows(key, scope):
        raise ApiProblem(403, f"this key's scope is {key.scope!r}; this needs {scope!r}", slug="forbidden")
    return Principal(key, store)


async def authenticate_async(request: Request, secret: str | None, scope: str, challenge: str) -> Principal:
    """`authenticate` from a coroutine: in place when `KeyBeforeBody` found the key, else
    in the thread pool (the look-up reads the database)."""
    if secret and _found_before(request, secret) is not None:
        return authenticate(request, secret, scope, challenge)
    return await run_in_threadpool(authenticate, request, secret, scope, challenge)


def _found_before(request: Request, secret: str) -> tuple[ApiKey, Store] | None:
    """The key `KeyBeforeBody` found for this very secret, so it is looked up once."""
    before = request.scope.get("state", {}).get(_FOUND)
    if before is not None and before[0] == secret:
        found: tuple[ApiKey, Store] = before[1]
        return found
    return None


def _unauthenticated(detail: str, challenge: str) -> ApiProblem:
    return ApiProblem(401, detail, slug="unauthenticated", headers={"WWW-Authenticate": challenge})


BEARER_CHALLENGE = 'Bearer realm="milepost"'
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def bearer_secret(request: Request) -> str:
    """The key of an `Authorization: Bearer ...` header, unchecked; 401 without one."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise _unauthenticated("an API key is required", BEARER_CHALLENGE)
    return value.strip()


class KeyBeforeBody:
    """Pure ASGI middleware: a POST, PUT or PATCH to /api/ with no key, or an unknown or
    revoked one, is a 401 before anything reads, parses or inflates its body. The scope
    (403) is left to the route's own check, which reuses the key found here. When the
    database cannot answer, the route's check does, and answers 503."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in _BODY_METHODS and scope["path"].startswith("/api/"):
            request = Request(scope)
            try:
                secret = bearer_secret(request)
                found = await run_in_threadpool(milepost(request).keys.authenticate, secret)
                if found is None:
                    raise _unauthenticated("the API key is unknown or revoked", BEARER_CHALLENGE)
            except ApiProblem as exc:
                await problem(exc.status, exc.detail, exc.slug, exc.headers)(scope, receive, send)
                return
            except StorageError:
                found = None
            if found is not None:
                scope.setdefault("state", {})[_FOUND] = (secret, found)
        await self.app(scope, receive, send)


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
            raise _unauthenticated("malformed basic credentials", "Basic") from None
    elif scheme.lower() == "bearer":
        secret = value.strip()
    return authenticate(request, secret, "ingest", 'Basic realm="milepost"')


AdminKey = Depends(require("admin"))
