"""Who is calling: a store's API key, as a Bearer token (our API) or as the HTTP basic
user name (Segment's write key). Scopes: `ingest` sends events; `read` reads (every GET of
the admin endpoints but a webhook signing secret) and changes nothing; `admin` does
everything. Each operation's OpenAPI `security` names the scope it needs (an admin key
carries them all): `require(scope)` declares it and checks it.

The key is checked before any body is read: `KeyBeforeBody` refuses a bad key on every
/api/ route with a body (FastAPI reads a route's body before its dependencies run), and
the Segment routes check a header's key in a dependency, before their handler reads.

A key found live in the last `ADMITTED_FOR` seconds is let through to the body without a
trip to the database (`Admitted`): that admission only decides whether the body is read.
Whether the request is allowed is still decided against the database by the route's own
check, which for a batch of events shares its trip to the thread pool with the ingest: a
key revoked a moment ago is refused there, after its (size-limited) body was read."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from typing import Annotated, Any, NamedTuple

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBearer
from starlette.concurrency import run_in_threadpool

from milepost.bootstrap import Milepost
from milepost.domain.records import ApiKey, Store
from milepost.entrypoints.http.problems import ApiProblem, problem
from milepost.errors import StorageError
from milepost.service.keys import allows, secret_hash

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="A store's API key (`milepost keys create`): `Authorization: Bearer mpk_...`. "
    "Its scope decides what it may do; each operation's security names the scope it needs: `ingest` "
    "(send events), `read` (read, change nothing) or `admin` (everything). An `admin` key carries "
    "every scope; a key without the one needed gets a 403 problem naming it.",
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


#: Where `KeyBeforeBody` leaves the key it looked up for this request: (secret, found).
_FOUND = "api_key_found"
#: Where it leaves a key it admitted from `Admitted` without a look-up: (secret, found).
_ADMITTED = "api_key_admitted"

#: How long a key found live admits bodies without a look-up (the database still decides).
ADMITTED_FOR = 30.0


class Admitted:
    """The keys found live lately, by their hash, so that reading the body of their next
    request needs no trip to the database. Bounded: when full it starts again empty."""

    def __init__(self, size: int = 1024, ttl: float = ADMITTED_FOR) -> None:
        self._seen: dict[str, tuple[float, tuple[ApiKey, Store]]] = {}
        self._size = size
        self._ttl = ttl

    def get(self, secret: str) -> tuple[ApiKey, Store] | None:
        seen = self._seen.get(secret_hash(secret))
        if seen is None or time.monotonic() - seen[0] > self._ttl:
            return None
        return seen[1]

    def put(self, secret: str, found: tuple[ApiKey, Store]) -> None:
        if len(self._seen) >= self._size:
            self._seen.clear()
        self._seen[secret_hash(secret)] = (time.monotonic(), found)


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
        raise _forbidden(key, scope)
    return Principal(key, store)


def admit(request: Request, secret: str, scope: str) -> None:
    """Before a route reads its body: a 403 now when the key `KeyBeforeBody` admitted or
    looked up lacks `scope`. (A missing or unknown key never gets this far.)"""
    state = request.scope.get("state", {})
    before = state.get(_FOUND) or state.get(_ADMITTED)
    if before is not None and before[0] == secret and not allows(before[1][0], scope):
        raise _forbidden(before[1][0], scope)


def _forbidden(key: ApiKey, scope: str) -> ApiProblem:
    return ApiProblem(403, f"this key's scope is {key.scope!r}; this needs {scope!r}", slug="forbidden")


def _found_before(request: Request, secret: str) -> tuple[ApiKey, Store] | None:
    """The key `KeyBeforeBody` looked up for this very request and secret, so it is looked
    up once; None when it only admitted the key from `Admitted` (or did not run)."""
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
    revoked one, is a 401 before anything reads, parses or inflates its body. A key found
    live lately (`Admitted`) passes without a look-up; the route's own check decides
    against the database (reusing the look-up made here, if one was). The scope (403) is
    the route's to check. When the database cannot answer, the route's check does, and
    answers 503."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.admitted = Admitted()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in _BODY_METHODS and scope["path"].startswith("/api/"):
            request = Request(scope)
            try:
                secret = bearer_secret(request)
                found = self.admitted.get(secret)
                if found is not None:
                    scope.setdefault("state", {})[_ADMITTED] = (secret, found)
                else:
                    found = await run_in_threadpool(milepost(request).keys.authenticate, secret)
                    if found is None:
                        raise _unauthenticated("the API key is unknown or revoked", BEARER_CHALLENGE)
                    self.admitted.put(secret, found)
                    scope.setdefault("state", {})[_FOUND] = (secret, found)
            except ApiProblem as exc:
                await problem(exc.status, exc.detail, exc.slug, exc.headers)(scope, receive, send)
                return
            except StorageError:
                pass
        await self.app(scope, receive, send)


def require(scope: str) -> Callable[..., Principal]:
    """A dependency: the caller's key, which must carry `scope` (admin carries them all).
    The operation's OpenAPI security names the scope."""

    def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Security(bearer_scheme, scopes=[scope]),  # noqa: B008
    ) -> Principal:
        secret = credentials.credentials if credentials is not None else None
        return authenticate(request, secret, scope, BEARER_CHALLENGE)

    return dependency


def require_write_key(request: Request, _: Annotated[object, Security(basic_scheme, scopes=["ingest"])]) -> Principal:
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
ReadKey = Depends(require("read"))
