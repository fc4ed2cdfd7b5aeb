"""Settings > Email Templates: the store's templates in a table; a form to create one or
change it (key, name, subject, text body, optional HTML body), where what does not render
is shown next to its field with its line; a preview of the unsaved draft as a chosen
customer would get it (a button without JavaScript, live while typing with it); and
deleting after a confirmation, refused while an event or a program still sends the
template. Administrators only."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import Response

from milepost.bootstrap import Milepost
from milepost.domain.records import Store
from milepost.domain.users import WebSession
from milepost.entrypoints.web import auth, forms, render
from milepost.entrypoints.web.auth import Administrator
from milepost.errors import Conflict, NotFound, ValidationError
from milepost.service.rendering import Rendered, TemplateProblem

router = APIRouter()
PATH = "/{store}/settings/email-templates"  # under the UI's /admin
BASE = "/admin" + PATH
PAGE = 50
KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
#: What each field may hold: the database's limits.
LIMITS = {"key": 100, "name": 200, "subject": 500, "body_text": 100_000, "body_html": 100_000, "customer_id": 200}
#: The fields a preview uses, as the preview pane names them.
PREVIEWED = {"customer_id": "Customer", "subject": "Subject", "body_text": "Text body", "body_html": "HTML body"}
SAMPLE = "the sample customer (Ada Lovelace, at her 5th order)"


class Preview(NamedTuple):
    """A draft as one customer would get it; `who` says which customer."""

    who: str
    rendered: Rendered


@router.get(PATH)
def template_list(request: Request, store: str, session: Administrator, after: str | None = None) -> Response:
    found = auth.store_of(request, store)
    after = after if after and KEY.fullmatch(after) else None
    rows = auth.mp_of(request).templates.list(store, after_key=after, limit=PAGE + 1)
    next_after = rows[PAGE - 1]["key"] if len(rows) > PAGE else None
    return render.page(
        request,
        "email_templates.html",
        session,
        store=found,
        rows=rows[:PAGE],
        next_after=next_after,
        section="email-templates",
    )


@router.get(PATH + "/new")
def new_template(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    return _form_page(request, session, found, forms.Form(dict.fromkeys(LIMITS, "")), None)


@router.post(PATH + "/new")
async def create_template(request: Request, store: str, session: Administrator) -> Response:
    return await _submit(request, store, session, None)


@router.post(PATH + "/preview")
async def live_preview(request: Request, store: str, session: Administrator) -> Response:
    """The preview pane's content for the posted draft (the editor's script asks for it)."""
    found = auth.store_of(request, store)
    form = _draft(await auth.checked_form(request, session))
    preview = _preview(auth.mp_of(request), found, form)
    return render.page(request, "email_template_preview.html", session, **_pane(form, preview))


@router.get(PATH + "/{key}/edit")
def edit_template(request: Request, store: str, key: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    saved = _saved(auth.mp_of(request), store, key)
    values = {name: saved.get(name) or "" for name in LIMITS}
    return _form_page(request, session, found, forms.Form({**values, "customer_id": ""}), key)


@router.post(PATH + "/{key}/edit")
async def update_template(request: Request, store: str, key: str, session: Administrator) -> Response:
    _saved(auth.mp_of(request), store, key)  # a 404 for a key the store does not have
    return await _submit(request, store, session, key)


@router.get(PATH + "/{key}/delete")
def confirm_delete(request: Request, store: str, key: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    saved = _saved(auth.mp_of(request), store, key)
    return _delete_page(request, session, found, saved)


@router.post(PATH + "/{key}/delete")
async def delete_template(request: Request, store: str, key: str, session: Administrator) -> Response:
    mp = auth.mp_of(request)
    found = auth.store_of(request, store)
    saved = _saved(mp, store, key)
    await auth.checked_form(request, session)
    try:
        mp.templates.delete(store, key)
    except Conflict as e:
        return _delete_page(request, session, found, saved, refused=str(e), status=409)
    return render.redirect(BASE.format(store=store))


# -- the editor -------------------------------------------------------------------------


async def _submit(request: Request, store: str, session: WebSession, key: str | None) -> Response:
    """Save the posted draft and back to the table; or, for "Preview" or a draft the model
    refuses, the form again with the preview or the errors next to their fields."""
    mp = auth.mp_of(request)
    found = auth.store_of(request, store)
    data = await auth.checked_form(request, session)
    form = _draft(data, key)
    if forms.text(data, "do") == "preview":
        preview = _preview(mp, found, form)
        return _form_page(request, session, found, form, key, preview, status=400 if form.errors else 200)
    if key is None and "key" not in form.errors and _exists(mp, store, form.values["key"]):
        form.errors["key"] = "a template with this key exists already: choose another key, or edit that one"
    if not form.errors and _save(mp, store, form):
        return render.redirect(BASE.format(store=store))
    return _form_page(request, session, found, form, key, status=400)


def _draft(data: dict[str, Any], key: str | None = None) -> forms.Form:
    """The posted fields as typed (bodies keep their spaces), each within its limit."""
    values = {name: _body(data, name) if name.startswith("body_") else forms.text(data, name) for name in LIMITS}
    if key is not None:
        values["key"] = key  # a template keeps its key
    form = forms.Form(values)
    for name, limit in LIMITS.items():
        if "\x00" in values[name]:
            form.errors[name] = "contains a NUL character, which cannot be stored"
        elif len(values[name]) > limit:
            form.errors[name] = f"is too long: at most {limit:,} characters"
    return form


def _body(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def _save(mp: Milepost, store: str, form: forms.Form) -> bool:
    """Save the draft; False with the model's problems (a part that does not render, with
    its line) in `form.errors`."""
    v = form.values
    try:
        mp.templates.save(
            store,
            v["key"],
            subject=v["subject"],
            body_text=v["body_text"],
            name=v["name"] or None,
            body_html=v["body_html"] if v["body_html"].strip() else None,
        )
    except ValidationError as e:
        form.add(e.problems, str(e))
        return False
    return True


def _preview(mp: Milepost, store: Store, form: forms.Form) -> Preview | None:
    """The draft as the chosen customer (or the sample one) would get it; None, with the
    reasons in `form.errors`, when it cannot be shown."""
    if any(name in form.errors for name in PREVIEWED):
        return None
    try:
        return _preview_for(mp, store, form, form.values["customer_id"] or None)
    except TemplateProblem as e:
        form.add(e.problems)
        return None


def _preview_for(mp: Milepost, store: Store, form: forms.Form, customer_id: str | None) -> Preview | None:
    try:
        rendered = _render(mp, store, form, customer_id)
    except NotFound:
        form.errors["customer_id"] = f"no customer {customer_id!r} in this store"
        _render(mp, store, form, None)  # a draft that does not render says so all the same
        return None
    return Preview(f"customer {customer_id}" if customer_id else SAMPLE, rendered)


def _render(mp: Milepost, store: Store, form: forms.Form, customer_id: str | None) -> Rendered:
    v = form.values
    html = v["body_html"] if v["body_html"].strip() else None
    return mp.templates.preview_draft(
        store.key, subject=v["subject"], body_text=v["body_text"], body_html=html, customer_id=customer_id
    )


def _form_page(
    request: Request,
    session: WebSession,
    store: Store,
    form: forms.Form,
    key: str | None,
    preview: Preview | None = None,
    status: int = 200,
) -> Response:
    return render.page(
        request,
        "email_template_form.html",
        session,
        status_code=status,
        store=store,
        form=form,
        key=key,
        section="email-templates",
        **_pane(form, preview),
    )


def _pane(form: forms.Form, preview: Preview | None) -> dict[str, Any]:
    """What the preview pane shows: the preview, or why there is none."""
    problems = {PREVIEWED[name]: (name, form.errors[name]) for name in PREVIEWED if name in form.errors}
    return {"preview": preview, "problems": problems}


# -- one template -------------------------------------------------------------------------


def _saved(mp: Milepost, store: str, key: str) -> dict[str, Any]:
    """The store's template `key` (NotFound: a 404 page)."""
    if not KEY.fullmatch(key):
        raise NotFound(f"no email template {key!r} in this store")
    return mp.templates.get(store, key)


def _exists(mp: Milepost, store: str, key: str) -> bool:
    try:
        _saved(mp, store, key)
    except NotFound:
        return False  # for a key that is not one, the model says why
    return True


def _delete_page(
    request: Request,
    session: WebSession,
    store: Store,
    template: dict[str, Any],
    refused: str | None = None,
    status: int = 200,
) -> Response:
    return render.page(
        request,
        "email_template_delete.html",
        session,
        status_code=status,
        store=store,
        template=template,
        refused=refused,
        section="email-templates",
    )
