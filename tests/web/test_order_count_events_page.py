"""Settings > Order Count Events through the admin UI's forms, on both backends: the
table, adding an event with several actions, errors next to their fields, editing,
switching off and on, deleting after a confirmation with the history kept."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from web_kit import csrf

from milepost import Milepost

EVENTS = "/admin/{store}/settings/order-count-events"


def cells(html: str) -> list[list[str]]:
    """The events table's rows, as the text of their cells."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)  # type: ignore[union-attr]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    text = [[re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]
    return [[" ".join(c.split()).replace("&#39;", "'") for c in row] for row in text]


def vip_form(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "count": "5",
        "name": "VIP",
        "active": "on",
        "action-0-type": "send_email",
        "action-0-template": "vip",
        "action-1-type": "credit",
        "action-1-amount": "10.00",
        "action-2-type": "add_tag",
        "action-2-tag": "5-Order Club",
        **changes,
    }


def with_template(mp: Milepost, store: str) -> None:
    mp.templates.save(
        store, "vip", name="You're a VIP!", subject="Welcome, {{ customer.name }}", body_text="You are a VIP."
    )


def test_the_table_has_the_columns_operators_expect(admin: TestClient, store: str):
    page = admin.get(EVENTS.format(store=store))
    assert page.status_code == 200 and "Add New Event" in page.text
    headings = re.findall(r'<th scope="col">([^<]+)</th>', page.text)
    assert headings == [
        "Order Count Trigger",
        "Event Name",
        "Action Type",
        "Action Details",
        "Active Status",
        "Actions",
    ]
    assert cells(page.text) == [["No order count event yet: add one to react to a customer's Nth order."]]


def test_adding_the_fifth_order_event_with_three_actions(admin: TestClient, mp: Milepost, store: str):
    with_template(mp, store)
    url = EVENTS.format(store=store)
    new = admin.get(f"{url}/new")
    assert '<option value="vip"' in new.text or "<option >vip</option>" in new.text or ">vip</option>" in new.text

    r = admin.post(f"{url}/new", data=vip_form(csrf(admin, f"{url}/new")))

    assert r.status_code == 303 and r.headers["location"] == url
    (event,) = mp.order_count_events.list(store)
    assert (event.rule.threshold, event.rule.name, event.rule.active) == (5, "VIP", True)
    assert [a.as_dict() for a in event.rule.actions] == [
        {"type": "send_email", "template": "vip"},
        {"type": "credit", "amount": 1000, "currency": "USD"},
        {"type": "add_tag", "tag": "5-Order Club"},
    ]
    assert cells(admin.get(url).text) == [
        [
            "5",
            "VIP",
            "Send email Credit the account Add tag",
            "email “You're a VIP!” credit $10.00 +tag '5-Order Club'",
            "Active",
            "Edit Delete",
        ]
    ]
    assert '<div title="template vip">email “You&#39;re a VIP!”</div>' in admin.get(url).text  # the key on hover


def test_errors_show_next_to_their_fields_and_the_form_keeps_what_was_typed(admin: TestClient, store: str):
    url = EVENTS.format(store=store)
    token = csrf(admin, f"{url}/new")
    r = admin.post(
        f"{url}/new",
        data=vip_form(token, count="five", **{"action-0-template": "missing", "action-1-amount": "10.005"}),
    )
    assert r.status_code == 400 and "Please correct what is marked below." in r.text
    assert re.search(r'id="f-count"[^>]*value="five"|value="five"', r.text)
    assert "must be a whole number" in r.text and "at most 2 decimals" in r.text

    # the model's own checks come back beside their fields too: the template must exist
    r = admin.post(f"{url}/new", data=vip_form(token, **{"action-0-template": "missing"}))
    assert r.status_code == 400 and "no email template with the key &#39;missing&#39;" in r.text
    # and no action at all
    r = admin.post(f"{url}/new", data={"csrf_token": token, "count": "3", "name": "Third"})
    assert r.status_code == 400 and "add at least one action" in r.text
    assert cells(admin.get(url).text)[0][0].startswith("No order count event")


def test_a_decimal_comma_is_refused_not_read_as_thousands(admin: TestClient, mp: Milepost, store: str):
    """`12,5` typed for €12.50 (or $12.50) is refused, never saved as 125.00."""
    url = EVENTS.format(store=store)
    token = csrf(admin, f"{url}/new")
    no_email = {"action-0-type": "add_tag", "action-0-tag": "VIP"}
    r = admin.post(f"{url}/new", data=vip_form(token, **no_email, **{"action-1-amount": "12,5"}))
    assert r.status_code == 400 and "a point before the decimals, commas only between thousands" in r.text
    assert mp.order_count_events.list(store) == []
    # written as people write it, with the currency's sign or in cents, it is taken
    for typed in ("$1,012.50", "101250c"):
        form = vip_form(token, count=str(len(typed)), **no_email, **{"action-1-amount": typed})
        r = admin.post(f"{url}/new", data=form)
        assert r.status_code == 303, re.findall(r"class=\"error[^>]*>([^<]*)", r.text)
    assert {e.rule.actions[1].as_dict()["amount"] for e in mp.order_count_events.list(store)} == {101250}


def test_nothing_a_browser_can_post_answers_500(admin: TestClient, store: str):
    url = EVENTS.format(store=store)
    token = csrf(admin, f"{url}/new")
    odd = [
        {"count": "-3"},
        {"count": "99999999999999999999"},
        {"count": "1e3"},
        {"name": "x" * 5000},
        {"action-0-type": "teleport"},
        {"action-1-amount": "NaN"},
        {"action-1-amount": "Infinity"},
        {"action-1-amount": "-5"},
        {"action-0-type": "webhook", "action-0-url": "ftp://x"},
        {"action-0-type": "code", "action-0-discount_kind": "percentage", "action-0-discount_percent": "250"},
        {"action-0-type": "alert", "action-0-message": "{nope}"},
        {"conditions": "!,!!, ,"},
        {"name": "\x00"},
    ]
    for change in odd:
        r = admin.post(f"{url}/new", data=vip_form(token, **change))
        assert r.status_code in (303, 400), (change, r.status_code, r.text[:300])


def test_editing_switching_off_and_deleting(admin: TestClient, mp: Milepost, store: str):
    with_template(mp, store)
    url = EVENTS.format(store=store)
    admin.post(f"{url}/new", data=vip_form(csrf(admin, f"{url}/new")))
    (event,) = mp.order_count_events.list(store)
    edit = f"{url}/{event.rule.id}/edit"

    page = admin.get(edit)
    assert 'value="10.00"' in page.text and 'value="5-Order Club"' in page.text  # shown as saved
    r = admin.post(edit, data=vip_form(csrf(admin, edit), count="6", name="VIP six", **{"action-1-amount": "12.50"}))
    assert r.status_code == 303
    rule = mp.order_count_events.get(store, event.rule.id).rule
    assert (rule.threshold, rule.name, rule.actions[1].param("amount"), rule.version) == (6, "VIP six", 1250, 2)

    toggle = f"{url}/{event.rule.id}/toggle"
    assert admin.post(toggle, data={"csrf_token": csrf(admin, url)}).status_code == 303
    assert mp.order_count_events.get(store, event.rule.id).rule.active is False
    assert "Inactive" in cells(admin.get(url).text)[0][4]

    confirm = admin.get(f"{url}/{event.rule.id}/delete")
    assert confirm.status_code == 200 and "past firings stay in the milestone log" in confirm.text
    r = admin.post(f"{url}/{event.rule.id}/delete", data={"csrf_token": csrf(admin, url)})
    assert r.status_code == 303
    assert mp.order_count_events.list(store) == []
    assert [d.rule.id for d in mp.order_count_events.list(store, include_deleted=True)] == [event.rule.id]


def test_another_stores_event_is_not_found(admin: TestClient, mp: Milepost, store: str):
    other = f"o-{store}"[:60]
    mp.stores.create(other, "Other")
    theirs = mp.order_count_events.create(other, count=2, name="Theirs", actions=[{"type": "add_tag", "tag": "x"}])
    url = EVENTS.format(store=store)
    assert admin.get(f"{url}/{theirs.rule.id}/edit").status_code == 404
    assert admin.post(f"{url}/{theirs.rule.id}/delete", data={"csrf_token": csrf(admin, url)}).status_code == 404
    assert mp.order_count_events.list(other) != []


def test_an_alert_action_names_the_agent_who_must_act(admin: TestClient, mp: Milepost, store: str):
    url = EVENTS.format(store=store)
    token = csrf(admin, f"{url}/new")
    assert 'name="action-0-assignee"' in admin.get(f"{url}/new").text
    alert = {"count": "10", "name": "Call", "action-0-type": "alert", "action-0-message": "Call {customer}"}
    r = admin.post(f"{url}/new", data={"csrf_token": token, **alert, "action-0-assignee": "nobody@shop.example"})
    assert r.status_code == 400
    assert '<p class="error">no active user has this email' in r.text
    mp.users.create("dana@shop.example", "Dana", "correct horse battery", "agent")
    r = admin.post(f"{url}/new", data={"csrf_token": token, **alert, "action-0-assignee": "Dana@Shop.example"})
    assert r.status_code == 303
    (event,) = mp.order_count_events.list(store)
    assert event.rule.actions[0].param("assignee") == "dana@shop.example"


def test_the_email_action_says_how_many_customers_it_would_reach_today(admin: TestClient, mp: Milepost, store: str):
    with_template(mp, store)
    profiles = [
        {"id": "a", "type": "customer.created", "customer_id": "ada", "email": "ada@x.example", "email_consent": True},
        {"id": "b", "type": "customer.created", "customer_id": "bob", "email": "bob@x.example"},
        {"id": "c", "type": "customer.created", "customer_id": "cyd"},
    ]
    mp.ingest(store, profiles)
    page = admin.get(EVENTS.format(store=store) + "/new")
    text = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    assert (
        "This email would reach 1 of 3 customers today; 1 has no email address, "
        "1 has not consented to marketing email." in text
    )
    # the store's setting counts at once: transactional emails need no consent
    mp.stores.update(store, milestone_emails="transactional")
    page = admin.get(EVENTS.format(store=store) + "/new")
    assert "This email would reach 2 of 3 customers today; 1 has no email address." in page.text
