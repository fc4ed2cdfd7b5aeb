"""Finding customers and acting on them in the admin UI, on both backends: the list
searched in id, email and name in any case, filtered by tag, order count and spend (typed
as people write amounts) and exported as CSV; a customer's page where an operator adds and
removes tags, adjusts credit and points with a reason, sends a message again, and sees the
customer's latest events."""

from __future__ import annotations

import csv
import io
import re
import uuid

from fastapi.testclient import TestClient
from web_kit import csrf

from milepost import Milepost
from milepost.config import Settings


def paid(customer: str, order: str, total: int = 2500) -> dict:
    return {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": customer, "order_id": order, "total": total}


def profile(customer: str, name: str, email: str) -> dict:
    return {"id": uuid.uuid4().hex, "type": "customer.created", "customer_id": customer, "name": name, "email": email}


def listed(html: str) -> list[str]:
    return re.findall(r'/customers/([^"/?]+)"', html)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'")


def shop(mp: Milepost, store: str) -> None:
    mp.ingest(
        store,
        [
            profile("c-ada", "Ada Lovelace", "Ada@Example.com"),
            profile("c-grace", "Grace Hopper", "grace@navy.example"),
            profile("C-LIN", "Linus", "linus@example.org"),
        ],
    )
    mp.ingest(store, [paid("c-ada", f"a{i}", 5000) for i in range(3)] + [paid("c-grace", "g1", 1000)])
    mp.customers.tag(store, "c-grace", add=["VIP"])


def test_the_list_searches_in_any_case_and_filters(agent: TestClient, mp: Milepost, store: str):
    shop(mp, store)
    url = f"/admin/{store}/customers"

    assert listed(agent.get(url, params={"q": "EXAMPLE.COM"}).text) == ["c-ada"]  # email, any case
    assert listed(agent.get(url, params={"q": "hopper"}).text) == ["c-grace"]  # name
    assert listed(agent.get(url, params={"q": "c-l"}).text) == ["C-LIN"]  # id, any case
    assert listed(agent.get(url, params={"tag": "VIP"}).text) == ["c-grace"]
    assert listed(agent.get(url, params={"min_orders": "2"}).text) == ["c-ada"]
    assert listed(agent.get(url, params={"max_orders": "0"}).text) == ["C-LIN"]
    assert listed(agent.get(url, params={"min_spent": "10", "max_spent": "1,000.00"}).text) == ["c-ada", "c-grace"]
    assert listed(agent.get(url, params={"min_spent": "10.01"}).text) == ["c-ada"]


def test_a_filter_that_does_not_parse_says_why(agent: TestClient, mp: Milepost, store: str):
    page = agent.get(f"/admin/{store}/customers", params={"min_spent": "ten", "min_orders": "5", "max_orders": "2"})
    assert page.status_code == 400
    assert "must be an amount like 10.00 USD" in page.text
    assert 'aria-invalid="true"' in page.text
    flipped = agent.get(f"/admin/{store}/customers", params={"min_orders": "5", "max_orders": "2"})
    assert flipped.status_code == 400 and "must not be below min_orders" in flipped.text
    assert agent.get(f"/admin/{store}/customers.csv", params={"max_orders": "x"}).status_code == 400
    huge = agent.get(f"/admin/{store}/customers", params={"max_spent": "9" * 18})
    assert huge.status_code == 400 and "is too large" in huge.text


def test_the_export_streams_every_page_of_the_filtered_list(agent: TestClient, mp: Milepost, store: str):
    mp.ingest(store, [paid(f"c{i:04d}", f"o{i}", 1999) for i in range(1203)])
    mp.ingest(store, [profile("c0007", "=HYPERLINK(1)", "x@example.com"), paid("zz", "oz", 100)])
    page = agent.get(f"/admin/{store}/customers", params={"min_spent": "19.99"})
    export = re.search(r'href="([^"]+customers\.csv[^"]*)"', page.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]

    answer = agent.get(export)

    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["customer_id", "name", "email", "order_count", "amount_spent", "currency", "last_order_at"]
    assert [r[0] for r in rows[1:]] == [f"c{i:04d}" for i in range(1203)]  # not "zz": filtered; every page
    assert rows[1][3:6] == ["1", "19.99", "USD"]
    assert rows[8][1] == "'=HYPERLINK(1)"  # a formula stays text in a spreadsheet


def test_an_operator_adds_and_removes_tags(agent: TestClient, mp: Milepost, store: str):
    mp.order_count_events.create(
        store,
        count=2,
        name="VIP second order",
        actions=[{"type": "credit", "amount": 500}],
        conditions=[{"tag": "VIP"}],
    )
    mp.ingest(store, [paid("ada", "o1")])
    page = f"/admin/{store}/customers/ada"
    token = csrf(agent, page)

    added = agent.post(f"{page}/tags", data={"csrf_token": token, "tag": " VIP "})

    assert added.status_code == 303 and added.headers["location"] == f"{page}?done=tags"
    shown = agent.get(added.headers["location"]).text
    assert 'data-tag="VIP"' in shown and "No milestone fires for it" in shown
    assert mp.customers.get(store, "ada").tags == ("VIP",)
    assert mp.customers.get(store, "ada").milestones == ()  # a tag alone fires nothing
    mp.ingest(store, [paid("ada", "o2")])  # the next event sees the tag
    assert [m.rule_name for m in mp.customers.get(store, "ada").milestones] == ["VIP second order"]

    removed = agent.post(f"{page}/tags/remove", data={"csrf_token": token, "tag": "VIP"})
    assert removed.status_code == 303
    assert mp.customers.get(store, "ada").tags == ()
    shown = text_of(agent.get(page).text)
    assert "No tags" in shown
    # both changes are on record, with who made them
    took_off, added_ = mp.customers.tag_changes(store, "ada")
    assert (took_off.tag, took_off.added, added_.tag, added_.added) == ("VIP", False, "VIP", True)
    assert took_off.actor == added_.actor and took_off.actor.startswith("agent-")  # type: ignore[union-attr]
    assert f"took off VIP ({took_off.actor})" in shown and f"added VIP ({added_.actor})" in shown

    empty = agent.post(f"{page}/tags", data={"csrf_token": token, "tag": "  "})
    assert empty.status_code == 400 and "A tag is 1 to 100 characters" in empty.text
    assert agent.post(f"{page}/tags", data={"csrf_token": "forged", "tag": "X"}).status_code == 403
    assert (
        agent.post(f"/admin/{store}/customers/nobody/tags", data={"csrf_token": token, "tag": "X"}).status_code == 404
    )


def test_an_operator_adjusts_credit_and_points_with_a_reason(admin: TestClient, mp: Milepost, store: str):
    mp.ingest(store, [paid("ada", "o1")])
    page = f"/admin/{store}/customers/ada"
    token = csrf(admin, page)
    key = re.search(r'name="key" value="([^"]+)"', admin.get(page).text).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "unit": "credit", "amount": "1,012.50", "reason": "Late parcel", "key": key}

    done = admin.post(f"{page}/adjust", data=form)
    again = admin.post(f"{page}/adjust", data=form)  # a second click of the same form

    assert done.status_code == 303 and again.status_code == 303
    (entry,) = mp.ledgers.entries(store, "ada", unit="credit")
    assert (entry.amount, entry.note, entry.actor) == (101250, "Late parcel", entry.actor)
    assert entry.actor and entry.actor.startswith("administrator-")
    shown = text_of(admin.get(done.headers["location"]).text)
    assert "Credit adjusted." in shown and "$1,012.50 adjustment Late parcel" in shown

    points = {"csrf_token": token, "unit": "points", "amount": "40", "reason": "Typo", "key": uuid.uuid4().hex}
    assert admin.post(f"{page}/adjust", data=points).status_code == 303
    assert [e.points for e in mp.ledgers.entries(store, "ada", unit="points")] == [40]
    too_many = admin.post(f"{page}/adjust", data={**points, "amount": "-41", "key": uuid.uuid4().hex})
    assert too_many.status_code == 400 and "40 points" in text_of(too_many.text)

    bad = admin.post(f"{page}/adjust", data={**form, "amount": "ten", "key": uuid.uuid4().hex})
    assert bad.status_code == 400 and "must be an amount like 10.00 USD" in bad.text
    no_reason = admin.post(f"{page}/adjust", data={**form, "reason": "", "key": uuid.uuid4().hex})
    assert no_reason.status_code == 400 and "is required" in no_reason.text


def test_a_message_is_sent_again_from_the_customers_page(agent: TestClient, mp: Milepost, store: str):
    mp.templates.save(store, "hello", subject="Hi", body_text="Hello")
    mp.order_count_events.create(store, count=1, name="Hi", actions=[{"type": "send_email", "template": "hello"}])
    mp.ingest(store, [{**profile("ada", "Ada", "ada@example.com"), "email_consent": True}, paid("ada", "o1")])
    (message,) = mp.customers.messages(store, "ada")
    page = f"/admin/{store}/customers/ada"
    token = csrf(agent, page)
    assert f"/messages/{message.id}/resend" in agent.get(page).text  # pending: it may be sent again

    resent = agent.post(f"{page}/messages/{message.id}/resend", data={"csrf_token": token})

    assert resent.status_code == 303 and resent.headers["location"] == f"{page}?done=resent"
    assert "Queued to be sent again" in agent.get(resent.headers["location"]).text
    other = agent.post(f"/admin/{store}/customers/bob/messages/{message.id}/resend", data={"csrf_token": token})
    assert other.status_code == 404

    # Once sent, the page offers no Re-send; the capability's refusal shows if one is posted
    worker = mp.worker(settings=Settings(delivery_jitter=0), stores=[store])
    try:
        worker.drain()
    finally:
        worker.close()
    assert mp.customers.messages(store, "ada")[0].status == "sent"
    assert "/resend" not in agent.get(page).text
    refused = agent.post(f"{page}/messages/{message.id}/resend", data={"csrf_token": token})
    assert refused.status_code == 409
    refusal = f"Not sent again: delivery dlv_{message.id} is sent; only dead, pending or skipped ones"
    assert refusal in text_of(refused.text)


def test_the_page_shows_the_latest_events(agent: TestClient, mp: Milepost, store: str):
    mp.ingest(
        store, [{**paid("ada", f"o{i}", 1000 + i), "occurred_at": f"2026-02-01T10:{i:02d}:00Z"} for i in range(25)]
    )
    mp.ingest(store, [{"id": "t1", "type": "custom", "customer_id": "ada", "name": "Wishlist added"}])  # now

    text = text_of(agent.get(f"/admin/{store}/customers/ada").text)

    events = text[text.index("Recent events") :]
    assert "custom: Wishlist added" in events
    assert "2026-02-01 10:24 order.paid $10.24 o24" in events  # in the store's time zone (UTC)
    assert events.index("Wishlist added") < events.index("o24") < events.index("o23")
    # the latest twenty events in all, Milepost's own (order.created, order.paid) among them
    assert len(re.findall(r"20\d\d-\d\d-\d\d \d\d:\d\d ", events[: events.index("Older")])) == 20
    assert "order.created (Milepost)" in events


MANUAL = {
    "key": "vip_call",
    "name": "VIP call",
    "trigger": {"type": "manual"},
    "branches": [
        {
            "name": "big",
            "when": {"field": "order_count", "op": ">=", "value": 3},
            "actions": [{"type": "add_tag", "tag": "big"}],
        },
        {"name": "others", "actions": [{"type": "add_tag", "tag": "small"}]},
    ],
}
DAILY = {**MANUAL, "key": "yearly", "name": "Yearly", "trigger": {"type": "signup", "days": 365}}


def test_an_administrator_starts_an_automation_for_the_customer_once_per_form(
    admin: TestClient, agent: TestClient, mp: Milepost, store: str
):
    # Given a manual automation and a daily one, and a customer with three orders
    shop(mp, store)
    mp.automations.create(store, MANUAL)
    mp.automations.create(store, DAILY)
    url = f"/admin/{store}/customers/c-ada"
    page = admin.get(url).text
    assert "Start automation" in page and '<option value="vip_call">VIP call</option>' in page
    assert 'value="yearly"' not in page  # a daily automation starts on its days
    form_key = re.search(r'name="key" value="([0-9a-f]{32})">\s*<div class="field"><label for="f-automation"', page)
    assert form_key is not None

    # When the Administrator starts it, and the same form is sent again
    form = {"csrf_token": csrf(admin, url), "automation": "vip_call", "key": form_key.group(1)}
    started = admin.post(f"{url}/start", data=form)
    again = admin.post(f"{url}/start", data=form)

    # Then it started once, by the branch the customer takes, and the page says so
    assert started.status_code == 200
    assert "Automation vip_call started by the branch “big”: add_tag done." in text_of(started.text)
    assert "(by this same form, before)" in text_of(again.text)
    assert "big" in mp.customers.get(store, "c-ada").tags
    assert mp.automations.start(store, "vip_call", "c-ada", request_key=form_key.group(1)).repeated is True
    assert len([m for m in mp.customers.get(store, "c-ada").milestones if m.rule_name == "VIP call"]) == 1


def test_a_start_that_does_not_happen_says_why_and_agents_cannot_start(
    admin: TestClient, agent: TestClient, mp: Milepost, store: str
):
    shop(mp, store)
    mp.automations.create(store, {**MANUAL, "active": False})
    url = f"/admin/{store}/customers/c-grace"

    off = admin.post(f"{url}/start", data={"csrf_token": csrf(admin, url), "automation": "vip_call", "key": "k"})
    unknown = admin.post(f"{url}/start", data={"csrf_token": csrf(admin, url), "automation": "none", "key": "k2"})

    assert off.status_code == 409
    assert "Automation vip_call not started: the automation is switched off." in text_of(off.text)
    assert unknown.status_code == 400 and "Choose an automation." in unknown.text
    # an Agent sees the page without the control, and is refused the start
    page = agent.get(url).text
    assert "Start automation" not in page and "Add tag" in page
    refused = agent.post(f"{url}/start", data={"csrf_token": csrf(agent, url), "automation": "vip_call", "key": "k3"})
    assert refused.status_code == 403
    assert mp.customers.get(store, "c-grace").milestones == ()
