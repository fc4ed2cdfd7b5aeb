"""Settings > API Keys: the store's keys for the HTTP API (name, scope, the first
characters of the key, when it was made and revoked), a form to create one whose
secret is shown once on the answer to that form and never again, and revoking a key
after a confirmation. Administrators only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from milepost.domain.records import ApiKey, Store
from milepost.domain.users import WebSession
from milepost.entrypoints.web import auth, forms, render
from milepost.entrypoints.web.auth import Administrator
from milepost.errors import NotFound, ValidationError
from milepost.service.keys import SCOPES

router = APIRouter()
PATH = "/{store}/settings/api-keys"  # under the UI's /admin
BASE = "/admin" + PATH
KeyId = Annotated[int, Path(ge=1, le=2**31 - 1)]

SCOPE_NAMES = {
    "ingest": "Ingest: send events",
    "read": "Read: read everything through the API, change nothing (like an Agent)",
    "admin": "Admin: configure the store through the API (sending events included)",
}


@router.get(PATH)
def key_list(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    return _list_page(request, session, found, forms.Form({"name": "", "scope": "ingest"}))


@router.post(PATH)
async def create_key(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    data = await auth.checked_form(request, session)
    form = forms.Form({"name": forms.text(data, "name"), "scope": forms.text(data, "scope")})
    if form.values["scope"] not in SCOPES:
        form.errors["scope"] = "choose a scope"
    if not form.errors:
        try:
            key, secret = auth.mp_of(request).keys.create(store, form.values["scope"], form.values["name"])
        except ValidationError as e:
            form.add_error(e, ("name", "scope"))
        else:
            return _secret_page(request, session, found, key, secret)
    return _list_page(request, session, found, form, status=400)


@router.get(PATH + "/{key_id:key}/revoke")
def confirm_revoke(request: Request, store: str, key_id: KeyId, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    key = _key(request, store, key_id)
    return render.page(request, "api_key_revoke.html", session, store=found, key=_row(key, found), section="api-keys")


@router.post(PATH + "/{key_id:key}/revoke")
async def revoke_key(request: Request, store: str, key_id: KeyId, session: Administrator) -> Response:
    _key(request, store, key_id)  # a 404 for another store's
    await auth.checked_form(request, session)
    auth.mp_of(request).keys.revoke(store, key_id)
    return render.redirect(BASE.format(store=store))


def _key(request: Request, store: str, key_id: int) -> ApiKey:
    for key in auth.mp_of(request).keys.list(store):
        if key.id == key_id:
            return key
    raise NotFound(f"no API key {key_id} in this store")


def _list_page(request: Request, session: WebSession, store: Store, form: forms.Form, status: int = 200) -> Response:
    keys = auth.mp_of(request).keys.list(store.key)
    rows = [_row(k, store) for k in sorted(keys, key=lambda k: (k.revoked_at is not None, -k.id))]
    return render.page(
        request,
        "api_keys.html",
        session,
        status_code=status,
        store=store,
        rows=rows,
        form=form,
        scopes=SCOPE_NAMES,
        section="api-keys",
    )


def _secret_page(request: Request, session: WebSession, store: Store, key: ApiKey, secret: str) -> Response:
    return render.page(
        request,
        "secret_once.html",
        session,
        store=store,
        title=f"API key “{key.name}” created",
        label="The key",
        secret=secret,
        usage="Send it in the Authorization header of each request: Authorization: Bearer <the key>.",
        back=BASE.format(store=store.key),
        back_text="Back to the API keys",
        section="api-keys",
    )


def _row(key: ApiKey, store: Store) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "scope": key.scope,
        "prefix": key.prefix,
        "created": render.when(key.created_at, store),
        "revoked": render.when(key.revoked_at, store),
        "active": key.active,
    }
