"""Settings > Webhook Endpoints: where the store's webhooks go. The list (URL, what it
subscribes to, on or off and why), adding an endpoint (its signing secret is shown
once), editing it, rotating its secret (the new one shown once; the old one keeps
signing for a day) and deleting it after a confirmation. Administrators only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from milepost.domain.delivery import WEBHOOK_EVENT_TYPES, Endpoint
from milepost.domain.records import Store
from milepost.domain.users import WebSession
from milepost.entrypoints.web import auth, forms, render
from milepost.entrypoints.web.auth import Administrator
from milepost.errors import Conflict, ValidationError
from milepost.service.endpoints import ROTATION_OVERLAP

router = APIRouter()
PATH = "/{store}/settings/webhooks"  # under the UI's /admin
BASE = "/admin" + PATH
EndpointId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FIELDS = ("url", "description", "event_types", "active")
#: Each event type is a checkbox of its own (`event:<type>`): the posted form keeps one value per name.
EVENT_FIELD = "event:"


@router.get(PATH)
def endpoint_list(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    rows = [_row(e, found) for e in auth.mp_of(request).webhooks.list(store, limit=1000)]
    return render.page(request, "webhooks.html", session, store=found, rows=rows, section="webhooks")


@router.get(PATH + "/new")
def new_endpoint(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    form = forms.Form({"url": "", "description": "", "event_types": [], "active": True})
    return _form_page(request, session, found, form, None)


@router.post(PATH + "/new")
async def create_endpoint(request: Request, store: str, session: Administrator) -> Response:
    mp = auth.mp_of(request)

    def save(v: dict[str, Any]) -> Response:
        endpoint, secret = mp.webhooks.create(
            store, url=v["url"], event_types=v["event_types"], description=v["description"]
        )
        if not v["active"]:
            mp.webhooks.update(store, endpoint.id, enabled=False)
        return _secret_page(request, session, auth.store_of(request, store), endpoint, secret, "created")

    return await _submit(request, store, session, None, save)


@router.get(PATH + "/{endpoint_id:whe}/edit")
def edit_endpoint(request: Request, store: str, endpoint_id: EndpointId, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    e = auth.mp_of(request).webhooks.get(store, endpoint_id)
    form = forms.Form(
        {"url": e.url, "description": e.description, "event_types": list(e.event_types), "active": e.enabled}
    )
    return _form_page(request, session, found, form, e)


@router.post(PATH + "/{endpoint_id:whe}/edit")
async def update_endpoint(request: Request, store: str, endpoint_id: EndpointId, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    current = mp.webhooks.get(store, endpoint_id)

    def save(v: dict[str, Any]) -> Response:
        mp.webhooks.update(
            store,
            endpoint_id,
            url=None if v["url"] == current.url else v["url"],  # an unchanged URL is not resolved again
            event_types=v["event_types"],
            description=v["description"],
            enabled=v["active"],
        )
        return render.redirect(BASE.format(store=store))

    return await _submit(request, store, session, current, save)


@router.get(PATH + "/{endpoint_id:whe}/rotate")
def confirm_rotate(request: Request, store: str, endpoint_id: EndpointId, session: Administrator) -> Response:
    return _confirm(request, store, endpoint_id, session, "rotate")


@router.post(PATH + "/{endpoint_id:whe}/rotate")
async def rotate_secret(request: Request, store: str, endpoint_id: EndpointId, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    await _confirmed(request, store, endpoint_id, session)
    endpoint, secret = auth.mp_of(request).webhooks.rotate_secret(store, endpoint_id)
    return _secret_page(request, session, found, endpoint, secret, "rotated")


@router.get(PATH + "/{endpoint_id:whe}/delete")
def confirm_delete(request: Request, store: str, endpoint_id: EndpointId, session: Administrator) -> Response:
    return _confirm(request, store, endpoint_id, session, "delete")


@router.post(PATH + "/{endpoint_id:whe}/delete")
async def delete_endpoint(request: Request, store: str, endpoint_id: EndpointId, session: Administrator) -> Response:
    await _confirmed(request, store, endpoint_id, session)
    try:
        auth.mp_of(request).webhooks.delete(store, endpoint_id)
    except Conflict as e:
        return _confirm(request, store, endpoint_id, session, "delete", refused=_sentence(str(e)), status=409)
    return render.redirect(BASE.format(store=store))


async def _confirmed(request: Request, store: str, endpoint_id: int, session: WebSession) -> None:
    """Before rotating or deleting what the confirmation page showed: a 404 for another
    store's endpoint, then the posted form's CSRF token checked."""
    auth.mp_of(request).webhooks.get(store, endpoint_id)
    await auth.checked_form(request, session)


async def _submit(
    request: Request,
    store: str,
    session: WebSession,
    current: Endpoint | None,
    save: Callable[[dict[str, Any]], Response],
) -> Response:
    """Save the posted form with `save`; or the form again, with errors next to their fields."""
    found = auth.store_of(request, store)
    data = await auth.checked_form(request, session)
    form = _parse(data)
    try:
        return save(form.values)
    except ValidationError as e:
        form.add_error(e, FIELDS)
    except Conflict as e:
        form.errors["url"] = _sentence(str(e))
    return _form_page(request, session, found, form, current, status=400)


def _parse(data: dict[str, Any]) -> forms.Form:
    return forms.Form(
        {
            "url": forms.text(data, "url"),
            "description": forms.text(data, "description"),
            "event_types": [t for t in WEBHOOK_EVENT_TYPES if forms.checkbox(data, EVENT_FIELD + t)],
            "active": forms.checkbox(data, "active"),
        }
    )


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _form_page(
    request: Request,
    session: WebSession,
    store: Store,
    form: forms.Form,
    endpoint: Endpoint | None,
    status: int = 200,
) -> Response:
    return render.page(
        request,
        "webhook_form.html",
        session,
        status_code=status,
        store=store,
        form=form,
        endpoint=endpoint,
        event_types=WEBHOOK_EVENT_TYPES,
        event_field=EVENT_FIELD,
        section="webhooks",
    )


def _confirm(
    request: Request,
    store: str,
    endpoint_id: int,
    session: WebSession,
    what: str,
    refused: str = "",
    status: int = 200,
) -> Response:
    found = auth.store_of(request, store)
    endpoint = auth.mp_of(request).webhooks.get(store, endpoint_id)
    return render.page(
        request,
        "webhook_confirm.html",
        session,
        status_code=status,
        store=found,
        endpoint=_row(endpoint, found),
        what=what,
        refused=refused,
        overlap_hours=int(ROTATION_OVERLAP.total_seconds() // 3600),
        section="webhooks",
    )


def _secret_page(
    request: Request, session: WebSession, store: Store, endpoint: Endpoint, secret: str, done: str
) -> Response:
    overlap = int(ROTATION_OVERLAP.total_seconds() // 3600)
    usage = "Your receiver verifies each webhook's signature (Standard Webhooks) with it."
    if done == "rotated":
        usage += (
            f" The previous secret keeps signing too for {overlap} hours, so you can switch without losing a message."
        )
    return render.page(
        request,
        "secret_once.html",
        session,
        store=store,
        title=f"Webhook endpoint {done}",
        label=f"The signing secret of {endpoint.url}",
        secret=secret,
        usage=usage,
        lost="rotate the secret to get a new one",
        back=BASE.format(store=store.key),
        back_text="Back to the webhook endpoints",
        section="webhooks",
    )


def _row(e: Endpoint, store: Store) -> dict[str, Any]:
    return {
        "id": e.id,
        "url": e.url,
        "description": e.description,
        "event_types": list(e.event_types),
        "active": e.enabled,
        "disabled_reason": e.disabled_reason or "",
        "created": render.when(e.created_at, store),
    }
