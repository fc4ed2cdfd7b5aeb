"""Acting on customers in a real browser (Chromium through Playwright), on both backends:
an Agent searches and filters the customers and exports them as CSV, tags a customer and
takes the tag off, adjusts their credit with a reason, and sends a dead email again from
the customer's page."""

from __future__ import annotations

import csv
import io
import socket
import uuid
from pathlib import Path

from browser_kit import PASSWORD
from playwright.sync_api import Page, expect

from milepost import Milepost
from milepost.config import Settings


def sign_in(page: Page, base: str, url: str, mp: Milepost) -> None:
    email = f"agent-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(email, "Grace Agent", PASSWORD, "agent")
    page.goto(f"{base}{url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}{url}")


def paid(customer: str, order: str, total: int) -> dict:
    return {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": customer, "order_id": order, "total": total}


def drain(mp: Milepost, store: str, settings: Settings) -> None:
    worker = mp.worker(settings=settings, stores=[store])
    try:
        worker.drain()
    finally:
        worker.close()


def test_an_agent_searches_filters_and_exports_customers(
    page: Page, live_url: str, mp: Milepost, store: str, shots: Path
) -> None:
    mp.ingest(store, [{"id": "p", "type": "customer.created", "customer_id": "c-ada", "name": "Ada Lovelace"}])
    mp.ingest(store, [paid("c-ada", "a1", 12000), paid("c-bob", "b1", 500), paid("c-cy", "c1", 9900)])
    sign_in(page, live_url, f"/admin/{store}/customers", mp)

    page.get_by_label("Id, email or name contains").fill("LOVELACE")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Ada Lovelace")

    page.get_by_label("Id, email or name contains").fill("")
    page.get_by_label("Spent from (USD)").fill("99")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    page.screenshot(path=shots / "customers-filtered.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0][:6] == ["customer_id", "name", "email", "order_count", "amount_spent", "currency"]
    assert [(r[0], r[4]) for r in rows[1:]] == [("c-ada", "120.00"), ("c-cy", "99.00")]


def test_an_agent_tags_a_customer_and_takes_the_tag_off(
    page: Page, live_url: str, mp: Milepost, store: str, shots: Path
) -> None:
    mp.ingest(store, [paid("ada", "o1", 2500)])
    sign_in(page, live_url, f"/admin/{store}/customers/ada", mp)

    page.get_by_label("Tag", exact=True).fill("VIP")
    page.get_by_role("button", name="Add tag").click()
    expect(page.get_by_role("status")).to_contain_text("Tags saved")
    expect(page.locator('#tags [data-tag="VIP"]')).to_be_visible()
    assert mp.customers.get(store, "ada").tags == ("VIP",)
    page.screenshot(path=shots / "customer-tagged.png", full_page=True)

    page.get_by_role("button", name="Remove tag VIP").click()
    expect(page.locator("#tags")).to_contain_text("No tags")
    assert mp.customers.get(store, "ada").tags == ()


def test_an_agent_adjusts_credit_with_a_reason(page: Page, live_url: str, mp: Milepost, store: str) -> None:
    mp.ingest(store, [paid("ada", "o1", 2500)])
    sign_in(page, live_url, f"/admin/{store}/customers/ada", mp)

    page.get_by_label("Adjust", exact=True).select_option("credit")
    page.get_by_label("Amount").fill("12.50")
    page.get_by_label("Reason").fill("Late parcel")
    page.get_by_role("button", name="Adjust", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Credit adjusted")
    expect(page.locator(".stats")).to_contain_text("$12.50")
    expect(page.get_by_role("row", name="Late parcel")).to_contain_text("$12.50")
    (entry,) = mp.ledgers.entries(store, "ada", unit="credit")
    assert (entry.amount, entry.note) == (1250, "Late parcel")

    page.get_by_label("Amount").fill("ten")
    page.get_by_label("Reason").fill("Oops")
    page.get_by_role("button", name="Adjust", exact=True).click()
    expect(page.get_by_text("must be an amount like 10.00 USD")).to_be_visible()


def test_an_agent_sends_a_dead_email_again(page: Page, live_url: str, mp: Milepost, store: str, shots: Path) -> None:
    # An email whose SMTP server never answers: dead after its one attempt
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    failing = Settings(
        smtp_host="127.0.0.1", smtp_port=closed, smtp_timeout=1, delivery_jitter=0, delivery_schedule=[0]
    )
    mp.templates.save(store, "hello", subject="Hi", body_text="Hello")
    mp.order_count_events.create(store, count=1, name="Hi", actions=[{"type": "send_email", "template": "hello"}])
    profile = {"id": "p", "type": "customer.created", "customer_id": "ada", "email": "ada@example.com"}
    mp.ingest(store, [{**profile, "email_consent": True}, paid("ada", "o1", 2500)])
    drain(mp, store, failing)
    (message,) = mp.customers.messages(store, "ada")
    assert message.status == "dead"
    sign_in(page, live_url, f"/admin/{store}/customers/ada", mp)

    row = page.locator("#messages tbody tr").first
    expect(row).to_contain_text("dead")
    row.get_by_role("button", name="Re-send").click()

    expect(page.get_by_role("status")).to_contain_text("Queued to be sent again")
    expect(page.locator("#messages tbody tr").first).to_contain_text("pending")
    drain(mp, store, Settings(delivery_jitter=0))  # no SMTP server now: kept in the local mailbox
    page.reload()
    expect(page.locator("#messages tbody tr").first).to_contain_text("sent")
    expect(page.get_by_role("button", name="Re-send")).to_have_count(0)
    page.screenshot(path=shots / "customer-resent.png", full_page=True)


def test_an_administrator_starts_an_automation_from_the_customers_page(
    page: Page, live_url: str, mp: Milepost, store: str, administrator: str
) -> None:
    # Given a manual automation and a customer with one order
    mp.automations.create(
        store,
        {
            "key": "vip_call",
            "name": "VIP call",
            "trigger": {"type": "manual"},
            "branches": [{"name": "everyone", "actions": [{"type": "add_tag", "tag": "called"}]}],
        },
    )
    mp.ingest(store, [paid("c-ada", "a1", 12000)])
    url = f"/admin/{store}/customers/c-ada"
    page.goto(f"{live_url}{url}")
    page.get_by_label("Email").fill(administrator)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # When the Administrator picks it and starts it
    page.get_by_label("Automation", exact=True).select_option("vip_call")
    page.get_by_role("button", name="Start automation").click()

    # Then the page says which branch ran and what each action did, and the tag is there
    expect(page.get_by_role("status")).to_contain_text("Automation vip_call started by the branch “everyone”")
    expect(page.locator("#tags")).to_contain_text("called")
    assert "called" in mp.customers.get(store, "c-ada").tags
