"""What operators do on a customer's page: add and remove tags, adjust credit or points
with a reason, send a message again. Agents and Administrators alike: it is operations,
not configuration. Each form posts here and comes back to the page (303), saying what it
did, or shows the page again with why it did not.

Starting an automation for the customer now is for Administrators: the page answers
with the branch it took and what each action did, or why it did not start. The form
carries an idempotency key, so sending it twice starts the automation once."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from milepost.domain.users import WebSession
from milepost.entrypoints.web import auth, forms, render
from milepost.entrypoints.web.auth import Administrator, SignedIn
from milepost.entrypoints.web.customers import customer_view
from milepost.entrypoints.web.logs import customer_url
from milepost.errors import Conflict, InsufficientBalance, NotFound, ValidationError

router = APIRouter()
CUSTOMER = "/{store}/customers/{customer_id:path}"


@router.post(CUSTOMER + "/tags")
async def add_tag(request: Request, store: str, customer_id: str, session: SignedIn) -> Response:
    return await _tags(request, store, customer_id, session, "add")


@router.post(CUSTOMER + "/tags/remove")
async def remove_tag(request: Request, store: str, customer_id: str, session: SignedIn) -> Response:
    return await _tags(request, store, customer_id, session, "remove")


async def _tags(request: Request, store: str, customer_id: str, session: WebSession, change: str) -> Response:
    data = await _checked(request, store, customer_id, session)
    try:
        tag = [forms.text(data, "tag")]
        add, remove = (tag, []) if change == "add" else ([], tag)
        auth.mp_of(request).customers.tag(store, customer_id, add, remove, actor=session.user.email)
    except ValidationError:
        problem = "A tag is 1 to 100 characters: type one to add." if change == "add" else "There is no such tag."
        return customer_view(request, session, store, customer_id, problem=problem, status=400)
    return _back(request, store, customer_id, "tags")


@router.post(CUSTOMER + "/adjust")
async def adjust(request: Request, store: str, customer_id: str, session: SignedIn) -> Response:
    """Credit (typed as people write amounts) or points, up or down, with a reason; the
    form's key makes a second click of the same form change nothing."""
    data = await _checked(request, store, customer_id, session)
    found = auth.store_of(request, store)
    form = forms.Form({k: forms.text(data, k)[:500] for k in ("unit", "amount", "reason", "key")})
    unit = form.values["unit"]
    try:
        if unit not in ("credit", "points"):
            raise forms.FormError("unit", "choose credit or points")
        amount = (
            forms.money(form.values, "amount", found.currency)
            if unit == "credit"
            else forms.whole(form.values, "amount", required=False)
        )
        if not amount:
            raise forms.FormError("amount", "type an amount to add, or a negative one to take away")
        auth.mp_of(request).ledgers.adjust(
            store,
            customer_id,
            amount,
            unit=unit,
            key=form.values["key"],
            reason=form.values["reason"],
            actor=session.user.email,
        )
    except forms.FormError as e:
        form.errors[e.field] = str(e)
    except ValidationError as e:
        form.errors.update({k if k in form.values else "": v for k, v in e.problems.items()} or {"": str(e)})
    except (Conflict, InsufficientBalance) as e:
        form.errors[""] = str(e)
    if form.errors:
        return customer_view(request, session, store, customer_id, status=400, adjust=form)
    return _back(request, store, customer_id, unit)


@router.post(CUSTOMER + "/messages/{delivery_id:dlv}/resend")
async def resend(request: Request, store: str, customer_id: str, delivery_id: int, session: SignedIn) -> Response:
    """The delivery retry capability, on one of the customer's messages; its refusal shown."""
    mp = auth.mp_of(request)
    delivery = mp.deliveries.get(store, delivery_id)[0]
    if delivery.customer_id != customer_id:
        raise NotFound("this customer has no such message")
    await _checked(request, store, customer_id, session)
    try:
        mp.deliveries.retry(store, delivery.id)
    except Conflict as e:
        return customer_view(request, session, store, customer_id, problem=f"Not sent again: {e}", status=409)
    return _back(request, store, customer_id, "resent")


@router.post(CUSTOMER + "/start")
async def start_automation(request: Request, store: str, customer_id: str, session: Administrator) -> Response:
    data = await _checked(request, store, customer_id, session)
    key, request_key = forms.text(data, "automation"), forms.text(data, "key")[:180] or None
    try:
        done = auth.mp_of(request).automations.start(
            store, key, customer_id, request_key=request_key, actor=session.user.email
        )
    except NotFound:
        return customer_view(request, session, store, customer_id, problem="Choose an automation.", status=400)
    except Conflict as e:
        return customer_view(request, session, store, customer_id, problem=f"Not started: {e}.", status=409)
    if not done.started:
        problem = f"Automation {key} not started: {done.detail}."
        return customer_view(request, session, store, customer_id, problem=problem, status=409)
    did = "; ".join(f"{a.get('type')} {a.get('status')}" for a in done.actions)
    again = " (by this same form, before)" if done.repeated else ""
    notice = f"Automation {key} started{again} by the branch “{done.branch}”: {did}."
    return customer_view(request, session, store, customer_id, notice=notice)


async def _checked(request: Request, store: str, customer_id: str, session: WebSession) -> dict[str, Any]:
    """The form, once the customer is known (another store's: a 404) and its CSRF token matched."""
    auth.mp_of(request).customers.get(store, customer_id)
    return await auth.checked_form(request, session)


def _back(request: Request, store: str, customer_id: str, done: str) -> Response:
    return render.redirect(f"{customer_url(auth.store_of(request, store), customer_id)}?done={done}")
