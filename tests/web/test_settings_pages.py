"""Settings > API Keys, Webhook Endpoints and Users through the admin UI's forms, on both
backends: secrets shown once (and working), errors next to their fields, confirmations
before revoking and deleting, the guards on Administrators, Agents kept out, forms
without their CSRF token refused, another store's ids not found, and no input that
makes a page answer 500."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_kit import PASSWORD, client_for, csrf, sign_in

from milepost import Milepost, connect
from milepost.config import Settings
from milepost.entrypoints.http import create_app

KEYS = "/admin/{store}/settings/api-keys"
HOOKS = "/admin/{store}/settings/webhooks"
USERS = "/admin/{store}/settings/users"
URL = "https://1.1.1.1/milepost"  # a public address: no DNS needed, never called here


def shown_secret(html: str) -> str:
    """The secret a page shows once."""
    return re.search(r'<code id="secret" class="secret">([^<]+)</code>', html).group(1)  # type: ignore[union-attr]


def error_of(html: str, name: str) -> str:
    """The error shown next to the field `name` ("" when there is none)."""
    found = re.search(rf'<p class="error" id="e-{re.escape(name)}">([^<]*)</p>', html)
    return found.group(1).replace("&#39;", "'") if found else ""


def rows(html: str) -> list[str]:
    """The text of each row of the page's table."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)  # type: ignore[union-attr]
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@shop.example"


def customer_event(key: str, client: TestClient) -> Any:
    event = {"id": uuid.uuid4().hex, "type": "customer.created", "customer_id": "ada", "email": "ada@shop.example"}
    return client.post("/api/v1/events", json=event, headers={"Authorization": f"Bearer {key}"})


# -- API keys ----------------------------------------------------------------------------------


def test_a_new_key_is_shown_once_works_and_is_never_shown_again(admin: TestClient, mp: Milepost, store: str):
    url = KEYS.format(store=store)
    page = admin.get(url)
    assert page.status_code == 200 and "No API key yet" in page.text

    r = admin.post(url, data={"csrf_token": csrf(admin, url), "name": "Shop backend", "scope": "admin"})

    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert "cannot be shown again" in r.text
    secret = shown_secret(r.text)
    assert secret.startswith("mpk_") and secret not in str(r.url)
    (key,) = mp.keys.list(store)
    assert (key.name, key.scope, key.active) == ("Shop backend", "admin", True)
    # the key works against the HTTP API of the same app, for its own store
    bearer = {"Authorization": f"Bearer {secret}"}
    assert admin.get("/api/v1/store", headers=bearer).json()["key"] == store
    assert customer_event(secret, admin).json()["accepted"] == 1
    # and it appears nowhere afterwards; its first characters identify it
    for later in (url, f"{url}/{key.id}/revoke", f"/admin/{store}"):
        assert secret not in admin.get(later).text
    assert rows(admin.get(url).text) == [f"Shop backend admin {key.prefix}… 2026-03-01 12:00 Active Revoke"]


def test_an_ingest_key_sends_events_but_cannot_configure(admin: TestClient, mp: Milepost, store: str):
    url = KEYS.format(store=store)
    r = admin.post(url, data={"csrf_token": csrf(admin, url), "name": "", "scope": "ingest"})
    secret = shown_secret(r.text)
    assert customer_event(secret, admin).json()["accepted"] == 1
    assert admin.get("/api/v1/store", headers={"Authorization": f"Bearer {secret}"}).status_code == 403
    assert [k.name for k in mp.keys.list(store)] == ["ingest key"]  # a name when none is given


def test_a_read_key_is_listed_with_its_scope_reads_and_changes_nothing(admin: TestClient, mp: Milepost, store: str):
    url = KEYS.format(store=store)
    assert "Read: read everything through the API, change nothing" in admin.get(url).text

    r = admin.post(url, data={"csrf_token": csrf(admin, url), "name": "Dashboard", "scope": "read"})

    bearer = {"Authorization": f"Bearer {shown_secret(r.text)}"}
    assert admin.get("/api/v1/store", headers=bearer).json()["key"] == store
    assert admin.patch("/api/v1/store", json={"name": "X"}, headers=bearer).status_code == 403
    assert customer_event(bearer["Authorization"][7:], admin).status_code == 403
    (key,) = mp.keys.list(store)
    assert rows(admin.get(url).text) == [f"Dashboard read {key.prefix}… 2026-03-01 12:00 Active Revoke"]


def test_revoking_a_key_after_a_confirmation(admin: TestClient, mp: Milepost, store: str):
    key, secret = mp.keys.create(store, "ingest", "Old shop")
    url = KEYS.format(store=store)
    confirm = admin.get(f"{url}/{key.id}/revoke")
    assert confirm.status_code == 200 and "stops working at once" in confirm.text

    r = admin.post(f"{url}/{key.id}/revoke", data={"csrf_token": csrf(admin, url)})

    assert r.status_code == 303 and r.headers["location"] == url
    assert mp.keys.list(store)[0].active is False
    assert customer_event(secret, admin).status_code == 401
    assert "Revoked 2026-03-01 12:00" in rows(admin.get(url).text)[0]
    again = admin.post(f"{url}/{key.id}/revoke", data={"csrf_token": csrf(admin, url)})
    assert again.status_code == 303  # revoking twice keeps the first time


def test_key_errors_show_next_to_their_fields(admin: TestClient, mp: Milepost, store: str):
    url = KEYS.format(store=store)
    token = csrf(admin, url)

    bad_scope = admin.post(url, data={"csrf_token": token, "name": "x", "scope": "root"})
    long_name = admin.post(url, data={"csrf_token": token, "name": "n" * 201, "scope": "ingest"})

    assert bad_scope.status_code == 400 and error_of(bad_scope.text, "scope") == "choose a scope"
    assert long_name.status_code == 400 and error_of(long_name.text, "name") == "too long"
    assert 'value="nnnn' in long_name.text and "Please correct what is marked below." in long_name.text
    assert mp.keys.list(store) == []


def test_another_stores_key_is_not_found(admin: TestClient, mp: Milepost, store: str):
    other = f"o-{store}"[:60]
    mp.stores.create(other, "Other")
    theirs, _ = mp.keys.create(other, "admin")
    url = KEYS.format(store=store)
    token = csrf(admin, url)
    for key_id in (theirs.id, 0, 2**31, 10**30, "abc"):
        assert admin.get(f"{url}/{key_id}/revoke").status_code == 404
        assert admin.post(f"{url}/{key_id}/revoke", data={"csrf_token": token}).status_code == 404
    assert mp.keys.list(other)[0].active


# -- webhook endpoints -------------------------------------------------------------------------


def endpoint_form(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "url": URL,
        "description": "CRM",
        "event:milestone.reached": "on",
        "event:alert.created": "on",
        "active": "on",
        **changes,
    }


def test_adding_an_endpoint_shows_its_secret_once(admin: TestClient, mp: Milepost, store: str):
    url = HOOKS.format(store=store)
    assert "No webhook endpoint yet" in admin.get(url).text

    r = admin.post(f"{url}/new", data=endpoint_form(csrf(admin, f"{url}/new")))

    assert r.status_code == 200 and "cannot be shown again" in r.text
    assert r.headers["cache-control"] == "no-store"
    (endpoint,) = mp.webhooks.list(store)
    assert (endpoint.url, endpoint.description, endpoint.enabled) == (URL, "CRM", True)
    assert endpoint.event_types == ("milestone.reached", "alert.created")
    secret = shown_secret(r.text)
    assert secret.startswith("whsec_") and secret == mp.webhooks.secret(store, endpoint.id)
    for later in (url, f"{url}/{endpoint.id}/edit", f"{url}/{endpoint.id}/rotate"):
        assert secret not in admin.get(later).text
    assert rows(admin.get(url).text) == [
        f"{URL} CRM milestone.reached alert.created Active 2026-03-01 12:00 Edit Rotate secret Delete"
    ]


def test_an_endpoint_may_start_disabled_and_with_no_event(admin: TestClient, mp: Milepost, store: str):
    url = HOOKS.format(store=store)
    form = {"csrf_token": csrf(admin, f"{url}/new"), "url": URL}
    assert admin.post(f"{url}/new", data=form).status_code == 200
    (endpoint,) = mp.webhooks.list(store)
    assert (endpoint.enabled, endpoint.event_types, endpoint.disabled_reason) == (False, (), "disabled by an operator")
    assert "only what actions send" in rows(admin.get(url).text)[0]


def test_endpoint_errors_show_next_to_the_url(admin: TestClient, mp: Milepost, store: str):
    url = HOOKS.format(store=store)
    token = csrf(admin, f"{url}/new")
    mp.webhooks.create(store, url=URL, event_types=[])

    bad = admin.post(f"{url}/new", data=endpoint_form(token, url="ftp://files.example/x"))
    private = admin.post(f"{url}/new", data=endpoint_form(token, url="http://127.0.0.1:8080/hook"))
    taken = admin.post(f"{url}/new", data=endpoint_form(token))
    empty = admin.post(f"{url}/new", data=endpoint_form(token, url=""))
    long = admin.post(f"{url}/new", data=endpoint_form(token, url=URL + "/2", description="d" * 201))

    for r in (bad, private, taken, empty, long):
        assert r.status_code == 400 and "Please correct what is marked below." in r.text
    assert error_of(bad.text, "url") == "must be an http or https URL with a host"
    assert "a loopback address" in error_of(private.text, "url")
    assert "MILEPOST_WEBHOOKS_ALLOW_PRIVATE" in error_of(private.text, "url")
    assert 'value="http://127.0.0.1:8080/hook"' in private.text and "checked" in private.text  # kept as typed
    assert "already has the URL" in error_of(taken.text, "url")
    assert error_of(empty.text, "url") == "required"
    assert error_of(long.text, "description") == "at most 200 characters"
    assert len(mp.webhooks.list(store)) == 1


def test_private_addresses_are_accepted_when_the_settings_allow_them(admin: TestClient, mp: Milepost, store: str):
    mp.settings = Settings(webhooks_allow_private=True)
    url = HOOKS.format(store=store)
    r = admin.post(f"{url}/new", data=endpoint_form(csrf(admin, f"{url}/new"), url="http://127.0.0.1:8080/hook"))
    assert r.status_code == 200 and mp.webhooks.list(store)[0].url == "http://127.0.0.1:8080/hook"


def test_editing_an_endpoint_and_rotating_its_secret(admin: TestClient, mp: Milepost, store: str):
    endpoint, first = mp.webhooks.create(store, url=URL, event_types=["milestone.reached"])
    url = HOOKS.format(store=store)
    edit = f"{url}/{endpoint.id}/edit"
    page = admin.get(edit)
    assert f'value="{URL}"' in page.text and first not in page.text

    change = {"csrf_token": csrf(admin, edit), "url": URL + "/v2", "description": "ERP", "event:reward.issued": "on"}
    r = admin.post(edit, data=change)

    assert r.status_code == 303 and r.headers["location"] == url
    saved = mp.webhooks.get(store, endpoint.id)
    assert (saved.url, saved.description, saved.event_types, saved.enabled) == (
        URL + "/v2",
        "ERP",
        ("reward.issued",),
        False,
    )
    assert "Disabled disabled by an operator" in rows(admin.get(url).text)[0]

    confirm = admin.get(f"{url}/{endpoint.id}/rotate")
    assert confirm.status_code == 200 and "keeps signing too" in confirm.text
    rotated = admin.post(f"{url}/{endpoint.id}/rotate", data={"csrf_token": csrf(admin, url)})
    assert rotated.status_code == 200 and "cannot be shown again" in rotated.text
    second = shown_secret(rotated.text)
    assert second != first and second == mp.webhooks.secret(store, endpoint.id)
    assert second not in admin.get(url).text and second not in admin.get(edit).text


def test_deleting_an_endpoint_after_a_confirmation(admin: TestClient, mp: Milepost, store: str):
    endpoint, _ = mp.webhooks.create(store, url=URL, event_types=[], description="CRM")
    url = HOOKS.format(store=store)
    confirm = admin.get(f"{url}/{endpoint.id}/delete")
    assert confirm.status_code == 200 and "Delete the endpoint" in confirm.text and URL in confirm.text

    r = admin.post(f"{url}/{endpoint.id}/delete", data={"csrf_token": csrf(admin, url)})

    assert r.status_code == 303 and mp.webhooks.list(store) == []


def test_an_endpoint_a_rule_sends_to_is_kept_with_the_reason(admin: TestClient, mp: Milepost, store: str):
    mp.order_count_events.create(store, count=3, name="Third", actions=[{"type": "webhook", "url": URL}])
    (endpoint,) = mp.webhooks.list(store)
    url = HOOKS.format(store=store)

    r = admin.post(f"{url}/{endpoint.id}/delete", data={"csrf_token": csrf(admin, url)})

    assert r.status_code == 409 and "remove their webhook action first" in r.text
    moved = admin.post(f"{url}/{endpoint.id}/edit", data=endpoint_form(csrf(admin, url), url=URL + "/new"))
    assert moved.status_code == 400 and "change their webhook action" in error_of(moved.text, "url")
    assert mp.webhooks.list(store)[0].url == URL


def test_another_stores_endpoint_is_not_found(admin: TestClient, mp: Milepost, store: str):
    other = f"o-{store}"[:60]
    mp.stores.create(other, "Other")
    theirs, _ = mp.webhooks.create(other, url=URL, event_types=[])
    url = HOOKS.format(store=store)
    token = csrf(admin, url)
    for endpoint_id in (theirs.id, 0, 2**31, 10**30, "abc"):
        for action in ("edit", "rotate", "delete"):
            assert admin.get(f"{url}/{endpoint_id}/{action}").status_code == 404
            posted = admin.post(f"{url}/{endpoint_id}/{action}", data=endpoint_form(token))
            assert posted.status_code == 404, (endpoint_id, action)
    assert mp.webhooks.list(other)[0].description == ""


# -- users -------------------------------------------------------------------------------------


def user_form(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "email": new_email(),
        "name": "Grace",
        "role": "agent",
        "password": PASSWORD,
        **changes,
    }


def test_the_list_says_users_are_shared_and_marks_you(admin: TestClient, mp: Milepost, store: str):
    page = admin.get(USERS.format(store=store))
    assert page.status_code == 200 and "shared by every store" in page.text
    headings = re.findall(r'<th scope="col">([^<]+)</th>', page.text)
    assert headings == ["Name", "Email", "Role", "Status", "Last sign-in", "Actions"]
    (me,) = [r for r in rows(page.text) if "(you)" in r]
    assert me.startswith("Administrator (you) administrator-") and "Administrator Active 2026-03-01 12:00 Edit" in me


def test_adding_a_user_who_then_signs_in(admin: TestClient, web: TestClient, mp: Milepost, store: str):
    url = USERS.format(store=store)
    form = user_form(csrf(admin, f"{url}/new"), name="Grace Hopper")

    r = admin.post(f"{url}/new", data=form)

    assert r.status_code == 303 and r.headers["location"] == url
    (grace,) = [u for u in mp.users.list() if u.email == form["email"]]
    assert (grace.name, grace.role, grace.disabled_at) == ("Grace Hopper", "agent", None)
    assert f"Grace Hopper {form['email']} Agent Active never Edit" in rows(admin.get(url).text)
    assert sign_in(web, form["email"]).status_code == 303


def test_a_generated_password_is_shown_once_and_works(admin: TestClient, web: TestClient, mp: Milepost, store: str):
    url = USERS.format(store=store)
    form = user_form(csrf(admin, f"{url}/new"), password="", generate="on", role="administrator")

    r = admin.post(f"{url}/new", data=form)

    assert r.status_code == 200 and "cannot be shown again" in r.text
    password = shown_secret(r.text)
    assert len(password) >= 10 and password not in admin.get(url).text
    assert sign_in(web, form["email"], password).status_code == 303
    assert web.get(url).status_code == 200  # an Administrator


def test_user_errors_show_next_to_their_fields(admin: TestClient, mp: Milepost, store: str):
    url = USERS.format(store=store)
    token = csrf(admin, f"{url}/new")
    taken = new_email()
    mp.users.create(taken, "Taken", PASSWORD)

    cases = {
        "email": (user_form(token, email=taken.upper()), "is taken"),
        "password": (user_form(token, password="short"), "must be at least 10 characters"),
        "role": (user_form(token, role="root"), "choose a role"),
        "name": (user_form(token, name=" "), "is required, at most 200 characters"),
    }
    for name, (form, reason) in cases.items():
        r = admin.post(f"{url}/new", data=form)
        assert r.status_code == 400 and error_of(r.text, name) == reason, (name, r.text[-2000:])
        assert PASSWORD not in r.text  # a typed password is never sent back
    bad_email = admin.post(f"{url}/new", data=user_form(token, email="ada"))
    assert error_of(bad_email.text, "email").startswith("must be an email address")
    missing = admin.post(f"{url}/new", data=user_form(token, password=""))
    assert error_of(missing.text, "password").startswith("is required")
    posted = {form["email"] for form, _ in cases.values()} - {taken.upper()}
    assert [u for u in mp.users.list() if u.email in posted] == []


def test_editing_a_users_role_name_and_access(admin: TestClient, agent: TestClient, mp: Milepost, store: str, app: Any):
    url = USERS.format(store=store)
    settings_page = KEYS.format(store=store)
    assert agent.get(settings_page).status_code == 403
    (agent_user,) = [u for u in mp.users.list() if u.id == _me(agent, mp, store)]
    edit = f"{url}/{agent_user.id}/edit"

    r = admin.post(
        edit, data={"csrf_token": csrf(admin, edit), "name": "Alan", "role": "administrator", "active": "on"}
    )

    assert r.status_code == 303
    assert (mp.users.get(agent_user.id).name, mp.users.get(agent_user.id).role) == ("Alan", "administrator")
    assert agent.get(settings_page).status_code == 200  # the new role applies from the next page

    admin.post(edit, data={"csrf_token": csrf(admin, edit), "name": "Alan", "role": "agent", "active": "on"})
    assert agent.get(settings_page).status_code == 403

    r = admin.post(edit, data={"csrf_token": csrf(admin, edit), "name": "Alan", "role": "agent"})
    assert r.status_code == 303 and mp.users.get(agent_user.id).disabled_at is not None
    assert agent.get(f"/admin/{store}").status_code == 303  # signed out everywhere
    assert "Disabled" in next(row for row in rows(admin.get(url).text) if agent_user.email in row)
    with client_for(app) as again:
        assert sign_in(again, agent_user.email).status_code == 401

    admin.post(edit, data={"csrf_token": csrf(admin, edit), "name": "Alan", "role": "agent", "active": "on"})
    assert mp.users.get(agent_user.id).disabled_at is None


def _me(client: TestClient, mp: Milepost, store: str) -> int:
    """The id of the user a client is signed in as: the newest with the name in the page's header."""
    page = client.get(USERS.format(store=store)).text  # an Agent's 403 page has the header too
    name = re.search(r'<span class="who">([^<]+) · ', page).group(1)  # type: ignore[union-attr]
    return max(u.id for u in mp.users.list() if u.name == name)


def test_an_administrator_cannot_disable_themselves(admin: TestClient, mp: Milepost, store: str):
    me = mp.users.get(_me(admin, mp, store))
    edit = f"{USERS.format(store=store)}/{me.id}/edit"
    page = admin.get(edit)
    assert "(you too: sign in again with the new password)" in page.text

    r = admin.post(edit, data={"csrf_token": csrf(admin, edit), "name": me.name, "role": "administrator"})

    assert (
        r.status_code == 400
        and error_of(r.text, "active") == "You cannot disable yourself: ask another Administrator to do it."
    )
    assert mp.users.get(me.id).disabled_at is None and admin.get(edit).status_code == 200


def test_setting_a_new_password_signs_the_user_out(
    admin: TestClient, agent: TestClient, web: TestClient, mp: Milepost, store: str
):
    user = mp.users.get(_me(agent, mp, store))
    password_url = f"{USERS.format(store=store)}/{user.id}/password"
    token = csrf(admin, USERS.format(store=store))

    weak = admin.post(password_url, data={"csrf_token": token, "password": "abc"})
    assert weak.status_code == 400 and error_of(weak.text, "password") == "must be at least 10 characters"
    r = admin.post(password_url, data={"csrf_token": token, "password": "a new long password"})

    assert r.status_code == 303
    assert agent.get(f"/admin/{store}").status_code == 303  # to the sign-in page
    assert sign_in(web, user.email, "a new long password").status_code == 303

    generated = admin.post(password_url, data={"csrf_token": token, "generate": "on"})
    assert generated.status_code == 200 and "cannot be shown again" in generated.text
    password = shown_secret(generated.text)
    with client_for(admin.app) as again:  # type: ignore[arg-type]
        assert sign_in(again, user.email, password).status_code == 303


@pytest.fixture
def lone_mp(backend: str, tmp_path: Any, request: pytest.FixtureRequest) -> Iterator[Milepost]:
    """A database of its own, where one Administrator is the only one."""
    if backend == "sqlite":
        with connect(f"sqlite:///{tmp_path / 'lone.db'}") as found:
            yield found
        return
    server = request.getfixturevalue("postgres_server")
    schema = f"milepost_lone_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(sa.engine.make_url(server).set(drivername="postgresql+psycopg"), poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in server else "?"
    try:
        with connect(f"{server}{sep}options=-csearch_path%3D{schema}") as found:
            yield found
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_the_last_active_administrator_cannot_be_demoted(lone_mp: Milepost):
    lone_mp.stores.create("shop", "Shop")
    me = lone_mp.users.create("only@shop.example", "Only", PASSWORD, "administrator")
    with client_for(create_app(lone_mp, Settings())) as admin:
        assert sign_in(admin, me.email).status_code == 303
        edit = f"{USERS.format(store='shop')}/{me.id}/edit"

        r = admin.post(edit, data={"csrf_token": csrf(admin, edit), "name": "Only", "role": "agent", "active": "on"})

        assert r.status_code == 400 and "This is the last active Administrator" in error_of(r.text, "role")
        assert lone_mp.users.get(me.id).role == "administrator"


def test_an_unknown_user_is_not_found(admin: TestClient, store: str):
    url = USERS.format(store=store)
    token = csrf(admin, url)
    for user_id in (0, 2**31, 10**30, "abc", 2**31 - 1):
        assert admin.get(f"{url}/{user_id}/edit").status_code == 404
        assert admin.post(f"{url}/{user_id}/edit", data={"csrf_token": token}).status_code == 404
        assert admin.post(f"{url}/{user_id}/password", data={"csrf_token": token}).status_code == 404
    assert admin.get("/admin/no-such-store/settings/users").status_code == 404


# -- what every page refuses --------------------------------------------------------------------


def _targets(mp: Milepost, store: str) -> list[str]:
    key, _ = mp.keys.create(store, "ingest")
    endpoint, _ = mp.webhooks.create(store, url=URL, event_types=[])
    user = mp.users.create(new_email(), "Target", PASSWORD)
    keys, hooks, users = (p.format(store=store) for p in (KEYS, HOOKS, USERS))
    return [
        keys,
        f"{keys}/{key.id}/revoke",
        f"{hooks}/new",
        f"{hooks}/{endpoint.id}/edit",
        f"{hooks}/{endpoint.id}/rotate",
        f"{hooks}/{endpoint.id}/delete",
        f"{users}/new",
        f"{users}/{user.id}/edit",
        f"{users}/{user.id}/password",
    ]


def test_agents_are_kept_out(agent: TestClient, mp: Milepost, store: str):
    pages = [KEYS.format(store=store), HOOKS.format(store=store), USERS.format(store=store)]
    for url in pages:
        r = agent.get(url)
        assert r.status_code == 403 and "This page is for Administrators" in r.text
    for url in _targets(mp, store):
        assert agent.post(url, data={"name": "x", "scope": "admin", "url": URL}).status_code == 403
    assert len(mp.keys.list(store)) == 1 and mp.webhooks.list(store)[0].event_types == ()


def test_forms_without_their_csrf_token_are_refused(admin: TestClient, mp: Milepost, store: str):
    for url in _targets(mp, store):
        for token in ({}, {"csrf_token": "forged"}):
            data = {**token, "name": "x", "scope": "admin", "url": URL + "/x", "password": "long enough pass"}
            r = admin.post(url, data=data)
            assert r.status_code == 403 and "The form expired" in r.text, url
    assert len(mp.keys.list(store)) == 1 and mp.keys.list(store)[0].active
    assert [e.url for e in mp.webhooks.list(store)] == [URL]


def test_nothing_a_browser_can_post_answers_500(admin: TestClient, mp: Milepost, store: str):
    keys, hooks, users = (p.format(store=store) for p in (KEYS, HOOKS, USERS))
    token = csrf(admin, keys)
    endpoint, _ = mp.webhooks.create(store, url=URL, event_types=[])
    target = mp.users.create(new_email(), "Target", PASSWORD)
    odd: list[dict[str, str]] = [
        {"name": "\x00", "scope": "ingest"},
        {"name": "x" * 5000, "scope": "ingest"},
        {"scope": ""},
        {},
        {"url": "http://[::1", "description": "x"},
        {"url": "https://\x00.example/"},
        {"url": "https://" + "a" * 3000 + ".example/"},
        {"url": URL + "/y", "description": "\x00", "event:nope": "on"},
        {"url": "javascript:alert(1)"},
        {"email": "a\x00@b.example", "name": "N", "role": "agent", "password": PASSWORD},
        {"email": "x" * 400 + "@b.example", "name": "N", "role": "agent", "password": PASSWORD},
        {"email": new_email(), "name": "\x00", "role": "agent", "password": PASSWORD},
        {"email": new_email(), "name": "N", "role": "agent", "password": " " * 20},
        {"email": new_email(), "name": "N", "role": "agent", "password": "p" * 300},
        {"name": "", "role": ""},
    ]
    posts = [keys, f"{hooks}/new", f"{hooks}/{endpoint.id}/edit", f"{users}/new", f"{users}/{target.id}/edit"]
    posts.append(f"{users}/{target.id}/password")
    for url in posts:
        for change in odd:
            r = admin.post(url, data={"csrf_token": token, **change})
            assert r.status_code in (200, 303, 400, 409), (url, change, r.status_code, r.text[:300])
