"""Settings > API Keys in a real browser (Chromium through Playwright): create a key,
read its secret from the page, send a customer event with it through the HTTP API,
and see that the secret is shown nowhere once the page is left. Then the Webhook
Endpoints and Users pages, for their screenshots."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from browser_kit import PASSWORD
from playwright.sync_api import Page, expect

from milepost import Milepost


def test_a_key_created_in_the_browser_sends_events_and_is_shown_once(
    page: Page, live_url: str, mp: Milepost, store: str, administrator: str, shots: Path
) -> None:
    keys = f"/admin/{store}/settings/api-keys"
    page.goto(f"{live_url}{keys}")
    page.get_by_label("Email").fill(administrator)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="API Keys")).to_be_visible()

    # Create a key: its secret is on the answer, with the warning that it is shown once
    page.get_by_label("Key name").fill("Shop backend")
    page.get_by_label("Scope").select_option("ingest")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_text("it is shown this once and cannot be shown again")).to_be_visible()
    secret = page.locator("#secret").inner_text().strip()
    assert secret.startswith("mpk_") and secret not in page.url

    # The key works: a customer event through the HTTP API
    event = {"id": uuid.uuid4().hex, "type": "customer.created", "customer_id": "ada", "email": "ada@shop.example"}
    r = httpx.post(f"{live_url}/api/v1/events", json=event, headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    assert mp.customers.get(store, "ada").email == "ada@shop.example"

    # Back on the list, and after a reload: the key is there by its first characters, never its secret
    page.get_by_role("link", name="Back to the API keys").click()
    row = page.locator("tbody tr", has_text="Shop backend")
    expect(row).to_contain_text(secret[:12])
    page.reload()
    expect(row).to_contain_text("Active")
    assert secret not in page.content()
    page.screenshot(path=shots / "api-keys.png", full_page=True)

    # Webhook Endpoints: add one in the form
    page.get_by_role("link", name="Webhook Endpoints").click()
    page.get_by_role("link", name="Add Endpoint").click()
    page.get_by_label("URL").fill("http://127.0.0.1:9/milepost")
    page.get_by_label("Description").fill("CRM")
    page.get_by_label("milestone.reached").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator("#secret")).to_contain_text("whsec_")
    page.get_by_role("link", name="Back to the webhook endpoints").click()
    expect(page.locator("tbody tr").first).to_contain_text("CRM")
    page.screenshot(path=shots / "webhooks.png", full_page=True)

    # Users: shared by every store
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_text("Users are shared by every store")).to_be_visible()
    expect(page.locator("tbody tr", has_text=administrator)).to_contain_text("(you)")
    page.screenshot(path=shots / "users.png", full_page=True)
