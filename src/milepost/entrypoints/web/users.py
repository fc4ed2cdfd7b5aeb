"""Settings > Users: the people who sign in to the admin UI, shared by every store.
The list (name, email, role, active or disabled, last sign-in), adding a user with a
first password (typed, or generated and shown once), changing a user's name, role
and whether they may sign in, and setting a new password. The last active
Administrator cannot be demoted or disabled, and nobody can disable themselves.
Administrators only."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from milepost.domain.passwords import MIN_LENGTH
from milepost.domain.records import Store
from milepost.domain.users import ROLE_NAMES, ROLES, User, WebSession
from milepost.entrypoints.web import auth, forms, render
from milepost.entrypoints.web.auth import Administrator
from milepost.errors import Conflict, ValidationError

router = APIRouter()
PATH = "/{store}/settings/users"  # under the UI's /admin
BASE = "/admin" + PATH
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FIELDS = ("email", "name", "role", "password", "active")
LAST_ADMINISTRATOR = (
    "This is the last active Administrator: make another user an Administrator first, "
    "or nobody could change the configuration."
)
NOT_YOURSELF = "You cannot disable yourself: ask another Administrator to do it."


@router.get(PATH)
def user_list(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    rows = [_row(u, found, session) for u in auth.mp_of(request).users.list()]
    return render.page(request, "users.html", session, store=found, rows=rows, section="users")


@router.get(PATH + "/new")
def new_user(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    form = forms.Form({"email": "", "name": "", "role": "agent", "generate": False})
    return _new_page(request, session, found, form)


@router.post(PATH + "/new")
async def create_user(request: Request, store: str, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    data = await auth.checked_form(request, session)
    v = {k: forms.text(data, k) for k in ("email", "name", "role")}
    form = forms.Form({**v, "generate": forms.checkbox(data, "generate")})
    password = _password(data, form)
    if form.values["role"] not in ROLES:
        form.errors["role"] = "choose a role"
    if not form.errors:
        try:
            user = auth.mp_of(request).users.create(v["email"], v["name"], password, v["role"])
        except ValidationError as e:
            form.add_error(e, FIELDS)
        else:
            return _password_page(request, session, found, user, password) if form.values["generate"] else _done(store)
    return _new_page(request, session, found, form, status=400)


@router.get(PATH + "/{user_id}/edit")
def edit_user(request: Request, store: str, user_id: UserId, session: Administrator) -> Response:
    found = auth.store_of(request, store)
    user = auth.mp_of(request).users.get(user_id)
    return _edit_page(request, session, found, user, _saved(user), forms.Form({"generate": False}))


@router.post(PATH + "/{user_id}/edit")
async def update_user(request: Request, store: str, user_id: UserId, session: Administrator) -> Response:
    found, user, data = await _posted(request, store, user_id, session)
    form = forms.Form({"name": forms.text(data, "name"), "role": forms.text(data, "role")})
    form.values["active"] = forms.checkbox(data, "active")
    changes = _changes(user, form, session)
    if not form.errors:
        try:
            auth.mp_of(request).users.update(user_id, **changes)
        except ValidationError as e:
            form.add_error(e, FIELDS)
        except Conflict:
            form.errors["role" if "role" in changes else "active"] = LAST_ADMINISTRATOR
        else:
            demoted_self = user.id == session.user.id and form.values["role"] != user.role
            return render.redirect(f"/admin/{store}") if demoted_self else _done(store)
    return _edit_page(request, session, found, user, form, forms.Form({"generate": False}), status=400)


@router.post(PATH + "/{user_id}/password")
async def set_password(request: Request, store: str, user_id: UserId, session: Administrator) -> Response:
    found, user, data = await _posted(request, store, user_id, session)
    form = forms.Form({"generate": forms.checkbox(data, "generate")})
    password = _password(data, form)
    if not form.errors:
        try:
            auth.mp_of(request).users.update(user_id, password=password)
        except ValidationError as e:
            form.add_error(e, FIELDS)
        else:
            return _password_page(request, session, found, user, password) if form.values["generate"] else _done(store)
    return _edit_page(request, session, found, user, _saved(user), form, status=400)


async def _posted(
    request: Request, store: str, user_id: int, session: WebSession
) -> tuple[Store, User, dict[str, Any]]:
    """What a form posted about user `user_id` works on: the store, the user (a 404 when
    there is none) and the form's fields, its CSRF token checked."""
    found = auth.store_of(request, store)
    user = auth.mp_of(request).users.get(user_id)
    return found, user, await auth.checked_form(request, session)


def _saved(user: User) -> forms.Form:
    """The edit form of `user` as saved."""
    return forms.Form({"name": user.name, "role": user.role, "active": user.disabled_at is None})


def _changes(user: User, form: forms.Form, session: WebSession) -> dict[str, Any]:
    """What the edit form changes; refuses a role it does not know, and disabling oneself."""
    changes: dict[str, Any] = {"name": form.values["name"]}
    if form.values["role"] not in ROLES:
        form.errors["role"] = "choose a role"
    elif form.values["role"] != user.role:
        changes["role"] = form.values["role"]
    if form.values["active"] != (user.disabled_at is None):
        if user.id == session.user.id and not form.values["active"]:
            form.errors["active"] = NOT_YOURSELF
        changes["disabled"] = not form.values["active"]
    return changes


def _password(data: dict[str, Any], form: forms.Form) -> str:
    """The password typed (as typed: spaces count), or a new random one when asked for."""
    if form.values["generate"]:
        return secrets.token_urlsafe(15)
    password = data.get("password", "")
    if not isinstance(password, str) or not password:
        form.errors["password"] = "is required (or tick “Generate a password”)"
        return ""
    return password


def _done(store: str) -> Response:
    return render.redirect(BASE.format(store=store))


def _new_page(request: Request, session: WebSession, store: Store, form: forms.Form, status: int = 200) -> Response:
    return _edit_page(request, session, store, None, form, None, status)


def _edit_page(
    request: Request,
    session: WebSession,
    store: Store,
    user: User | None,
    form: forms.Form,
    password_form: forms.Form | None,
    status: int = 200,
) -> Response:
    """The user form: of `user` with its password form, or of a new user (None)."""
    return render.page(
        request,
        "user_form.html",
        session,
        status_code=status,
        store=store,
        form=form,
        password_form=password_form,
        target=_row(user, store, session) if user else None,
        roles=ROLE_NAMES,
        min_length=MIN_LENGTH,
        section="users",
    )


def _password_page(request: Request, session: WebSession, store: Store, user: User, password: str) -> Response:
    return render.page(
        request,
        "secret_once.html",
        session,
        store=store,
        title=f"Password for {user.name}",
        label=f"The password of {user.email}",
        secret=password,
        usage="Give it to them in person or through a channel you trust; they sign in with their email and it.",
        lost="set a new password",
        back=BASE.format(store=store.key),
        back_text="Back to the users",
        section="users",
    )


def _row(u: User, store: Store, session: WebSession) -> dict[str, Any]:
    return {
        "id": u.id,
        "name": u.name,
        "email": u.email,
        "role": u.role_name,
        "active": u.disabled_at is None,
        "disabled": render.when(u.disabled_at, store),
        "last_sign_in": render.when(u.last_login_at, store),
        "you": u.id == session.user.id,
    }
