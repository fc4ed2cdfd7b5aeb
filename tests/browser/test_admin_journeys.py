"""The main journeys of the admin UI in a real browser (Chromium through Playwright):
sign in, create the 5th-order event with three actions in the action editor, send
orders through the HTTP API and see the milestone on the dashboard, the firing in the
log, the email in a real SMTP server's mailbox and the credit on the customer's page,
switch the event off and see that nothing fires; an agent acknowledges and resolves the
alert assigned to them."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from browser_kit import PASSWORD
from playwright.sync_api import Page, expect

from milepost import Milepost
from milepost.config import Settings
from support.smtp import SmtpSink


def orders(base: str, key: str, customer: str, n: int) -> None:
    events = [
        {
            "id": uuid.uuid4().hex,
            "type": "order.paid",
            "customer_id": customer,
            "order_id": f"{customer}-o{i}",
            "total": 2500,
        }
        for i in range(n)
    ]
    r = httpx.post(f"{base}/api/v1/events", json={"events": events}, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200 and r.json()["rejected"] == 0, r.text


def sign_in(page: Page, base: str, url: str, email: str, shots: Path | None = None) -> None:
    page.goto(f"{base}{url}")
    expect(page).to_have_url(f"{base}/admin/login?next={url.replace('/', '%2F')}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    if shots is not None:
        page.screenshot(path=shots / "login.png")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}{url}")


def test_the_fifth_order_event_from_creation_to_firing_and_off_again(
    page: Page, live_url: str, mp: Milepost, store: str, administrator: str, shots: Path
) -> None:
    mp.templates.save(store, "vip", subject="Welcome to the club, {{ customer.name }}", body_text="Thank you!")
    ingest_key = mp.keys.create(store, "ingest")[1]
    events = f"/admin/{store}/settings/order-count-events"

    sign_in(page, live_url, events, administrator, shots)
    expect(page.get_by_role("heading", name="Order Count Events")).to_be_visible()

    # Add the 5th-order event with three actions
    page.get_by_role("link", name="Add New Event").click()
    page.get_by_label("Order count").fill("5")
    page.get_by_label("Event name").fill("5-Order Club")
    first = page.locator(".action-slot").nth(0)
    first.get_by_label("Action 1").select_option("send_email")
    expect(first.get_by_label("Email template")).to_be_visible()
    expect(first.get_by_label("Tag")).to_be_hidden()  # the editor shows the chosen type's fields only
    first.get_by_label("Email template").select_option("vip")
    second = page.locator(".action-slot").nth(1)
    second.get_by_label("Action 2").select_option("credit")
    second.get_by_label("Credit amount (USD)").fill("10.00")
    third = page.locator(".action-slot").nth(2)
    third.get_by_label("Action 3").select_option("add_tag")
    third.get_by_label("Tag", exact=True).fill("5-Order Club")
    page.screenshot(path=shots / "order-count-event-form.png", full_page=True)
    page.get_by_role("button", name="Create event").click()

    expect(page).to_have_url(f"{live_url}{events}")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("5-Order Club")
    expect(row).to_contain_text("credit $10.00")
    expect(row).to_contain_text("email “vip”")
    expect(row.get_by_role("button", name="Active")).to_be_visible()
    page.screenshot(path=shots / "order-count-events.png", full_page=True)

    # Ada through the HTTP API, then her orders: the fifth fires it
    profile = {"id": "ada-profile", "type": "customer.created", "customer_id": "ada", "name": "Ada Lovelace"}
    profile |= {"email": "ada@example.com", "email_consent": True}
    r = httpx.post(
        f"{live_url}/api/v1/events", json={"events": [profile]}, headers={"Authorization": f"Bearer {ingest_key}"}
    )
    assert r.status_code == 200 and r.json()["rejected"] == 0, r.text
    orders(live_url, ingest_key, "ada", 5)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("section", has_text="Recent milestones")).to_contain_text("5-Order Club")
    page.screenshot(path=shots / "dashboard.png", full_page=True)
    ada = mp.customers.get(store, "ada")
    assert ada.balances == {"USD": 1000} and "5-Order Club" in ada.tags

    # The worker sends the email to a real SMTP server; the log shows the firing and that it went out
    with SmtpSink() as smtp:
        worker = mp.worker(
            settings=Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none"), stores=[store]
        )
        try:
            worker.drain()
        finally:
            worker.close()
    (email,) = smtp.messages
    assert email["To"] == "Ada Lovelace <ada@example.com>"
    assert email["Subject"] == "Welcome to the club, Ada Lovelace"
    page.get_by_role("link", name="Milestones").click()
    firing = page.locator("table.log tbody tr").first
    expect(firing).to_contain_text("5-Order Club")
    expect(firing).to_contain_text("ada-o4")  # the fifth order
    expect(firing).to_contain_text("$10.00")
    expect(firing.locator("a.status")).to_have_text("sent")

    # The customer's page: the credit, the tag and the milestone with what it did
    page.get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="ada", exact=True).click()
    expect(page.locator(".stats")).to_contain_text("$10.00")
    expect(page.locator(".tags")).to_contain_text("5-Order Club")
    expect(page.locator("#milestones")).to_contain_text("Credit the account done credited $10.00")
    expect(page.locator("#milestones a.status")).to_have_text("sent")
    page.screenshot(path=shots / "customer.png", full_page=True)

    # Switch it off: nothing fires for the next customer who reaches 5
    page.goto(f"{live_url}{events}")
    page.get_by_role("button", name="Active").click()
    expect(page.locator("tbody tr").first.get_by_role("button", name="Inactive")).to_be_visible()
    orders(live_url, ingest_key, "bob", 5)
    assert [m.customer_id for m in mp.reports.milestone_log(store)] == ["ada"]


def test_an_agent_sees_no_configuration_in_the_browser(page: Page, live_url: str, mp: Milepost, store: str) -> None:
    email = f"agent-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(email, "Grace Agent", PASSWORD, "agent")
    sign_in(page, live_url, f"/admin/{store}", email)
    expect(page.get_by_role("link", name="Order Count Events")).to_have_count(0)
    page.goto(f"{live_url}/admin/{store}/settings/order-count-events")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_an_agent_acknowledges_then_resolves_the_alert_assigned_to_them(
    page: Page, live_url: str, mp: Milepost, store: str, shots: Path
) -> None:
    email = f"agent-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(email, "Grace Agent", PASSWORD, "agent")
    mp.order_count_events.create(
        store,
        count=2,
        name="Call them",
        actions=[{"type": "alert", "message": "Call {customer} to say thanks", "assignee": email}],
    )
    mp.order_count_events.create(store, count=3, name="Anyone", actions=[{"type": "alert"}])
    mp.ingest(
        store, [{"id": f"e{i}", "type": "order.paid", "customer_id": "ada", "order_id": f"o{i}"} for i in range(3)]
    )

    sign_in(page, live_url, f"/admin/{store}", email)
    yours = page.locator("#yours")
    expect(yours.locator("tbody tr")).to_have_count(1)
    expect(yours).to_contain_text("Call ada to say thanks")
    expect(page.locator("#alerts tbody tr")).to_have_count(2)  # everyone's, the agent's included
    expect(page.locator("#charts svg.chart")).to_have_count(5)
    page.screenshot(path=shots / "dashboard-alerts.png", full_page=True)

    yours.get_by_role("button", name="Acknowledge").click()
    expect(yours).to_contain_text(f"acknowledged by {email}")
    expect(yours.get_by_role("button", name="Acknowledge")).to_have_count(0)
    yours.get_by_role("button", name="Resolve").click()
    expect(yours).to_contain_text("Nothing assigned to you.")
    expect(page.locator("#alerts tbody tr")).to_have_count(1)
    (resolved,) = mp.alerts.list(store, status="resolved")
    assert resolved.resolved_by == email and resolved.acknowledged_by == email
