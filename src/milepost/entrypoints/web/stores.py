"""The stores: the page after sign-in lists every store with its key figures (customers,
orders counted and milestones reached in the last 30 days, credit outstanding), each a
link into the store; Administrators create a store there. The switcher in the header
goes to the same area of another store; Settings > Store changes a store's settings
(Administrators only).

The list shows even when there is a single store: it is where a second store is created
and where the figures of every store are side by side, and its card is one click into
the store's dashboard (the brand link in the header comes back to it)."""

from __future__ import annotations

import functools
import re
import zoneinfo
from typing import Any

from babel import Locale, UnknownLocaleError
from fastapi import APIRouter, Request
from fastapi.responses import Response

from milepost.domain.consent import MILESTONE_EMAILS
from milepost.domain.events import COUNTING_STATUSES
from milepost.domain.records import Store
from milepost.domain.users import WebSession
from milepost.entrypoints.web import auth, forms, render
from milepost.entrypoints.web.auth import Administrator, SignedIn
from milepost.errors import Conflict, ValidationError
from milepost.formatting import LOCALE, LOCALES, money
from milepost.service.stores import MAX_URL

router = APIRouter()
FIGURE_DAYS = 30
NEW_FIELDS = ("key", "name", "currency", "locale", "timezone", "counting_status")
TEXT_FIELDS = (
    "name",
    "currency",
    "locale",
    "timezone",
    "counting_status",
    "email_from_name",
    "email_from_address",
    "reply_to_address",
    "logo_url",
    "milestone_emails",
)
NUMBER_FIELDS = ("points_per_unit", "points_expire_days")
FLAGS = ("allow_negative_credit", "allow_negative_points")
SETTINGS = "/{store}/settings/store"  # under the UI's /admin
#: the area of a page, which the switcher keeps: the dashboard, customers, a log, a settings page
_AREA = re.compile(r"^/admin/[^/]+(/customers|/log/[a-z-]+|/settings/[a-z-]+)?(?:/|$)")
MILESTONE_EMAIL_NAMES = {
    "marketing": "Marketing: only to customers who consented to email",
    "transactional": "Transactional: to every customer with an email address",
}
COUNTING_NAMES = {
    "paid": "Paid: an order counts once it is paid",
    "completed": "Completed: once it is completed",
    "delivered": "Delivered: once it is delivered",
}


@router.get("/")
def store_list(request: Request, session: SignedIn) -> Response:
    found = auth.mp_of(request).stores.figures(FIGURE_DAYS)
    return render.page(request, "stores.html", session, stores=found, days=FIGURE_DAYS)


@router.get("/stores/new")
def new_store(request: Request, session: Administrator) -> Response:
    form = forms.Form(
        {"key": "", "name": "", "currency": "USD", "locale": LOCALE, "timezone": "UTC", "counting_status": "paid"}
    )
    return _new_page(request, session, form)


@router.post("/stores/new")
async def create_store(request: Request, session: Administrator) -> Response:
    data = await auth.checked_form(request, session)
    form = forms.Form({name: forms.text(data, name) for name in NEW_FIELDS})
    form.values["currency"] = form.values["currency"].upper()
    form.values["locale"] = form.values["locale"] or LOCALE  # a form without the field: the default
    values = dict(form.values)
    try:
        created = auth.mp_of(request).stores.create(values.pop("key"), values.pop("name"), **values)
    except ValidationError as e:
        form.add_error(e, NEW_FIELDS)
    except Conflict as e:
        form.errors["key"] = str(e)
    else:
        return render.redirect(f"/admin/{created.key}/settings/store?created=1")
    return _new_page(request, session, form, 400)


@router.get("/stores/switch")
def switch_store(request: Request, session: SignedIn, to: str = "", came_from: str = "") -> Response:
    """The same area of the store `to`: the customers of one store lead to the customers of the other."""
    target = auth.store_of(request, to)
    m = _AREA.match(came_from)
    return render.redirect(f"/admin/{target.key}{m.group(1) or '' if m else ''}")


@router.get(SETTINGS)
def store_settings(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    notice = "created" if "created" in request.query_params else "saved" if "saved" in request.query_params else ""
    return _settings_page(request, session, found, _saved(found), notice=notice)


@router.post(SETTINGS)
async def change_store_settings(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    data = await auth.checked_form(request, session)
    form = forms.Form({name: forms.text(data, name) for name in (*TEXT_FIELDS, *NUMBER_FIELDS)})
    form.values["currency"] = form.values["currency"].upper()
    form.values.update({flag: forms.checkbox(data, flag) for flag in FLAGS})
    values = {k: v for k, v in form.values.items() if k not in NUMBER_FIELDS and (k != "locale" or v)}
    for name in NUMBER_FIELDS:
        try:
            values[name] = forms.whole(data, name, required=False) or 0
        except forms.FormError as e:
            form.errors[e.field] = str(e)
    if not form.errors:
        try:
            auth.mp_of(request).stores.update(store, **values)
        except ValidationError as e:
            form.add_error(e, form.values)
        except Conflict as e:
            form.errors["currency" if "currency" in str(e) else "counting_status"] = str(e)
        else:
            return render.redirect(f"/admin/{store}/settings/store?saved=1")
    return _settings_page(request, session, found, form, 400)


def _saved(store: Store) -> forms.Form:
    values: dict[str, Any] = {name: getattr(store, name) or "" for name in TEXT_FIELDS}
    values.update({flag: getattr(store, flag) for flag in FLAGS})
    values.update(points_per_unit=str(store.points_per_unit), points_expire_days=str(store.points_expire_days or 0))
    return forms.Form(values)


def _new_page(request: Request, session: WebSession, form: forms.Form, status: int = 200) -> Response:
    return render.page(request, "store_new.html", session, status, form=form, **_choices(form))


def _settings_page(
    request: Request, session: WebSession, store: Store, form: forms.Form, status: int = 200, notice: str = ""
) -> Response:
    return render.page(
        request,
        "store_settings.html",
        session,
        status,
        store=store,
        form=form,
        notice=notice,
        section="store",
        max_url=MAX_URL,
        **_choices(form, store.currency),
    )


def _choices(form: forms.Form, currency: str = "EUR") -> dict[str, Any]:
    return {
        "locales": _locales(currency, form.values.get("locale") or LOCALE),
        "timezones": _timezones(),
        "counting_statuses": {s: COUNTING_NAMES.get(s, s) for s in COUNTING_STATUSES},
        "milestone_email_kinds": {k: MILESTONE_EMAIL_NAMES[k] for k in MILESTONE_EMAILS},
    }


def _locales(currency: str, chosen: str) -> dict[str, str]:
    """The common locales, and the one chosen if it is another, each with its name and an
    amount of `currency` as it writes it: "de_DE: Deutsch (Deutschland), 1.234,50 €"."""
    shown = {}
    for name in dict.fromkeys((*LOCALES, chosen)):
        try:
            found = Locale.parse(name)
            shown[name] = f"{name}: {found.display_name}, {money(123450, currency, name)}"
        except (ValueError, UnknownLocaleError):  # a name typed on the form and refused
            shown[name] = name
    return shown


@functools.cache
def _timezones() -> dict[str, str]:
    """Every IANA time zone the server knows, by name."""
    return {name: name for name in sorted(zoneinfo.available_timezones())}
