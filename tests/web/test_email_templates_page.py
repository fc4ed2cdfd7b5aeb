"""Settings > Email Templates through the admin UI's forms, on both backends: the table,
creating and editing a template, what does not render shown next to its field with its
line, the preview of an unsaved draft for a real customer (with the Preview button and
through the editor script's preview address), deleting (refused while an event or a
program sends the template), and the page's guards: Administrators only, CSRF, odd input."""

from __future__ import annotations

import html
import re
import uuid

import pytest
from fastapi.testclient import TestClient
from web_kit import csrf

from milepost import Milepost
from milepost.errors import NotFound

TEMPLATES = "/admin/{store}/settings/email-templates"


def url(store: str, tail: str = "") -> str:
    return TEMPLATES.format(store=store) + tail


def draft(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "key": "vip-welcome",
        "name": "VIP welcome",
        "subject": "Welcome to the club, {{ customer.name }}",
        "body_text": "Dear {{ customer.name }},\nthank you for {{ customer.order_count }} orders.",
        "body_html": "",
        "customer_id": "",
        **changes,
    }


def cells(page: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)  # type: ignore[union-attr]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    found = [[re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]
    return [[html.unescape(" ".join(c.split())) for c in row] for row in found]


def error_of(page: str, field: str) -> str:
    """The error shown next to `field` ("" when none)."""
    m = re.search(rf'<p class="error" id="e-{field}">(.*?)</p>', page, re.S)
    return html.unescape(m.group(1)) if m else ""


def pane(page: str) -> str:
    """The preview pane's text."""
    m = re.search(r'id="preview-pane"[^>]*>(.*?)</section>', page, re.S)
    text = m.group(1) if m else page
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", text).split()))


def customer(mp: Milepost, store: str, customer_id: str, name: str, orders: int = 0) -> None:
    events = [{"id": uuid.uuid4().hex, "type": "customer.updated", "customer_id": customer_id, "name": name}]
    events += [
        {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": customer_id, "order_id": f"{customer_id}-{i}"}
        for i in range(orders)
    ]
    mp.ingest(store, events)


def saved(mp: Milepost, store: str, key: str = "vip-welcome") -> dict | None:
    try:
        return mp.templates.get(store, key)
    except NotFound:
        return None


# -- the table ---------------------------------------------------------------------------


def test_the_table_lists_key_name_subject_and_when_updated(admin: TestClient, mp: Milepost, store: str):
    empty = admin.get(url(store))
    assert empty.status_code == 200 and "New Template" in empty.text
    assert cells(empty.text) == [["No email template yet: add one to send emails from events and programs."]]

    mp.templates.save(store, "vip", subject="Hi {{ customer.name }}", body_text="Thanks", name="VIP")
    mp.templates.save(store, "anniversary", subject="One year!", body_text="Thanks")

    page = admin.get(url(store))
    headings = re.findall(r'<th scope="col">([^<]+)</th>', page.text)
    assert headings == ["Key", "Name", "Subject", "Updated", "Actions"]
    assert cells(page.text) == [
        ["anniversary", "anniversary", "One year!", "2026-03-01 12:00", "Edit Delete"],
        ["vip", "VIP", "Hi {{ customer.name }}", "2026-03-01 12:00", "Edit Delete"],
    ]
    assert f'href="{url(store, "/vip/edit")}"' in page.text and f'href="{url(store, "/vip/delete")}"' in page.text


def test_a_long_list_comes_in_pages(admin: TestClient, mp: Milepost, store: str):
    for i in range(51):
        mp.templates.save(store, f"t{i:03}", subject="S", body_text="B")

    first = admin.get(url(store))
    assert len(cells(first.text)) == 50 and "?after=t049" in first.text
    second = admin.get(url(store, "?after=t049"))
    assert [row[0] for row in cells(second.text)] == ["t050"] and "Next page" not in second.text


# -- creating and editing ------------------------------------------------------------------


def test_creating_a_template(admin: TestClient, mp: Milepost, store: str):
    form = admin.get(url(store, "/new"))
    assert form.status_code == 200
    assert '<script src="/admin/static/email_templates.js" defer></script>' in form.text

    r = admin.post(url(store, "/new"), data=draft(csrf(admin, url(store, "/new")), body_html="<p>Hi</p>"))

    assert r.status_code == 303 and r.headers["location"] == url(store)
    t = saved(mp, store)
    assert t is not None
    assert (t["name"], t["subject"], t["body_html"]) == (
        "VIP welcome",
        "Welcome to the club, {{ customer.name }}",
        "<p>Hi</p>",
    )
    assert t["body_text"] == "Dear {{ customer.name }},\nthank you for {{ customer.order_count }} orders."
    assert cells(admin.get(url(store)).text)[0][:3] == [
        "vip-welcome",
        "VIP welcome",
        "Welcome to the club, {{ customer.name }}",
    ]


def test_a_template_without_a_name_or_html_body_gets_the_key_and_text_only(admin: TestClient, mp: Milepost, store: str):
    token = csrf(admin, url(store, "/new"))
    r = admin.post(
        url(store, "/new"), data=draft(token, name="", body_html="  \r\n", body_text="Line one\r\nLine two\r\n")
    )

    assert r.status_code == 303
    t = saved(mp, store)
    assert t is not None and (t["name"], t["body_html"], t["body_text"]) == (
        "vip-welcome",
        None,
        "Line one\nLine two\n",
    )


def test_a_new_template_cannot_take_a_key_in_use(admin: TestClient, mp: Milepost, store: str):
    mp.templates.save(store, "vip-welcome", subject="Original", body_text="Original")

    r = admin.post(url(store, "/new"), data=draft(csrf(admin, url(store, "/new"))))

    assert r.status_code == 400 and "exists already" in error_of(r.text, "key")
    assert saved(mp, store)["subject"] == "Original"  # type: ignore[index]


def test_editing_keeps_the_key_and_changes_the_rest(admin: TestClient, mp: Milepost, store: str):
    mp.templates.save(store, "vip", subject="Hi {{ customer.name }}", body_text="Old\nbody", name="VIP")
    edit = url(store, "/vip/edit")

    form = admin.get(edit)
    assert form.status_code == 200 and "Edit “VIP”" in form.text
    assert 'name="key"' not in form.text and '<code class="key">vip</code>' in form.text
    assert re.search(r'<textarea id="f-body_text"[^>]*>\nOld\nbody</textarea>', form.text)

    token = csrf(admin, edit)
    r = admin.post(edit, data=draft(token, key="other", name="VIP club", subject="Hello", body_text="New"))

    assert r.status_code == 303 and r.headers["location"] == url(store)
    assert saved(mp, store, "other") is None
    t = saved(mp, store, "vip")
    assert t is not None and (t["name"], t["subject"], t["body_text"]) == ("VIP club", "Hello", "New")


# -- what does not render, next to its field ------------------------------------------------


def test_a_syntax_error_is_shown_next_to_its_field_with_its_line(admin: TestClient, mp: Milepost, store: str):
    token = csrf(admin, url(store, "/new"))
    r = admin.post(url(store, "/new"), data=draft(token, body_text="Dear {{ customer.name }},\n{{ customer.name }"))

    assert r.status_code == 400
    assert error_of(r.text, "body_text") == "line 2: unexpected '}'"
    assert 'aria-invalid="true" aria-describedby="e-body_text"' in r.text
    assert error_of(r.text, "subject") == "" and saved(mp, store) is None
    assert "{{ customer.name }</textarea>" in r.text  # the draft is kept as typed


def test_sandbox_refusals_and_unknown_names_are_shown_next_to_their_fields(admin: TestClient, mp: Milepost, store: str):
    token = csrf(admin, url(store, "/new"))
    html_body = "<p>Hi</p>\n<p>{{ customer.__class__.__mro__ }}</p>"
    r = admin.post(url(store, "/new"), data=draft(token, body_html=html_body))
    assert r.status_code == 400
    assert error_of(r.text, "body_html") == "line 2: access to attribute '__class__' of 'dict' object is unsafe."

    r = admin.post(url(store, "/new"), data=draft(token, subject="Hi {{ nickname }}"))
    assert r.status_code == 400 and error_of(r.text, "subject") == "line 1: 'nickname' is undefined"

    r = admin.post(url(store, "/new"), data=draft(token, body_text="{{ customer.tags.append('x') }}"))
    assert r.status_code == 400 and "unsafe" in error_of(r.text, "body_text")
    assert saved(mp, store) is None


def test_missing_and_malformed_fields_are_named(admin: TestClient, mp: Milepost, store: str):
    token = csrf(admin, url(store, "/new"))
    r = admin.post(url(store, "/new"), data=draft(token, key="VIP Welcome!", subject="  ", body_text=""))

    assert r.status_code == 400
    assert "lowercase letters" in error_of(r.text, "key")
    assert error_of(r.text, "subject") == "is required"
    assert error_of(r.text, "body_text") == "is required"
    assert "Please correct what is marked below." in r.text


# -- the preview of an unsaved draft -----------------------------------------------------------


def test_the_preview_button_shows_the_unsaved_draft_as_a_customer_gets_it(admin: TestClient, mp: Milepost, store: str):
    customer(mp, store, "c1", "Grace Hopper", orders=2)
    token = csrf(admin, url(store, "/new"))
    body_html = "<p>Hi {{ customer.name }}</p><script>parent.alert(1)</script>"

    r = admin.post(url(store, "/new"), data=draft(token, customer_id="c1", body_html=body_html, do="preview"))

    assert r.status_code == 200
    shown = pane(r.text)
    assert "As customer c1 would get it" in shown
    assert "Welcome to the club, Grace Hopper" in shown
    assert "Dear Grace Hopper, thank you for 2 orders." in shown
    # the HTML body only inside a sandboxed frame, as an escaped attribute
    frame = re.search(r"<iframe [^>]*>", r.text).group(0)  # type: ignore[union-attr]
    assert " sandbox " in frame and "allow-scripts" not in frame
    srcdoc = re.search(r'srcdoc="([^"]*)"', frame).group(1)  # type: ignore[union-attr]
    assert html.unescape(srcdoc) == "<p>Hi Grace Hopper</p><script>parent.alert(1)</script>"
    assert "<script>parent.alert" not in r.text
    assert saved(mp, store) is None  # nothing saved


def test_the_preview_of_an_edited_template_uses_the_draft_not_the_saved_one(
    admin: TestClient, mp: Milepost, store: str
):
    customer(mp, store, "c1", "Grace Hopper")
    mp.templates.save(store, "vip", subject="Saved subject", body_text="Saved body")
    edit = url(store, "/vip/edit")

    r = admin.post(
        edit, data=draft(csrf(admin, edit), subject="Draft for {{ customer.name }}", customer_id="c1", do="preview")
    )

    assert r.status_code == 200 and "Draft for Grace Hopper" in pane(r.text)
    assert saved(mp, store, "vip")["subject"] == "Saved subject"  # type: ignore[index]


def test_the_editor_script_gets_the_preview_as_a_fragment(admin: TestClient, mp: Milepost, store: str):
    customer(mp, store, "c1", "Grace Hopper")
    token = csrf(admin, url(store, "/new"))

    r = admin.post(url(store, "/preview"), data=draft(token, customer_id="c1", body_html="<b>{{ customer.name }}</b>"))

    assert r.status_code == 200 and "<html" not in r.text and "<nav" not in r.text
    assert "Welcome to the club, Grace Hopper" in r.text
    assert 'srcdoc="&lt;b&gt;Grace Hopper&lt;/b&gt;"' in r.text
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    assert saved(mp, store) is None


def test_without_a_customer_the_preview_uses_the_sample_customer(admin: TestClient, store: str):
    token = csrf(admin, url(store, "/new"))
    r = admin.post(url(store, "/preview"), data=draft(token, customer_id=""))
    assert r.status_code == 200 and "Welcome to the club, Ada Lovelace" in r.text and "sample customer" in r.text


def test_an_unknown_customer_is_said_inline(admin: TestClient, mp: Milepost, store: str):
    token = csrf(admin, url(store, "/new"))

    r = admin.post(url(store, "/new"), data=draft(token, customer_id="ghost", do="preview"))
    assert r.status_code == 400
    assert error_of(r.text, "customer_id") == "no customer 'ghost' in this store"
    assert "Customer: no customer 'ghost' in this store" in pane(r.text)

    fragment = admin.post(url(store, "/preview"), data=draft(token, customer_id="ghost"))
    assert fragment.status_code == 200
    assert 'data-field="customer_id"' in fragment.text and "no customer &#39;ghost&#39; in this store" in fragment.text


def test_another_stores_customer_is_unknown_here(admin: TestClient, mp: Milepost, store: str):
    other = f"other-{uuid.uuid4().hex[:8]}"
    mp.stores.create(other, "Other shop")
    customer(mp, other, "c9", "Someone Else")
    token = csrf(admin, url(store, "/new"))

    r = admin.post(url(store, "/preview"), data=draft(token, customer_id="c9"))

    assert "no customer &#39;c9&#39; in this store" in r.text and "Someone Else" not in r.text


def test_the_preview_names_what_does_not_render_with_its_line(admin: TestClient, mp: Milepost, store: str):
    customer(mp, store, "c1", "Grace Hopper")
    token = csrf(admin, url(store, "/new"))
    broken = draft(token, customer_id="c1", body_text="one\ntwo\n{% if %}", body_html="{{ customer.__init__ }}")

    fragment = admin.post(url(store, "/preview"), data=broken)
    assert fragment.status_code == 200
    assert re.search(r'data-field="body_text" data-message="line 3: [^"]+"', fragment.text)
    assert "Grace Hopper" not in fragment.text

    # an unknown customer does not hide what does not render
    r = admin.post(url(store, "/new"), data={**broken, "customer_id": "ghost", "do": "preview"})
    assert r.status_code == 400
    assert error_of(r.text, "customer_id") and error_of(r.text, "body_text").startswith("line 3: ")


# -- deleting ------------------------------------------------------------------------------------


def test_deleting_after_a_confirmation(admin: TestClient, mp: Milepost, store: str):
    mp.templates.save(store, "vip", subject="Hi", body_text="Thanks", name="VIP")

    confirm = admin.get(url(store, "/vip/delete"))
    assert confirm.status_code == 200 and "Delete the email template “VIP”?" in confirm.text

    r = admin.post(url(store, "/vip/delete"), data={"csrf_token": csrf(admin, url(store, "/vip/delete"))})

    assert r.status_code == 303 and r.headers["location"] == url(store)
    assert saved(mp, store, "vip") is None


@pytest.mark.parametrize("user", ["order count event", "milestone program"])
def test_a_template_still_sent_cannot_be_deleted(admin: TestClient, mp: Milepost, store: str, user: str):
    mp.templates.save(store, "vip", subject="Hi", body_text="Thanks", name="VIP")
    actions = [{"type": "send_email", "template": "vip"}]
    if user == "order count event":
        mp.order_count_events.create(store, count=5, name="Fifth order", actions=actions)
    else:
        mp.programs.create(store, name="Big spender", metric="amount_spent", threshold=10_000, actions=actions)
    token = csrf(admin, url(store, "/vip/delete"))

    r = admin.post(url(store, "/vip/delete"), data={"csrf_token": token})

    assert r.status_code == 409
    message = html.unescape(re.search(r'role="alert">\s*<p>(.*?)</p>', r.text, re.S).group(1))  # type: ignore[union-attr]
    assert message.startswith("This template cannot be deleted: the template 'vip' is sent by")
    assert ("Fifth order" if user == "order count event" else "Big spender") in message
    assert saved(mp, store, "vip") is not None


# -- who may, and odd input --------------------------------------------------------------------


def test_agents_may_not_see_or_change_templates(agent: TestClient, mp: Milepost, store: str):
    mp.templates.save(store, "vip", subject="Hi", body_text="Thanks")
    token = csrf(agent, f"/admin/{store}/customers")  # a page an Agent sees, with the session's token
    for path in ("", "/new", "/vip/edit", "/vip/delete"):
        assert agent.get(url(store, path)).status_code == 403
    for path in ("/new", "/vip/edit", "/vip/delete", "/preview"):
        assert agent.post(url(store, path), data=draft(token, subject="Changed")).status_code == 403
    assert saved(mp, store, "vip")["subject"] == "Hi"  # type: ignore[index]


def test_signed_out_visitors_are_sent_to_sign_in(web: TestClient, store: str):
    r = web.get(url(store))
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/login?next=")
    assert web.post(url(store, "/preview"), data=draft("x")).status_code == 303


def test_a_form_without_its_csrf_token_is_refused(admin: TestClient, mp: Milepost, store: str):
    mp.templates.save(store, "vip", subject="Hi", body_text="Thanks")
    for path in ("/new", "/vip/edit", "/vip/delete", "/preview"):
        data = draft("")
        del data["csrf_token"]
        assert admin.post(url(store, path), data=data).status_code == 403
        assert admin.post(url(store, path), data=draft("forged")).status_code == 403
    assert saved(mp, store, "vip")["subject"] == "Hi"  # type: ignore[index]
    assert saved(mp, store) is None


def test_unknown_or_impossible_keys_are_not_found(admin: TestClient, store: str):
    token = csrf(admin, url(store, "/new"))
    for path in ("/nope/edit", "/nope/delete", "/NOT%20A%20KEY/edit", "/" + "k" * 5000 + "/edit", "/%00/delete"):
        assert admin.get(url(store, path)).status_code == 404, path
        assert admin.post(url(store, path), data=draft(token)).status_code == 404, path


def test_another_stores_template_is_not_found(admin: TestClient, mp: Milepost, store: str):
    other = f"other-{uuid.uuid4().hex[:8]}"
    mp.stores.create(other, "Other shop")
    mp.templates.save(other, "theirs", subject="Hi", body_text="Thanks")
    token = csrf(admin, url(store, "/new"))

    assert admin.get(url(store, "/theirs/edit")).status_code == 404
    assert admin.post(url(store, "/theirs/edit"), data=draft(token)).status_code == 404
    assert admin.post(url(store, "/theirs/delete"), data={"csrf_token": token}).status_code == 404
    assert saved(mp, other, "theirs") is not None
    assert admin.get(url("no-such-store")).status_code == 404


ODD = [
    {"subject": "S" * 501},
    {"name": "N" * 201},
    {"key": "k" * 101},
    {"body_text": "B" * 100_001},
    {"body_html": "<p>" * 40_000},
    {"subject": "nul\x00here"},
    {"body_text": "nul\x00here"},
    {"customer_id": "c\x00"},
    {"customer_id": "c" * 201},
    {"key": "\x00"},
    {"body_text": "{{ 1 / 0 }}"},
    {"body_text": "{% for i in range(10**9) %}{% endfor %}"},
    {"subject": "{{ customer.name|money(store.currency) }}"},
    {"body_text": "{% include 'layout.html' %}"},
]


def test_odd_input_is_answered_with_a_message_never_a_500(admin: TestClient, mp: Milepost, store: str):
    mp.templates.save(store, "vip", subject="Hi", body_text="Thanks")
    token = csrf(admin, url(store, "/new"))
    for changes in ODD:
        for path in ("/new", "/vip/edit") if "key" not in changes else ("/new",):  # a template keeps its key
            for do in ("save", "preview"):
                r = admin.post(url(store, path), data=draft(token, **changes, do=do))
                assert r.status_code == 400 and 'class="error"' in r.text, (changes, path, do, r.status_code)
        assert admin.post(url(store, "/preview"), data=draft(token, **changes)).status_code == 200
    assert admin.post(url(store, "/new"), data={"csrf_token": token}).status_code == 400  # no fields at all
    assert admin.post(url(store, "/preview"), data={"csrf_token": token}).status_code == 200
    assert saved(mp, store, "vip")["subject"] == "Hi"  # type: ignore[index]
    assert saved(mp, store) is None


def test_an_odd_page_position_shows_the_first_page(admin: TestClient, mp: Milepost, store: str):
    mp.templates.save(store, "vip", subject="Hi", body_text="Thanks")
    for after in ("\x00", "x" * 5000, "NOT A KEY", ""):
        r = admin.get(url(store), params={"after": after})
        assert r.status_code == 200 and cells(r.text)[0][0] == "vip"
